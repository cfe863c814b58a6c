/**
 * simdGemm's two shortcuts: the whole depth packed up front and run as one parallel section,
 * and C accumulated straight into the output (no copy out) when its padded layout is the
 * output's own. Each is checked against a plain float64 triple loop, on one and two threads,
 * with plain and transposed operands and in a batch (where the output offset moves).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { kernelInfo, kernelThreadsReady, matmul, randn, seed, setThreadCount, transpose, zeros } from '../index.js';
import type { Tensor } from '../tensor.js';
import { simdKernels } from './kernel-runtime.js';

const SIMD_OFF = simdKernels() === undefined;
const initialThreads = kernelInfo().threads.requested;
afterEach(() => setThreadCount(initialThreads));

/** C = A·B for row-major float64 copies of the operands, batch by batch. */
function referenceProduct(a: Tensor, b: Tensor): Float64Array {
  const [batches, m, k] = a.ndim === 3 ? (a.shape as number[]) : [1, ...(a.shape as number[])];
  const n = b.shape[b.ndim - 1]!;
  const aValues = Float64Array.from(a.contiguous().dataSync() as Float32Array);
  const bValues = Float64Array.from(b.contiguous().dataSync() as Float32Array);
  const out = new Float64Array(batches! * m! * n);
  for (let batch = 0; batch < batches!; batch++)
    for (let i = 0; i < m!; i++)
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let p = 0; p < k!; p++)
          total += aValues[(batch * m! + i) * k! + p]! * bValues[(b.ndim === 3 ? batch * k! * n : 0) + p * n + j]!;
        out[(batch * m! + i) * n + j] = total;
      }
  return out;
}

/** Every |actual − expected| within the float32 accumulation bound k·ε·Σ|a·b|, taking Σ|a·b| ≤ k. */
function expectClose(actual: Tensor, expected: Float64Array, k: number): void {
  const values = actual.dataSync() as Float32Array;
  expect(values.length).toBe(expected.length);
  // randn operands: the terms |a·b| have mean 2/π ≈ 0.64, so Σ|a·b| ≈ 0.64·k < k. A wrong
  // element (a block missed or added twice) is off by about √k, far above this.
  const bound = k * 2 ** -23 * k;
  let worst = 0;
  for (let index = 0; index < values.length; index++)
    worst = Math.max(worst, Math.abs(values[index]! - expected[index]!));
  expect(worst).toBeLessThan(bound);
}

