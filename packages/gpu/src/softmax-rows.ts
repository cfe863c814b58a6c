/**
 * softmax, logSoftmax and their closed-form gradients along the last axis on the gpu backend in
 * one dispatch, for rows of a few values (a classifier's logits): each fragment computes one
 * output and reads its whole row, finding the row's maximum and sum itself.
 *
 * Why: the ops' composites take a dispatch per step (logSoftmax: the maximum, isFinite, where,
 * the shift and exp, the sum, log, the last subtraction; its gradient: a sum and a fused pass).
 * On llvmpipe every dependent dispatch costs about 0.2 ms however small its texture (the
 * rasteriser threads are woken and waited for: 0.25 ms per dispatch of a [128, 10] sum against
 * 0.09 ms with LP_NUM_THREADS=0), which on the MLP step's [128, 10] logits is most of the time
 * of those eight kernels. Reading a row per fragment repeats the row's reads `columns` times,
 * which pays only for short rows: {@link SOFTMAX_ROW_LIMIT}.
 *
 * The arithmetic is the composites': the maximum with NaN winning, a shift by 0 where the
 * maximum is not finite (a row of −∞ stays −∞), e^(x − shift) summed in row order, then
 * (x − shift) − log(sum) or e^(x − shift) / sum, all in float32, so the results differ from the
 * composites' only by the order of the sum (the composite's sum is also a sequential loop for
 * rows up to the reduction fan-in).
 */
import { sizeOf, type TensorView } from '@vane/tensor';
import { define } from './kernel-definition.js';
import { coordinates, names, position, viewArguments, viewParameters } from './index-arithmetic.js';
import { runKernel } from './kernel-runner.js';
import { EMPTY, result, textureOf, type GpuStorage } from './storage.js';

/**
 * The longest row computed in one dispatch: each of a row's fragments reads it twice (three
 * times for a gradient), so a row of 64 values costs 128 reads per output, about what a
 * product's fragment reads over a depth of 64; longer rows take the composites.
 */
export const SOFTMAX_ROW_LIMIT = 64;

/** True where a view of `shape` and `dtype` is computed here: float32, rows of 1…limit values. */
function rowsFit(view: TensorView): boolean {
  const columns = view.shape[view.shape.length - 1];
  return view.dtype === 'float32' && columns !== undefined && columns >= 1 && columns <= SOFTMAX_ROW_LIMIT;
}

/**
 * The GLSL-bound JavaScript declaring `shift`: the maximum of the row of the current output in
 * view `name` (NaN winning, as the composite's max), or 0 where it is not finite. Finite is
 * written as the isFinite op writes it on the gpu: not NaN and not x·2 = x ≠ 0 (x − x = 0 is
 * folded to true by GLSL compilers).
 */
function rowShift(name: string, rank: number, last: number): string {
  // gpu.js declares loop variables in the function's scope: this loop's has a name of its own.
  return `let peak = ${name}[${position(name, rank, { [last]: '0.0' })}];
  for (let peakColumn = 1; peakColumn < d${last}; peakColumn++) {
    const value = ${name}[${position(name, rank, { [last]: 'peakColumn' })}];
    if (value > peak || value !== value) {
      peak = value;
    }
  }
  let shift = peak;
  if (peak !== peak || (peak !== 0.0 && peak * 2.0 === peak)) {
    shift = 0.0;
  }`;
}

/**
 * softmax or logSoftmax of `x` along its last axis in one dispatch, or undefined where the rows
 * are longer than {@link SOFTMAX_ROW_LIMIT} or `x` is not float32 (the op then runs its composite).
 */
export function softmaxRowsOnGpu(kind: 'softmax' | 'logSoftmax', x: TensorView): GpuStorage | undefined {
  if (!rowsFit(x)) return undefined;
  const size = sizeOf(x.shape);
  if (size === 0) return EMPTY();
  const rank = x.shape.length;
  const last = rank - 1;
  const body = `${coordinates(rank)}
  ${rowShift('x', rank, last)}
  let total = 0.0;
  for (let column = 0; column < d${last}; column++) {
    total += Math.exp(x[${position('x', rank, { [last]: 'column' })}] - shift);
  }
  const centered = x[${position('x', rank)}] - shift;
  return ${kind === 'softmax' ? 'Math.exp(centered) / total' : 'centered - Math.log(total)'};`;
  const texture = runKernel(
    `${kind}Rows/rank${rank}`,
    () => define(['x', ...viewParameters('x', rank), ...names('d', rank)], body),
    size,
    [textureOf(x), ...viewArguments(x), ...x.shape],
  );
  return result(texture, size);
}

/**
 * The closed-form gradient of softmax (y ⊙ (g − Σ g⊙y)) or logSoftmax (g − e^y · Σ g) along the
 * last axis in one dispatch, or undefined where the rows are longer than
 * {@link SOFTMAX_ROW_LIMIT} or the views are not float32.
 */
export function softmaxGradientRowsOnGpu(
  kind: 'softmax' | 'logSoftmax',
  g: TensorView,
  y: TensorView,
): GpuStorage | undefined {
  if (!rowsFit(y) || g.dtype !== 'float32') return undefined;
  const size = sizeOf(y.shape);
  if (size === 0) return EMPTY();
  const rank = y.shape.length;
  const last = rank - 1;
  const row = (name: string) => `${name}[${position(name, rank, { [last]: 'column' })}]`;
  // Each product rounded to float32 before it is added, as the composite's mul then sum.
  const term = kind === 'softmax' ? `${row('g')} * ${row('y')}` : row('g');
  const gradient = `g[${position('g', rank)}]`;
  const output = `y[${position('y', rank)}]`;
  const body = `${coordinates(rank)}
  let total = 0.0;
  for (let column = 0; column < d${last}; column++) {
    total += ${term};
  }
  return ${kind === 'softmax' ? `${output} * (${gradient} - total)` : `${gradient} - Math.exp(${output}) * total`};`;
  const texture = runKernel(
    `${kind}GradientRows/rank${rank}`,
    () => define(['g', ...viewParameters('g', rank), 'y', ...viewParameters('y', rank), ...names('d', rank)], body),
    size,
    [textureOf(g), ...viewArguments(g), textureOf(y), ...viewArguments(y), ...y.shape],
  );
  return result(texture, size);
}
