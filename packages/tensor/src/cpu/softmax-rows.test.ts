/**
 * The CPU backend's one-call softmax and logSoftmax (softmax-rows.ts) against the composites
 * they replace, bit for bit: on the SIMD kernels and the scalar ones, on one and two kernel
 * threads, for row counts on both sides of the reductions' SIMD threshold and rows holding ±∞,
 * NaN and zeros of both signs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  defineKernel,
  div,
  exp,
  expand,
  expression as e,
  fusedMap,
  logSoftmaxGradient,
  mul,
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
  softmax,
  softmaxGradient,
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

/** x − max along the last axis, as the composites shift it. */
function shifted(x: Tensor): Tensor {
  const peak = max(x, -1, true);
  return sub(x, where(isFinite(peak), peak, 0));
}

/** logSoftmax's stabilised composite along the last axis, op by op. */
function composite(x: Tensor): Tensor {
  const centered = shifted(x);
  return sub(centered, log(sum(exp(centered), -1, true)));
}

/** softmax's stabilised composite along the last axis, op by op. */
function softmaxComposite(x: Tensor): Tensor {
  const e = exp(shifted(x));
  return div(e, sum(e, -1, true));
}

/** The gradients as autodiff's rules computed them before softmaxGradient: the sum, then fusedMap. */
const SOFTMAX_GRADIENT = defineKernel('test.softmaxGradient', { inputs: ['g', 'y', 's'] }, ({ g, y, s }) =>
  e.mul(y, e.sub(g, s)),
);
const LOG_SOFTMAX_GRADIENT = defineKernel('test.logSoftmaxGradient', { inputs: ['g', 'y', 's'] }, ({ g, y, s }) =>
  e.sub(g, e.mul(e.exp(y), s)),
);
function gradientComposite(log: boolean, g: Tensor, y: Tensor): Tensor {
  const s = sum(log ? g : mul(g, y), -1, true);
  return fusedMap(log ? LOG_SOFTMAX_GRADIENT : SOFTMAX_GRADIENT, [g, y, expand(s, g.shape)]);
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
    // rows longer than a vector block with a tail; a batch of three dimensions; just under
    // SOFTMAX_ROWS_MAXIMUM_VALUES; one above it (the composite's path: trivially equal); wide
    // rows; and the special values.
    randn([128, 10], { generator, std: 4 }),
    randn([3, 8], { generator }),
    randn([37, 13], { generator, std: 30 }),
    randn([2, 5, 9], { generator }),
    randn([409, 10], { generator }),
    randn([2000, 10], { generator }),
    randn([3, 700], { generator, std: 10 }),
    special,
  ];
}

describe('softmaxRows and logSoftmaxRows', () => {
  for (const mode of ['simd', 'scalar'] as const)
    for (const threads of [1, 2])
      it(`equals the composite bit for bit (${mode} kernels, ${threads} thread(s))`, async () => {
        setKernelMode(mode);
        setThreadCount(threads);
        await kernelThreadsReady();
        const generator = seed(6);
        for (const x of cases()) {
          const logY = logSoftmax(x, -1);
          const y = softmax(x, -1);
          expect(bits(logY)).toEqual(bits(composite(x)));
          expect(bits(y)).toEqual(bits(softmaxComposite(x)));
          const g = randn(x.shape as number[], { generator });
          expect(bits(logSoftmaxGradient(g, logY, -1))).toEqual(bits(gradientComposite(true, g, logY)));
          expect(bits(softmaxGradient(g, y, -1))).toEqual(bits(gradientComposite(false, g, y)));
        }
      });

  it('leaves float64, strided and middle-axis inputs to the composite, with the same results', () => {
    const x = randn([6, 7], { generator: seed(9) });
    const wide = x.transpose(0, 1);
    expect(bits(logSoftmax(wide, -1))).toEqual(bits(composite(wide)));
    expect(bits(softmax(wide, -1))).toEqual(bits(softmaxComposite(wide)));
    const y = randn([4, 6, 3], { generator: seed(10), dtype: 'float64' });
    expect(logSoftmax(y, -1).dtype).toBe('float64');
    expect([...(logSoftmax(y, 1).dataSync() as Float64Array)].every(Number.isFinite)).toBe(true);
  });
});
