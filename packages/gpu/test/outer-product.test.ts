/**
 * The outer-product form of matmul (src/outer-product.ts): `aᵀ · b` with `a` and `b` row-major,
 * the weight gradient of a linear layer, against the cpu on depths, widths and heights that are
 * not multiples of four, heights that fill whole blocks of either height and one that does not
 * (the direct form then), after the forward product of the same operands (whose packs it reuses)
 * and on pending operands; the dispatch it costs after those packs; and the row-major pack of a
 * weight that `x · w` (ROW_PRODUCT) and `dz · wᵀ` share.
 */
import * as vane from '@vane/tensor';
import { matmul, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, resetGpuStats } from '../src/index.js';
import { gpuReady } from './gpu-availability.js';
import { expectCloseToCpu } from './support/expect-close.js';

/** The packed matmul's tolerance against the cpu (packed-matmul.test.ts). */
const TOLERANCE = { absolute: 1e-4, relative: 1e-4 };
const expectClose = (cpu: Tensor, gpu: Tensor, label: string) => expectCloseToCpu(cpu, gpu, label, TOLERANCE);
const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

describe.runIf(gpuReady)('outer-product matmul', () => {
  it.each([
    [128, 256, 256],
    [37, 64, 10],
    [40, 8, 12],
    [9, 16, 3],
    [130, 24, 33],
    [20, 10, 7],
  ])('hᵀ · dz with batch %i, %i features in, %i out agrees with the cpu', (batch, inputs, outputs) => {
    tidy(() => {
      const h = random([batch, inputs], batch + inputs);
      const dz = random([batch, outputs], outputs * 3 + 1);
      const gpuH = h.to('gpu');
      const gpuDz = dz.to('gpu');
      expectClose(matmul(h.transpose(), dz), matmul(gpuH.transpose(), gpuDz), 'hᵀ · dz');
      // After a forward product of h (its row-major pack is then reused) and again.
      const w = random([inputs, 8], 5);
      expectClose(matmul(h, w), matmul(gpuH, w.to('gpu')), 'h · w');
      expectClose(matmul(h.transpose(), dz), matmul(gpuH.transpose(), gpuDz), 'hᵀ · dz after h · w');
      // Pending operands (elementwise chains) read the same way.
      expectClose(
        matmul(h.mul(2).transpose(), dz.add(1)),
        matmul(gpuH.mul(2).transpose(), gpuDz.add(1)),
        '(2h)ᵀ · (dz + 1)',
      );
    });
  });

  it('reuses the packs the forward and backward products made: the weight gradient adds one dispatch', () => {
    tidy(() => {
      const h = random([64, 32], 1).to('gpu');
      const w = random([32, 16], 2).to('gpu');
      const dz = random([64, 16], 3).to('gpu');
      // h · w packs h by rows, dz · wᵀ packs dz by rows: the two packs hᵀ · dz reads.
      void matmul(h, w);
      void matmul(dz, w.transpose());
      resetGpuStats();
      void matmul(h.transpose(), dz);
      expect(gpuStats().dispatches).toBe(1);
    });
  });

  it('x · w and dz · wᵀ share the row-major pack of w: the second product packs only dz', () => {
    tidy(() => {
      const x = random([64, 36], 4).to('gpu');
      const w = random([36, 20], 5).to('gpu');
      const dz = random([64, 20], 6).to('gpu');
      const forward = matmul(x, w);
      resetGpuStats();
      const backward = matmul(dz, w.transpose());
      expect(gpuStats().dispatches).toBe(2);
      expectClose(matmul(x.to('cpu'), w.to('cpu')), forward, 'x · w');
      expectClose(matmul(dz.to('cpu'), w.to('cpu').transpose()), backward, 'dz · wᵀ');
    });
  });
});
