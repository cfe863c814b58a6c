/**
 * matmul's packed operands kept with a plain storage (src/pack-cache.ts): a tensor multiplied
 * again in the same layout is not packed again, every layout of one storage still agrees with
 * the cpu, a chain's result is packed afresh, and releasing the storage frees what was kept.
 */
import * as vane from '@vane/tensor';
import { dispose, matmul, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, gpuTextureCount, resetGpuStats } from '../src/index.js';
import { cachedPackCount } from '../src/pack-cache.js';
import { gpuReady } from './gpu-availability.js';
import { expectCloseToCpu } from './support/expect-close.js';

/** The packed matmul's tolerance against the cpu (packed-matmul.test.ts). */
const TOLERANCE = { absolute: 1e-4, relative: 1e-4 };
const expectClose = (cpu: Tensor, gpu: Tensor, label: string) => expectCloseToCpu(cpu, gpu, label, TOLERANCE);
const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

/** Dispatches of `run`, whose result is disposed. */
function dispatchesOf(run: () => Tensor): number {
  resetGpuStats();
  dispose(run());
  return gpuStats().dispatches;
}

describe.runIf(gpuReady)('pack cache', () => {
  it('packs a plain storage once per layout: the second product of the same operands runs only the product', () => {
    const a = random([32, 40], 1).to('gpu');
    const b = random([40, 24], 2).to('gpu');
    const before = cachedPackCount();
    const first = dispatchesOf(() => matmul(a, b));
    const second = dispatchesOf(() => matmul(a, b));
    // Two packs fewer: both operands are plain storages.
    expect(second).toBe(first - 2);
    expect(cachedPackCount()).toBe(before + 2);
    dispose([a, b]);
    expect(cachedPackCount()).toBe(before);
  });

  it('every layout of one storage (itself, transposed, sliced, both operands at once) agrees with the cpu, twice', () => {
    tidy(() => {
      const cpu = random([36, 36], 3);
      const gpu = cpu.to('gpu');
      const cases: [string, (x: Tensor) => Tensor][] = [
        ['x @ x', (x) => matmul(x, x)],
        ['x @ xT', (x) => matmul(x, x.transpose())],
        ['xT @ x', (x) => matmul(x.transpose(), x)],
        ['slice @ x', (x) => matmul(vane.slice(x, [{ start: 3, stop: 20 }]), x)],
        ['x @ slice', (x) => matmul(x, vane.slice(x, [{}, { start: 5, stop: 31 }]))],
      ];
      for (let round = 0; round < 2; round++)
        for (const [label, product] of cases) expectClose(product(cpu), product(gpu), `${label}, round ${round}`);
    });
  });

  it('packs the result of a pending chain afresh for every product (no stale pack of a chain)', () => {
    tidy(() => {
      const a = random([16, 20], 4);
      const b = random([20, 12], 5);
      const gpuA = a.to('gpu');
      const gpuB = b.to('gpu');
      for (const scale of [1, 2, 3]) {
        expectClose(matmul(a.mul(scale), b), matmul(gpuA.mul(scale), gpuB), `(a * ${scale}) @ b`);
      }
    });
  });

  it('a released storage frees its packs: repeated products of fresh operands keep the texture count', () => {
    const step = () =>
      tidy(() => {
        const a = random([24, 28], 6).to('gpu');
        const b = random([28, 16], 7).to('gpu');
        void matmul(a, b).add(matmul(a, b)).dataSync();
      });
    const before = cachedPackCount();
    const textures = gpuTextureCount();
    step();
    step();
    expect(cachedPackCount()).toBe(before);
    expect(gpuTextureCount()).toBe(textures);
  });
});
