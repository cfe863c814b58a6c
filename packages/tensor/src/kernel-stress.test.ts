/**
 * The threaded kernels under concurrency (kernel-stress.ts), bounded to a few seconds, and the
 * thread pool's settings and fallbacks. The long version: `npm run stress -w benchmarks`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  defineKernel,
  expression as e,
  fusedMap,
  kernelInfo,
  kernelThreadsReady,
  matmul,
  memory,
  randn,
  seed,
  setKernelMode,
  setThreadCount,
} from './index.js';
import { runKernelStress } from './kernel-stress.js';
import { threadInfo } from './wasm/thread-pool.js';
import { simdKernels } from './wasm/kernel-runtime.js';

// Under VANE_KERNELS=scalar (or setKernelMode('scalar')) there are no SIMD kernels to check.
const SIMD_OFF = simdKernels() === undefined;

const initialThreads = kernelInfo().threads.requested;
afterEach(() => {
  setKernelMode('simd');
  setThreadCount(initialThreads);
});

describe('threaded kernels', () => {
  it.skipIf(SIMD_OFF)(
    'agree with the scalar kernel on random products and convolutions while tasks interleave',
    async () => {
      const before = memory().numTensors;
      // At least 3 checks of each kind however loaded the machine is (a fixed count within the 3 s
      // was not reached once under a load of 10 on 2 cores).
      const report = await runKernelStress({ durationMilliseconds: 3000, seed: Date.now() % 100_000, minimumEach: 3 });
      console.log(
        `kernel stress: ${report.products} products, ${report.convolutions} convolutions, ${report.fusedMaps} fusedMap calls, ${report.reductions} reductions, ${report.parallelCalls} parallel kernel calls on ${report.threads} threads`,
      );
      expect(report.failures).toEqual([]);
      expect(report.threads).toBe(2);
      expect(report.products).toBeGreaterThanOrEqual(3);
      expect(report.convolutions).toBeGreaterThanOrEqual(3);
      expect(report.fusedMaps).toBeGreaterThanOrEqual(3);
      expect(report.reductions).toBeGreaterThanOrEqual(3);
      // The threaded path really ran (shapes above the threshold are split over the threads).
      expect(report.parallelCalls).toBeGreaterThan(0);
      expect(memory().numTensors).toBe(before);
    },
    60_000,
  );

  it.skipIf(SIMD_OFF)(
    'splits a large product over the threads and gives the single-thread result',
    async () => {
      const generator = seed(5);
      const a = randn([301, 257], { generator });
      const b = randn([257, 190], { generator });
      setThreadCount(1);
      const single = matmul(a, b).dataSync();
      setThreadCount(2);
      expect((await kernelThreadsReady()).active).toBe(2);
      const calls = kernelInfo().threads.parallelCalls;
      const threaded = matmul(a, b).dataSync();
      expect(kernelInfo().threads.parallelCalls).toBeGreaterThan(calls);
      // Each output row is computed by one thread with the same kernel and order: bit-identical.
      expect(threaded).toEqual(single);
    },
    30_000,
  );

  it.skipIf(SIMD_OFF)(
    'splits a large fusedMap over the threads and gives the single-thread result bit for bit',
    async () => {
      const kernel = defineKernel(
        'test.threadedAffine',
        { inputs: ['x', 'y'], scalars: ['scale'] },
        ({ x, y, scale }) => e.add(e.mul(scale, e.sqrt(e.abs(x))), y),
      );
      const generator = seed(9);
      const inputs = [randn([300_001], { generator }), randn([300_001], { generator })];
      setThreadCount(1);
      const single = fusedMap(kernel, inputs, [0.3]).dataSync();
      setThreadCount(2);
      expect((await kernelThreadsReady()).active).toBe(2);
      const calls = kernelInfo().threads.parallelCalls;
      const threaded = fusedMap(kernel, inputs, [0.3]).dataSync();
      expect(kernelInfo().threads.parallelCalls).toBe(calls + 1);
      expect(threaded).toEqual(single);
      // A small call stays on the calling thread.
      fusedMap(kernel, [randn([100], { generator }), randn([100], { generator })], [0.3]);
      expect(kernelInfo().threads.parallelCalls).toBe(calls + 1);
    },
    30_000,
  );

  it.skipIf(SIMD_OFF)(
    'lets the worker threads run chunks, not only the calling thread (kernelInfo().threads.workerChunks)',
    async () => {
      const generator = seed(13);
      const a = randn([256, 256], { generator });
      const b = randn([256, 256], { generator });
      setThreadCount(2);
      expect((await kernelThreadsReady()).active).toBe(2);
      const before = kernelInfo().threads.workerChunks;
      // A worker the scheduler parks may find every chunk claimed already; a few calls suffice.
      for (let calls = 0; calls < 50 && kernelInfo().threads.workerChunks === before; calls++) matmul(a, b).dataSync();
      expect(kernelInfo().threads.workerChunks).toBeGreaterThan(before);
    },
    30_000,
  );

  it('reports the thread count, one thread when asked, and rejects a bad count', () => {
    setThreadCount(1);
    expect(kernelInfo().threads).toEqual({
      requested: 1,
      active: 1,
      parallelCalls: kernelInfo().threads.parallelCalls,
      workerChunks: kernelInfo().threads.workerChunks,
    });
    setKernelMode('scalar');
    setThreadCount(3);
    expect(kernelInfo().threads).toMatchObject({
      requested: 3,
      active: 1,
      reason: 'the SIMD kernels are not in use: one thread',
    });
    for (const bad of [0, 1.5, -2, Number.NaN])
      expect(() => setThreadCount(bad)).toThrow(`setThreadCount: 'count' must be an integer ≥ 1, got ${bad}`);
  });

  it('falls back to one thread, saying why, where the kernel memory is not shared', () => {
    setThreadCount(2);
    const unshared = new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    expect(threadInfo(module, unshared)).toMatchObject({
      requested: 2,
      active: 1,
      reason: 'SharedArrayBuffer is unavailable (a page without cross-origin isolation): one thread',
    });
  });
});
