/**
 * A quad chain written in matmul's packed layout (src/quad-chain.ts's quadChainOutput): a
 * weight update `w - lr·g` over a product, read next by `x · w`, is the product's pack (no pack
 * pass), and its readers of another kind (a reduction, a chain over another shape of the same
 * size, a readback) still read it right.
 */
import * as vane from '@vane/tensor';
import { dispose, matmul, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, resetGpuStats } from '../src/index.js';
import { quadsAvailable } from '../src/quad-chain.js';
import { gpuReady } from './gpu-availability.js';
import { expectCloseToCpu } from './support/expect-close.js';

/** The packed matmul's tolerance against the cpu (packed-matmul.test.ts). */
const TOLERANCE = { absolute: 1e-4, relative: 1e-4 };
const expectClose = (cpu: Tensor, gpu: Tensor, label: string) => expectCloseToCpu(cpu, gpu, label, TOLERANCE);
const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

/** `w - 0.1 · (a @ b)`: a chain that unpacks a product, so it runs as quads where quads exist. */
const update = (w: Tensor, a: Tensor, b: Tensor) => w.sub(matmul(a, b).mul(0.1));

describe.runIf(gpuReady)('quad chain as a pack', () => {
  it('x · (w - lr·g) reads the update chain as its pack: chain, pack of x, product', (context) => {
    tidy(() => {
      const [x, w, a, b] = [random([32, 24], 1), random([24, 16], 2), random([24, 8], 3), random([8, 16], 4)];
      const [gx, gw, ga, gb] = [x, w, a, b].map((value) => value.to('gpu')) as [Tensor, Tensor, Tensor, Tensor];
      // The same shapes once first: the scalar 0.1 is uploaded and x packed (pack-cache.ts).
      dispose(matmul(gx, update(gw, ga, gb)));
      if (!quadsAvailable()) context.skip();
      const next = update(gw, ga, gb);
      resetGpuStats();
      const product = matmul(gx, next);
      // The chain's own pass and the product; a, b were packed for the first g.
      expect(gpuStats().dispatches).toBe(2);
      expectClose(matmul(x, update(w, a, b)), product, 'x · (w - lr·g)');
    });
  });

  it('the chain in the packed layout is read right by a reduction, a chain of another shape and a readback', () => {
    tidy(() => {
      const [x, w, a, b] = [random([16, 40], 5), random([40, 32], 6), random([40, 8], 7), random([8, 32], 8)];
      const [gx, gw, ga, gb] = [x, w, a, b].map((value) => value.to('gpu')) as [Tensor, Tensor, Tensor, Tensor];
      const cpu = update(w, a, b);
      const gpu = update(gw, ga, gb);
      expectClose(matmul(x, cpu), matmul(gx, gpu), 'x · w');
      expectClose(vane.sum(cpu, 0), vane.sum(gpu, 0), 'sum over rows');
      expectClose(cpu.reshape([32, 40]).mul(2), gpu.reshape([32, 40]).mul(2), 'reshaped chain');
      expectClose(cpu.transpose().add(1), gpu.transpose().add(1), 'transposed chain');
      expectClose(cpu, gpu, 'readback');
    });
  });
});
