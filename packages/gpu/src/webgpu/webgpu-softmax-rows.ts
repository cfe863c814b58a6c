/**
 * softmax, logSoftmax and their closed-form gradients along the last axis on the `webgpu`
 * backend in one dispatch, for rows of up to {@link SOFTMAX_ROW_LIMIT} values (a classifier's
 * logits): one thread per row finds the row's maximum, sums its exponentials and writes the
 * row's outputs.
 *
 * Why: the ops' composites take a dispatch per step (logSoftmax: the maximum, isFinite, where,
 * the shift and exp, the sum, log and the subtraction; its gradient a sum and a fused pass), and
 * a dispatch costs about 0.2 ms on SwiftShader however small its tensor. One thread per row
 * reads its row three times, which pays only for short rows; longer rows take the composites,
 * whose reductions spread a row over a workgroup.
 *
 * The arithmetic is the composites': the maximum with NaN winning, a shift by 0 where the
 * maximum is not finite (a row of −∞ stays −∞), e^(x − shift) summed in row order, then
 * (x − shift) − log(sum) or e^(x − shift) / sum, all in f32 through wgsl-expression.ts's exp
 * and log (NaN, 0 and −∞ as JavaScript has them); results differ from the composites only by
 * the order of the sum.
 */
import { sizeOf, type TensorView } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { createStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
import { WGSL_MATH } from './wgsl-expression.js';
import { stridedPositions, stridedWalk } from './wgsl-strided.js';

/** The longest row computed by one thread (longer rows run the composites). */
export const SOFTMAX_ROW_LIMIT = 256;

/** True where rows of `view` are computed here: float32, 1…limit values per row. */
function rowsFit(view: TensorView): boolean {
  const columns = view.shape[view.shape.length - 1];
  return view.dtype === 'float32' && columns !== undefined && columns >= 1 && columns <= SOFTMAX_ROW_LIMIT;
}

/**
 * The walk over the rows of `views` (all of one shape): the views without their last axis, whose
 * positions (`at0`, `at1`, …) are each row's first value; each view's last-axis stride follows
 * the walk's integers in `dims`, then the row length.
 */
function rowWalk(views: readonly TensorView[]): { rank: number; meta: number[]; rows: number; columns: number } {
  const shape = views[0]!.shape;
  const outer = shape.slice(0, -1);
  const walk = stridedWalk(
    outer,
    views.map((view) => ({ ...view, shape: outer, strides: view.strides.slice(0, -1) })),
  );
  return {
    rank: walk.rank,
    meta: [...walk.meta, ...views.map((view) => view.strides[view.strides.length - 1]!), shape[shape.length - 1]!],
    rows: sizeOf(outer),
    columns: shape[shape.length - 1]!,
  };
}

/**
 * softmax or logSoftmax of `x` along its last axis in one dispatch, or undefined where the rows
 * are longer than {@link SOFTMAX_ROW_LIMIT} or `x` is not float32 (the op then runs its composite).
 */
export function softmaxRows(kind: 'softmax' | 'logSoftmax', x: TensorView): WebGpuStorage | undefined {
  if (!rowsFit(x)) return undefined;
  const op = `${kind}Rows`;
  const out = createStorage('float32', sizeOf(x.shape), op);
  const walk = rowWalk([x]);
  if (walk.rows === 0) return out;
  // dims: thread count, the walk (rank + rank + 1 integers), x's column stride, the row length.
  const strideAt = 1 + walk.rank + (walk.rank + 1);
  const source = cachedSource(`${op}|${walk.rank}`, () =>
    [
      bindingDeclarations(op, ['float32'], ['float32']),
      WGSL_MATH,
      threadKernel(`${stridedPositions(walk.rank, 1)}
  let columnStride = dims[${strideAt}];
  let columns = dims[${strideAt + 1}];
  var peak = in0[at0];
  for (var column = 1; column < columns; column++) {
    let value = in0[at0 + column * columnStride];
    if (value > peak || vaneIsNaN(value)) { peak = value; }
  }
  // Shift by the maximum only where it is finite (checked by its bits): a row of −∞ stays −∞.
  var shift = peak;
  if ((bitcast<u32>(peak) & 0x7f800000u) == 0x7f800000u) { shift = 0.0; }
  var total = 0.0;
  for (var column = 0; column < columns; column++) {
    total += vaneExp(in0[at0 + column * columnStride] - shift);
  }
  let first = i32(thread) * columns;
  for (var column = 0; column < columns; column++) {
    let centered = in0[at0 + column * columnStride] - shift;
    out0[first + column] = ${kind === 'softmax' ? 'vaneExp(centered) / total' : 'centered - vaneLog(total)'};
  }`),
    ].join('\n'),
  );
  dispatchThreads(op, source, [viewStorage(x)], [out], walk.rows, walk.meta);
  return out;
}

/**
 * The closed-form gradient of softmax (y ⊙ (g − Σ g⊙y)) or logSoftmax (g − e^y · Σ g) along the
 * last axis in one dispatch, or undefined where the rows are longer than
 * {@link SOFTMAX_ROW_LIMIT} or the views are not float32.
 */
export function softmaxGradientRows(
  kind: 'softmax' | 'logSoftmax',
  g: TensorView,
  y: TensorView,
): WebGpuStorage | undefined {
  if (!rowsFit(y) || g.dtype !== 'float32') return undefined;
  const op = `${kind}GradientRows`;
  const out = createStorage('float32', sizeOf(y.shape), op);
  const walk = rowWalk([g, y]);
  if (walk.rows === 0) return out;
  // dims: thread count, the walk (rank + 2·(rank + 1) integers), g's and y's column strides, the row length.
  const strideAt = 1 + walk.rank + 2 * (walk.rank + 1);
  const gradient = 'in0[at0 + column * gStride]';
  const output = 'in1[at1 + column * yStride]';
  const source = cachedSource(`${op}|${walk.rank}`, () =>
    [
      bindingDeclarations(op, ['float32', 'float32'], ['float32']),
      WGSL_MATH,
      threadKernel(`${stridedPositions(walk.rank, 2)}
  let gStride = dims[${strideAt}];
  let yStride = dims[${strideAt + 1}];
  let columns = dims[${strideAt + 2}];
  var total = 0.0;
  for (var column = 0; column < columns; column++) {
    total += ${kind === 'softmax' ? `${gradient} * ${output}` : gradient};
  }
  let first = i32(thread) * columns;
  for (var column = 0; column < columns; column++) {
    out0[first + column] = ${kind === 'softmax' ? `${output} * (${gradient} - total)` : `${gradient} - vaneExp(${output}) * total`};
  }`),
    ].join('\n'),
  );
  dispatchThreads(op, source, [viewStorage(g), viewStorage(y)], [out], walk.rows, walk.meta);
  return out;
}
