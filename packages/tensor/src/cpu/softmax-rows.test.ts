/**
 * The CPU backend's one-call logSoftmax (log-softmax-rows.ts) against the eight-op composite it
 * replaces, bit for bit: on the SIMD kernels and the scalar ones, on one and two kernel threads,
 * for row counts on both sides of the reductions' SIMD threshold, storages in and out of the
 * kernel heap, and rows holding ±∞, NaN and zeros of both signs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  exp,
  isFinite,
  kernelInfo,
  kernelThreadsReady,
  log,
  logSoftmax,
  max,
  randn,
  seed,
  setKernelMode,
  setThreadCount,
  sub,
  sum,
  tensor,
  where,
  type Tensor,
} from '../index.js';

const initialThreads = kernelInfo().threads.requested;
afterEach(() => {
  setKernelMode('simd');
  setThreadCount(initialThreads);
});

/** logSoftmax's stabilised composite along the last axis, op by op. */
function composite(x: Tensor): Tensor {
  const peak = max(x, -1, true);
  const centered = sub(x, where(isFinite(peak), peak, 0));
  return sub(centered, log(sum(exp(centered), -1, true)));
}

/** The float32 values' bit patterns, so that NaN, −0 and +0 compare exactly. */
const bits = (x: Tensor) => [...new Uint32Array((x.dataSync() as Float32Array).slice().buffer)];

function cases(): Tensor[] {
  const generator = seed(5);
  const special = tensor(
    [
      [Infinity, 1, 2, 3],
      [-Infinity, -Infinity, -Infinity, -Infinity],
      [NaN, 0, 1, 2],
      [-0, 0, -0, -1],
      [0, -0, -5, -7],
      [-Infinity, 3, 4, -Infinity],
    ],
    { dtype: 'float32' },
  );
  return [
    // The MLP step's logits; a row count under the reductions' SIMD threshold (24 values);
    // rows longer than a vector block with a tail; a batch of three dimensions; a storage in
    // the kernel heap (20 000 values); wide rows; and the special values.
    randn([128, 10], { generator, std: 4 }),
    randn([3, 8], { generator }),
    randn([37, 13], { generator, std: 30 }),
    randn([2, 5, 9], { generator }),
    randn([2000, 10], { generator }),
    randn([3, 700], { generator, std: 10 }),
    special,
  ];
}

describe('logSoftmaxRows', () => {
  for (const mode of ['simd', 'scalar'] as const)
    for (const threads of [1, 2])
      it(`equals the composite bit for bit (${mode} kernels, ${threads} thread(s))`, async () => {
        setKernelMode(mode);
        setThreadCount(threads);
        await kernelThreadsReady();
        for (const x of cases()) expect(bits(logSoftmax(x, -1))).toEqual(bits(composite(x)));
      });

  it('leaves float64, strided and middle-axis inputs to the composite, with the same results', () => {
    const x = randn([6, 7], { generator: seed(9) });
    const wide = x.transpose(0, 1);
    expect(bits(logSoftmax(wide, -1))).toEqual(bits(composite(wide)));
    const y = randn([4, 6, 3], { generator: seed(10), dtype: 'float64' });
    expect(logSoftmax(y, -1).dtype).toBe('float64');
    expect([...(logSoftmax(y, 1).dataSync() as Float64Array)].every(Number.isFinite)).toBe(true);
  });
});