describe('simdGemm', () => {
  it.skipIf(SIMD_OFF)(
    'runs a product deeper than one depth block in one parallel section, with the right result',
    async () => {
      setThreadCount(2);
      const info = await kernelThreadsReady();
      expect(info.active).toBe(2);
      const generator = seed(11);
      // The MLP's first layer: k = 784 is four depth blocks of 256 (the last 16 deep).
      const a = randn([128, 784], { generator });
      const b = randn([784, 256], { generator });
      const before = kernelInfo().threads.parallelCalls;
      const product = matmul(a, b);
      // One section for the four blocks (before: one section per block, four).
      expect(kernelInfo().threads.parallelCalls - before).toBe(1);
      expectClose(product, referenceProduct(a, b), 784);
    },
    60_000,
  );

  for (const threads of [1, 2]) {
    it.skipIf(SIMD_OFF)(
      `gives the float64 product for plain and transposed operands on ${threads} thread(s)`,
      async () => {
        setThreadCount(threads);
        await kernelThreadsReady();
        const generator = seed(12 + threads);
        // m and n multiples of the 4×8 tile (C written straight into the output) and not (C copied
        // out); operands packed by vector copies, by 4×4 transposes and by the scalar pack.
        for (const [m, k, n] of [
          [128, 784, 256],
          [256, 128, 256],
          [784, 128, 256],
          [130, 300, 21],
          // Depth blocks of 256 + 45: packing by 4×4 transposes leaves a tail of one depth step.
          [132, 301, 24],
          [133, 301, 19],
          [128, 256, 10],
          // Large enough to split over two threads with a partial last B panel: the section's
          // first chunks pack B (runColumnPackShare), the last panel 5 or 3 columns wide.
          [260, 301, 21],
          [264, 520, 35],
        ] as const) {
          const a = randn([m, k], { generator });
          const b = randn([k, n], { generator });
          const expected = referenceProduct(a, b);
          expectClose(matmul(a, b), expected, k);
          // Aᵀ·B and A·Bᵀ as the gradients of a layer read them: transposed views, no copy.
          const aTransposed = transpose(a.contiguous().transpose(0, 1).contiguous(), 0, 1);
          const bTransposed = transpose(b.contiguous().transpose(0, 1).contiguous(), 0, 1);
          expectClose(matmul(aTransposed, b), expected, k);
          expectClose(matmul(a, bTransposed), expected, k);
        }
      },
    );
  }

  for (const threads of [1, 2]) {
    it.skipIf(SIMD_OFF)(`overwrites whatever the output's memory held before on ${threads} thread(s)`, async () => {
      setThreadCount(threads);
      await kernelThreadsReady();
      const generator = seed(30 + threads);
      const a = randn([128, 784], { generator });
      const b = randn([784, 256], { generator });
      const zero = zeros([784, 256]);
      // Each product's storage is recycled for the next of its size: a kernel that added to C
      // instead of storing its first depth block would leave the earlier product's values.
      for (let round = 0; round < 3; round++) {
        matmul(a, b).dispose();
        const product = matmul(a, zero);
        expect((product.dataSync() as Float32Array).every((value) => value === 0)).toBe(true);
        product.dispose();
      }
    });
  }

  it.skipIf(SIMD_OFF)('packs B inside the section to the same bits as on one thread', async () => {
    const generator = seed(40);
    const cases = [
      [128, 784, 256],
      [264, 520, 35],
    ].map(([m, k, n]) => ({ a: randn([m!, k!], { generator }), b: randn([k!, n!], { generator }) }));
    const run = () =>
      cases.flatMap(({ a, b }) => {
        const bTransposed = transpose(b.contiguous().transpose(0, 1).contiguous(), 0, 1);
        return [matmul(a, b), matmul(a, bTransposed)].map((product) => [...(product.dataSync() as Float32Array)]);
      });
    setThreadCount(1);
    await kernelThreadsReady();
    const single = run();
    setThreadCount(2);
    await kernelThreadsReady();
    const before = kernelInfo().threads.parallelCalls;
    const threaded = run();
    // Every product ran as one parallel section (B packed inside it), with the same bits.
    expect(kernelInfo().threads.parallelCalls - before).toBe(4);
    expect(threaded).toEqual(single);
  });

  it.skipIf(SIMD_OFF)('runs a narrow product transposed (Cᵀ = Bᵀ·Aᵀ) with the bits of the direct form', () => {
    const generator = seed(50);
    // [128, 256]·[256, 10] and [256, 128]·[128, 10] (the MLP's last layer) pad n = 10 to 16 tile
    // columns and run as Bᵀ·Aᵀ; Bᵀ·Aᵀ itself (m = 10) runs directly, so its transpose is the
    // direct form's result. Also a batch, where the output offset moves.
    for (const [m, k, n] of [
      [128, 256, 10],
      [256, 128, 10],
      [133, 301, 19],
    ] as const) {
      const a = randn([m, k], { generator });
      const b = randn([k, n], { generator });
      const direct = matmul(transpose(b, 0, 1), transpose(a, 0, 1))
        .transpose(0, 1)
        .contiguous();
      expect([...(matmul(a, b).dataSync() as Float32Array)]).toEqual([...(direct.dataSync() as Float32Array)]);
    }
    const a = randn([3, 128, 64], { generator });
    const b = randn([3, 64, 10], { generator });
    expectClose(matmul(a, b), referenceProduct(a, b), 64);
  });

  it.skipIf(SIMD_OFF)('writes each batch of a batched product into its own block of the output', async () => {
    setThreadCount(2);
    await kernelThreadsReady();
    const generator = seed(21);
    const a = randn([3, 64, 300], { generator });
    const b = randn([3, 300, 128], { generator });
    expectClose(matmul(a, b), referenceProduct(a, b), 300);
  });
});
