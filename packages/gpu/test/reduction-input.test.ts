/**
 * Reductions read their input in place where the kept axes and the reduced axes each form one
 * strided sequence (a sum over the last axis, logSoftmax's max, a bias gradient's sum over the
 * batch axis): one dispatch, no permuted copy. Other axis sets take a permuted copy first.
 * Results against the CPU for in-place, strided, offset and permuted inputs.
 */
import * as vane from '@vane/tensor';
import { tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, resetGpuStats } from '../src/index.js';
import { gpuReady } from './gpu-availability.js';

const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

function expectClose(cpu: Tensor, gpu: Tensor): void {
  expect(gpu.shape).toEqual(cpu.shape);
  const want = cpu.dataSync();
  const got = gpu.dataSync();
  for (let index = 0; index < want.length; index++)
    expect(Math.abs(got[index]! - want[index]!)).toBeLessThanOrEqual(1e-4 + 1e-5 * Math.abs(want[index]!));
}

describe.runIf(gpuReady)('reduction inputs', () => {
  it('a reduction over the last or the first axis of a contiguous tensor is one dispatch; over axes 0 and 2 of a rank-3 one, a copy and the reduction', () => {
    tidy(() => {
      const x = random([128, 10], 1).to('gpu');
      resetGpuStats();
      vane.sum(x, -1);
      expect(gpuStats().dispatches).toBe(1);
      resetGpuStats();
      vane.max(x, -1);
      vane.argmax(x, -1);
      expect(gpuStats().dispatches).toBe(2);
      resetGpuStats();
      vane.sum(x, 0);
      expect(gpuStats().dispatches).toBe(1);
      const cube = random([7, 9, 5], 3).to('gpu');
      resetGpuStats();
      vane.sum(cube, [0, 2]);
      expect(gpuStats().dispatches).toBe(2);
    });
  });

  it('in-place, offset, transposed and all-axes reductions agree with the cpu', () => {
    tidy(() => {
      const x = random([7, 9, 5], 2);
      const g = x.to('gpu');
      expectClose(vane.sum(x, -1), vane.sum(g, -1));
      expectClose(vane.sum(x, [1, 2]), vane.sum(g, [1, 2]));
      expectClose(vane.sum(x), vane.sum(g));
      expectClose(vane.max(x, 0), vane.max(g, 0));
      expectClose(vane.sum(x, [0, 1]), vane.sum(g, [0, 1]));
      expectClose(vane.sum(x, [0, 2]), vane.sum(g, [0, 2]));
      expectClose(vane.sum(x.transpose([1, 0, 2]), 1), vane.sum(g.transpose([1, 0, 2]), 1));
      const slice = (t: Tensor) => vane.slice(t, [{ start: 2, stop: 6 }]);
      expectClose(vane.sum(slice(x), -1), vane.sum(slice(g), -1));
      expectClose(vane.argmin(slice(x), -1), vane.argmin(slice(g), -1));
      expectClose(vane.prod(x.transpose([2, 0, 1]), -1), vane.prod(g.transpose([2, 0, 1]), -1));
    });
  });
});
