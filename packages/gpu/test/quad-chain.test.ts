/**
 * Elementwise chains that a matmul's pack consumes run four values per fragment into a quad
 * texture (quad-chain.ts, quad-fetch.ts): the pack and later chains read the quads, every
 * other op a one-value-per-texel conversion. Each case agrees with the cpu backend: aligned,
 * broadcast and transposed operands, blocked products, quads read by later chains (aligned
 * and strided), the transposed pack of a quad result, sizes that cannot run as quads, and the
 * texture count when a quad result is converted and released.
 */
import * as vane from '@vane/tensor';
import { tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, gpuTextureCount, resetGpuStats } from '../src/index.js';
import { PendingStorage } from '../src/elementwise-fusion.js';
import { quadsAvailable } from '../src/quad-chain.js';
import { gpuReady } from './gpu-availability.js';
import { expectCloseToCpu } from './support/expect-close.js';

const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

/** Tolerance against the cpu backend: float32 on both sides; the chains read blocked products, whose sums run in another order than the cpu's. */
const TOLERANCE = { absolute: 1e-5, relative: 1e-4 };
const expectClose = (cpu: Tensor, gpu: Tensor, label: string) => expectCloseToCpu(cpu, gpu, label, TOLERANCE);

/** True when the tensor's storage is a chain result held only as a quad texture. */
const heldAsQuads = (tensor: Tensor) => {
  const data = (tensor as unknown as { storage: { data: unknown } }).storage?.data;
  return data instanceof PendingStorage && data.quadsOnly;
};

