/**
 * The same-texel fetch of elementwise kernels: an input laid out like the output is read at
 * the fragment's own texel. Which views qualify (alignedWithOutput), and results against the
 * CPU where aligned and strided inputs meet, across size changes of one compiled kernel.
 */
import * as vane from '@vane/tensor';
import { tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { alignedWithOutput } from '../src/texel-fetch.js';
import { gpuReady } from './gpu-availability.js';

const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });
const viewOf = (x: Tensor) => ({
  data: x.storage.data,
  dtype: x.dtype,
  shape: x.shape,
  strides: x.strides,
  offset: x.offset,
});

describe.runIf(gpuReady)('same-texel fetch', () => {
  it('qualifies contiguous storages of the output size only', () => {
    tidy(() => {
      const x = random([6, 5], 1).to('gpu');
      expect(alignedWithOutput(viewOf(x), 30)).toBe(true);
      expect(alignedWithOutput(viewOf(x), 31)).toBe(false);
      expect(alignedWithOutput(viewOf(x.transpose()), 30)).toBe(false);
      const sliced = vane.slice(x, [{ start: 1, stop: 6 }]);
      expect(alignedWithOutput(viewOf(sliced), 25)).toBe(false);
      expect(alignedWithOutput(viewOf(x.reshape([30])), 30)).toBe(true);
    });
  });

  it.each([5, 1000, 7, 4096, 1])(
    'binary, unary and fused ops on %i values agree with the cpu with aligned, transposed and broadcast operands',
    (count) => {
      tidy(() => {
        const a = random([count, 3], count);
        const b = random([3, count], count + 1);
        const row = random([3], count + 2);
        const cpu = a.add(b.transpose()).mul(row).exp().sub(a);
        const gpuA = a.to('gpu');
        const gpu = gpuA.add(b.to('gpu').transpose()).mul(row.to('gpu')).exp().sub(gpuA);
        const want = cpu.dataSync();
        const got = gpu.dataSync();
        for (let index = 0; index < want.length; index++) {
          expect(Math.abs(got[index]! - want[index]!)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want[index]!));
        }
      });
    },
  );
});
