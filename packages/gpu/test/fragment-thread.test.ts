/**
 * The thread index read from the fragment's texture coordinate (fragment-thread.ts): the source
 * rewrite, and kernels whose 1-D output texture has more texels than values (a near-square
 * layout with a partly used last row) or whose 2-D output is not square, against the CPU.
 */
import * as vane from '@vane/tensor';
import { tidy } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { withFragmentThread } from '../src/fragment-thread.js';
import { gpuReady } from './gpu-availability.js';

describe('withFragmentThread', () => {
  it('reads this.thread.x and .y through the native functions, for 1-D and 2-D outputs', () => {
    const oneD = withFragmentThread({ source: 'function (x) { return x[this.thread.x]; }', functions: [] }, 1);
    expect(oneD.source).toBe('function (x) { return x[vaneThreadX()]; }');
    expect(oneD.nativeFunctions!.find((fn) => fn.name === 'vaneThreadX')!.source).toContain('* float(uTexSize.x)');
    const twoD = withFragmentThread(
      { source: 'function () { return this.thread.x + this.thread.y; }', functions: [] },
      2,
    );
    expect(twoD.source).toBe('function () { return vaneThreadX() + vaneThreadY(); }');
    expect(twoD.nativeFunctions!.find((fn) => fn.name === 'vaneThreadX')!.source).toBe(
      'float vaneThreadX() {\n  return floor(vTexCoord.s * float(uTexSize.x));\n}',
    );
  });

  it('leaves a kernel without thread reads alone and refuses this.thread.z', () => {
    const plain = { source: 'function () { return 0.0; }', functions: [] };
    expect(withFragmentThread(plain, 1)).toBe(plain);
    expect(() => withFragmentThread({ source: 'function () { return this.thread.z; }', functions: [] }, 1)).toThrow(
      /this\.thread\.z/,
    );
  });
});

describe.runIf(gpuReady)('thread index on the device', () => {
  it.each([7, 1000, 4099, 65537])('a strided copy of %i values lands every value at its index', (count) => {
    tidy(() => {
      // A reversed view: each output index reads a different input index, so a wrong thread
      // index shows as a misplaced value.
      const x = vane.arange(0, count, 1, { dtype: 'float32' });
      const reversed = vane
        .slice(x.to('gpu'), [{ step: -1 }])
        .contiguous()
        .dataSync();
      const want = vane
        .slice(x, [{ step: -1 }])
        .contiguous()
        .dataSync();
      expect(Array.from(reversed)).toEqual(Array.from(want));
    });
  });

  it('a matmul with a 2-D output of 3×9 blocks agrees with the cpu', () => {
    tidy(() => {
      const a = vane.randn([18, 5], { generator: vane.seed(1) });
      const b = vane.randn([5, 6], { generator: vane.seed(2) });
      const want = vane.matmul(a, b).dataSync();
      const got = vane.matmul(a.to('gpu'), b.to('gpu')).dataSync();
      for (let index = 0; index < want.length; index++) expect(got[index]).toBeCloseTo(want[index]!, 4);
    });
  });
});
