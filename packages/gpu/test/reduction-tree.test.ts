/**
 * Reductions as log-depth trees: a run longer than REDUCTION_FAN_IN values is reduced in
 * ⌈log_fanIn n⌉ passes of partial results. The pass count, results against the CPU for every
 * kind and for several outputs at once, and the accuracy a tree buys: a float32 sum of 2^20
 * copies of 0.1 accumulated in one sequential run drifts by 1 % (to 105,891.8), the tree's
 * stays within 1e-5 of the closed form 2^20 · fround(0.1).
 */
import * as vane from '@vane/tensor';
import { tidy } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, gpuTextureCount, resetGpuStats } from '../src/index.js';
import { REDUCTION_FAN_IN } from '../src/gpu-backend.js';
import { gpuReady } from './gpu-availability.js';

describe.runIf(gpuReady)('reduction trees', () => {
  it('a sum of 2^20 values takes three passes and is accurate to 1e-5', () => {
    tidy(() => {
      const count = 2 ** 20;
      const x = vane.full([count], 0.1, { backend: 'gpu' });
      resetGpuStats();
      const total = vane.sum(x).item();
      // 2^20 → 4096 → 16 → 1 partial results with a fan-in of 256.
      expect(REDUCTION_FAN_IN).toBe(256);
      expect(gpuStats().dispatches).toBe(3);
      const exact = count * Math.fround(0.1);
      expect(Math.abs(total - exact) / exact).toBeLessThan(1e-5);
    });
  });

  it('a tree keeps the texture count: its partial results are counted while they live', () => {
    // The passes' partial results used to be deleted without having been counted, so every
    // reduction of more than 256 values drove gpuTextureCount() down (by 2 for 2^20 values).
    const x = vane.rand([2 ** 20], { generator: vane.seed(2), backend: 'gpu' });
    const before = gpuTextureCount();
    tidy(() => {
      vane.sum(x).dataSync();
      vane.max(vane.reshape(x, [1024, 1024]), 0).dataSync();
      vane.sum(vane.reshape(x, [1024, 1024]), 1).dataSync();
    });
    expect(gpuTextureCount()).toBe(before);
    x.dispose();
  });

  it.each(['sum', 'prod', 'max', 'min', 'all', 'any'] as const)(
    '%s over runs longer than the fan-in agrees with the cpu, several outputs at once',
    (kind) => {
      tidy(() => {
        const generator = vane.seed(3);
        const base = vane.rand([3, 70000], { generator });
        const x =
          kind === 'all' || kind === 'any'
            ? base.greater(kind === 'all' ? 1e-5 : 0.99999)
            : kind === 'prod'
              ? base.mul(0.001).add(0.9995)
              : base.sub(0.5);
        const reduce = (input: vane.Tensor) => (vane[kind] as (t: vane.Tensor, axis: number) => vane.Tensor)(input, 1);
        const want = Array.from(reduce(x).dataSync());
        const got = Array.from(reduce(x.to('gpu')).dataSync());
        for (let index = 0; index < want.length; index++)
          expect(Math.abs(got[index]! - want[index]!)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(want[index]!)));
      });
    },
  );

  it('a sum over a leading axis of a large tensor (permuted, then a tree) agrees with the cpu', () => {
    tidy(() => {
      const x = vane.randn([1000, 7], { generator: vane.seed(4) });
      const want = Array.from(vane.sum(x, 0).dataSync());
      const got = Array.from(vane.sum(x.to('gpu'), 0).dataSync());
      for (let index = 0; index < want.length; index++) expect(got[index]).toBeCloseTo(want[index]!, 3);
    });
  });
});