describe.runIf(gpuReady)('four values per texel for chains a matmul consumes', () => {
  it('relu(x @ w + b) packed for the next product runs as quads and agrees with the cpu', () => {
    tidy(() => {
      const x = random([12, 20], 1);
      const w = random([20, 16], 2);
      const bias = random([16], 3);
      const v = random([16, 7], 4);
      const network = (a: Tensor, b: Tensor, c: Tensor, d: Tensor) => vane.relu(a.matmul(b).add(c)).matmul(d);
      const [xGpu, wGpu, biasGpu, vGpu] = [x, w, bias, v].map((tensor) => tensor.to('gpu'));
      const hidden = vane.relu(xGpu!.matmul(wGpu!).add(biasGpu!));
      const output = hidden.matmul(vGpu!);
      expect(heldAsQuads(hidden)).toBe(quadsAvailable());
      expectClose(network(x, w, bias, v), output, 'output');
      // The transposed pack (the weight gradient's left operand) reads the same quads.
      expectClose(
        vane
          .relu(x.matmul(w).add(bias))
          .transpose()
          .matmul(random([12, 5], 5)),
        hidden.transpose().matmul(random([12, 5], 5).to('gpu')),
        'transposed',
      );
      // A chain reads the quads (strided: transposed and broadcast), without converting them.
      expectClose(vane.relu(x.matmul(w).add(bias)).transpose().mul(2), hidden.transpose().mul(2), 'strided chain');
      expect(heldAsQuads(hidden)).toBe(quadsAvailable());
      // A reduction reads them in place too (gpu-backend.ts's quadsForReduction).
      expectClose(vane.sum(vane.relu(x.matmul(w).add(bias)), 0), vane.sum(hidden, 0), 'reduction');
      expect(heldAsQuads(hidden)).toBe(quadsAvailable());
      // Any other op (here a readback) converts them once; the values stay the same.
      expectClose(vane.relu(x.matmul(w).add(bias)), hidden, 'hidden');
      expect(heldAsQuads(hidden)).toBe(false);
    });
  });

  it('weight updates read the previous update as quads over several steps', () => {
    tidy(() => {
      const x = random([8, 24], 6);
      let cpuWeight = random([24, 12], 7);
      let gpuWeight = cpuWeight.to('gpu');
      const xGpu = x.to('gpu');
      for (let step = 0; step < 4; step++) {
        const cpuGradient = x.transpose().matmul(x.matmul(cpuWeight));
        const gpuGradient = xGpu.transpose().matmul(xGpu.matmul(gpuWeight));
        cpuWeight = cpuWeight.sub(cpuGradient.mul(0.001));
        gpuWeight = gpuWeight.sub(gpuGradient.mul(0.001));
      }
      const product = xGpu.matmul(gpuWeight);
      expect(heldAsQuads(gpuWeight)).toBe(quadsAvailable());
      expectClose(x.matmul(cpuWeight), product, 'product');
      expectClose(cpuWeight, gpuWeight, 'weight');
    });
  });

  it('aligned, broadcast and transposed one-value operands in a quad chain agree with the cpu', () => {
    tidy(() => {
      const a = random([8, 12], 8);
      const row = random([12], 9);
      const other = random([12, 8], 10);
      const right = random([12, 6], 11);
      const chain = (p: Tensor, q: Tensor, r: Tensor) => vane.exp(p.add(q).mul(r.transpose()).mul(0.1)).sub(p);
      const [aGpu, rowGpu, otherGpu, rightGpu] = [a, row, other, right].map((tensor) => tensor.to('gpu'));
      const pendingChain = chain(aGpu!, rowGpu!, otherGpu!);
      resetGpuStats();
      const product = pendingChain.matmul(rightGpu!);
      expect(heldAsQuads(pendingChain)).toBe(quadsAvailable());
      expectClose(chain(a, row, other).matmul(right), product, 'product');
      expect(gpuStats().dispatches).toBeGreaterThan(0);
    });
  });

  it('the pack reads quads by texel, by lane and by value, and agrees with the cpu each way', () => {
    tidy(() => {
      // [6, 10]: 60 values, rows of 10: the pack reads by value (10 is not a multiple of 4),
      // the transposed pack too (stride 10); [8, 12] transposed: by lane (stride 12).
      for (const [rows, columns] of [
        [6, 10],
        [8, 12],
      ] as const) {
        const a = random([rows, columns], 20 + rows);
        const right = random([columns, 3], 21 + rows);
        const left = random([5, rows], 22 + rows);
        const chain = (x: Tensor) => x.mul(2).add(1);
        const aGpu = a.to('gpu');
        const pendingChain = chain(aGpu);
        expectClose(chain(a).matmul(right), pendingChain.matmul(right.to('gpu')), `product ${rows}x${columns}`);
        expect(heldAsQuads(pendingChain)).toBe(quadsAvailable());
        expectClose(
          chain(a).transpose().matmul(left.transpose()),
          pendingChain.transpose().matmul(left.to('gpu').transpose()),
          `transposed ${rows}x${columns}`,
        );
        expectClose(left.matmul(chain(a)), left.to('gpu').matmul(pendingChain), `right operand ${rows}x${columns}`);
      }
    });
  });

  it('a chain whose rows are not a multiple of four keeps one value per texel', () => {
    tidy(() => {
      const x = random([9, 10], 12);
      const w = random([10, 7], 13);
      const v = random([7, 5], 14);
      const hidden = vane.relu(x.to('gpu').matmul(w.to('gpu')));
      const product = hidden.matmul(v.to('gpu'));
      expect(heldAsQuads(hidden)).toBe(false);
      expectClose(vane.relu(x.matmul(w)).matmul(v), product, 'product');
    });
  });

  it('a quad result counts as one texture, converted or not, and frees both when released', () => {
    const before = gpuTextureCount();
    tidy(() => {
      const x = random([8, 8], 15).to('gpu');
      const hidden = x.mul(2).add(1);
      void x.matmul(hidden);
      expect(heldAsQuads(hidden)).toBe(quadsAvailable());
      const counted = gpuTextureCount();
      void hidden.dataSync();
      expect(gpuTextureCount()).toBe(counted);
    });
    expect(gpuTextureCount()).toBe(before);
  });
});
