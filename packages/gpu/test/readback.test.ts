/**
 * The readback path in Node: headless-gl is WebGL 1 (no fence sync objects, no pixel pack
 * buffers), so `await data()` takes the synchronous read, and `gpuInfo().readback` says so and
 * why. The values are checked against the host's, for every dtype, odd sizes and views. The
 * asynchronous path itself runs in Chromium (browser-readback.test.ts).
 */
import * as vane from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { asynchronousReadbackCount, gpuInfo } from '../src/index.js';
import { readbackSupport } from '../src/readback.js';
import { gpuReady } from './gpu-availability.js';

describe('readbackSupport', () => {
  it('picks the fence path only for a context with WebGL2 sync objects and pack buffers', () => {
    const webgl1 = { readPixels: () => undefined };
    expect(readbackSupport(webgl1).mode).toBe('sync');
    expect(readbackSupport(webgl1).reason).toMatch(/WebGL 1/);
    expect(readbackSupport(undefined)).toEqual({ mode: 'sync', reason: expect.stringMatching(/no GL context/) });
    const webgl2 = {
      ...webgl1,
      PIXEL_PACK_BUFFER: 0x88eb,
      fenceSync: () => ({}),
      clientWaitSync: () => 0,
      getBufferSubData: () => undefined,
    };
    expect(readbackSupport(webgl2).mode).toBe('async-fence');
  });
});

describe.runIf(gpuReady)('readback on headless-gl', () => {
  it('reports the synchronous fallback and why', () => {
    const info = gpuInfo();
    expect(info.kernelClass).toBe('HeadlessGLKernel');
    expect(info.readback.mode).toBe('sync');
    expect(info.readback.reason).toMatch(/WebGL 1 \(headless-gl in Node\) has no fence sync objects/);
  });

  it('await data() returns the host values for float32, int32, bool, odd sizes and views', async () => {
    const readsBefore = asynchronousReadbackCount();
    const floats = Float32Array.from({ length: 1001 }, (_, index) => Math.sin(index * 1.7) * 1000);
    floats[0] = NaN;
    floats[7] = Infinity;
    floats[14] = -0;
    const integers = Int32Array.from({ length: 999 }, (_, index) => ((index * 7919) % 20001) - 10000);
    const bools = Uint8Array.from({ length: 513 }, (_, index) => (index % 3 === 0 ? 1 : 0));
    const matrix = Float32Array.from({ length: 37 * 53 }, (_, index) => index * 0.25 - 100);
    const transposed: number[] = [];
    for (let column = 0; column < 53; column++)
      for (let row = 0; row < 37; row++) transposed.push(matrix[row * 53 + column]!);
    const cases: [vane.Tensor, ArrayLike<number>][] = [
      [vane.tensor(floats, { backend: 'gpu' }), floats],
      [vane.tensor(floats.subarray(0, 3), { backend: 'gpu' }), floats.subarray(0, 3)],
      [vane.tensor(integers, { dtype: 'int32', backend: 'gpu' }), integers],
      [vane.tensor(bools, { dtype: 'bool', backend: 'gpu' }), bools],
      [vane.transpose(vane.tensor(matrix, { shape: [37, 53], backend: 'gpu' })), transposed],
    ];
    for (const [x, expected] of cases) {
      const values = await x.data();
      expect(values.length).toBe(expected.length);
      for (let index = 0; index < expected.length; index++)
        expect(Object.is(values[index], expected[index])).toBe(true);
      expect(values.constructor).toBe(x.dataSync().constructor);
      x.dispose();
    }
    expect(asynchronousReadbackCount()).toBe(readsBefore);
  });
});
