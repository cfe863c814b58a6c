/**
 * softmax and logSoftmax along an axis, computed stably (shifted by the maximum) and recorded
 * as single ops so their gradients are the compact closed forms.
 */
import { isFloatingDType } from '../dtype.js';
import { recordOp, withoutRecording } from '../engine.js';
import { normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { zeros } from './creation.js';
import { div, mul, sub, where } from './elementwise.js';
import { exp, isFinite, log } from './unary-ops.js';
import { checkTensor, wrapStorage } from './internal.js';
import { logSoftmaxRows, SOFTMAX_ROWS_MAXIMUM_VALUES, softmaxGradientRows, softmaxRows } from '../cpu/softmax-rows.js';
import * as e from '../kernels/expression/builder.js';
import { defineKernel } from '../kernels/expression/define-kernel.js';
import { fusedMap } from './fused.js';
import { expand } from './movement.js';
import { max, sum } from './reduction.js';

/**
 * softmax over an empty axis: an empty tensor of x's shape, as PyTorch (there is nothing to
 * normalise, and the maximum used for the shift does not exist). Recorded so that a gradient
 * (also empty) still reaches x.
 */
function emptyResult(op: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  const out = zeros(x.shape, { dtype: x.dtype, backend: x.backend.name });
  return recordOp(op, [x], out, { axis });
}

function shifted(x: Tensor, axis: number): Tensor {
  const peak = max(x, axis, true);
  // A row of −∞ would give NaN from −∞ − (−∞); shifting it by 0 keeps it −∞.
  return sub(x, where(isFinite(peak), peak, 0));
}

/**
 * The CPU backend's one-call softmax or logSoftmax (`rows`: cpu/softmax-rows.ts, bit for bit
 * the composite) where x is a small float32 tensor (`SOFTMAX_ROWS_MAXIMUM_VALUES`) with
 * contiguous rows along the last axis, else undefined.
 */
function cpuRows(x: Tensor, axis: number, rows: typeof softmaxRows): Tensor | undefined {
  if (x.backend.name !== 'cpu' || x.dtype !== 'float32' || axis !== x.ndim - 1) return undefined;
  if (x.size >= SOFTMAX_ROWS_MAXIMUM_VALUES) return undefined;
  const view = x.view();
  if (!(view.data instanceof Float32Array)) return undefined;
  // Row-major without gaps (axes of size 1 may have any stride).
  let expected = 1;
  for (let dimension = x.ndim - 1; dimension >= 0; dimension--) {
    if (view.shape[dimension] !== 1 && view.strides[dimension] !== expected) return undefined;
    expected *= view.shape[dimension]!;
  }
  const columns = x.shape[axis]!;
  const data = rows(view.data, view.offset, x.size / columns, columns);
  return wrapStorage(x.backend, data, x.shape, 'float32');
}

/**
 * softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m) with m = max x, along `axis` (the last by default).
 *
 * @example
 * softmax(tensor([1, 2, 3])) // [0.0900, 0.2447, 0.6652]
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor('softmax', 'x', x);
  if (!isFloatingDType(x.dtype)) throw new Error(`softmax: 'x' must be float32 or float64, got ${x.dtype}`);
  const normalized = normalizeAxis('softmax', axis, x.ndim, x.shape);
  if (x.shape[normalized] === 0) return emptyResult('softmax', x, normalized);
  const out =
    cpuRows(x, normalized, softmaxRows) ??
    withoutRecording(() =>
      composite(() => {
        const e = exp(shifted(x, normalized));
        return div(e, sum(e, normalized, true));
      }),
    );
  return recordOp('softmax', [x], out, { axis: normalized });
}

/** log softmax(x) = (x − m) − log Σ e^(x − m), along `axis` (the last by default). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor('logSoftmax', 'x', x);
  if (!isFloatingDType(x.dtype)) throw new Error(`logSoftmax: 'x' must be float32 or float64, got ${x.dtype}`);
  const normalized = normalizeAxis('logSoftmax', axis, x.ndim, x.shape);
  if (x.shape[normalized] === 0) return emptyResult('logSoftmax', x, normalized);
  const out =
    cpuRows(x, normalized, logSoftmaxRows) ??
    withoutRecording(() =>
      composite(() => {
        const centered = shifted(x, normalized);
        return sub(centered, log(sum(exp(centered), normalized, true)));
      }),
    );
  return recordOp('logSoftmax', [x], out, { axis: normalized });
}

/** softmax's closed-form gradient: y ⊙ (g − s) with s = Σ g⊙y along the axis. */
const SOFTMAX_GRADIENT = defineKernel('softmaxGradient', { inputs: ['g', 'y', 's'] }, ({ g, y, s }) =>
  e.mul(y, e.sub(g, s)),
);
/** logSoftmax's closed-form gradient: g − e^y · s with s = Σ g along the axis. */
const LOG_SOFTMAX_GRADIENT = defineKernel('logSoftmaxGradient', { inputs: ['g', 'y', 's'] }, ({ g, y, s }) =>
  e.sub(g, e.mul(e.exp(y), s)),
);

/**
 * The closed form of softmax's (`multiplySums`) or logSoftmax's gradient: the row sums s, then
 * `kernel` of (g, y, s broadcast) in one fused pass; on the CPU backend, for small float32
 * tensors with contiguous rows along the last axis, in one call (cpu/softmax-rows.ts, bit for
 * bit the same). Not recorded.
 */
function closedFormGradient(
  name: string,
  kernel: typeof SOFTMAX_GRADIENT,
  multiplySums: boolean,
  g: Tensor,
  y: Tensor,
  axis: number,
): Tensor {
  checkTensor(name, 'g', g);
  checkTensor(name, 'y', y);
  if (!isFloatingDType(y.dtype)) throw new Error(`${name}: 'y' must be float32 or float64, got ${y.dtype}`);
  if (
    g.dtype !== y.dtype ||
    g.backend !== y.backend ||
    g.shape.length !== y.shape.length ||
    g.shape.some((size, index) => size !== y.shape[index])
  )
    throw new Error(
      `${name}: 'g' and 'y' must have one shape, dtype and backend, got ${g.dtype} [${g.shape.join(', ')}] and ${y.dtype} [${y.shape.join(', ')}]`,
    );
  const normalized = normalizeAxis(name, axis, y.ndim, y.shape);
  if (
    y.backend.name === 'cpu' &&
    y.dtype === 'float32' &&
    normalized === y.ndim - 1 &&
    y.size > 0 &&
    y.size < SOFTMAX_ROWS_MAXIMUM_VALUES &&
    g.isContiguous &&
    y.isContiguous
  ) {
    const gView = g.view();
    const yView = y.view();
    if (gView.data instanceof Float32Array && yView.data instanceof Float32Array) {
      const columns = y.shape[normalized]!;
      const data = softmaxGradientRows(
        kernel,
        multiplySums,
        gView.data,
        gView.offset,
        yView.data,
        yView.offset,
        y.size / columns,
        columns,
      );
      return wrapStorage(y.backend, data, y.shape, 'float32');
    }
  }
  return withoutRecording(() =>
    composite(() => {
      const s = sum(multiplySums ? mul(g, y) : g, normalized, true);
      return fusedMap(kernel, [g, y, expand(s, g.shape)]);
    }),
  );
}

/**
 * softmax's vector-Jacobian product along `axis`: y ⊙ (g − Σ g⊙y), for softmax's output `y` and
 * the gradient `g` flowing into it, in one fused pass after the sum. Not recorded: it is what a
 * first-order backward pass runs (autodiff's softmax rule); differentiating through it needs the
 * same formula written with recorded ops.
 *
 * @example
 * softmaxGradient(ones([2, 3]), softmax(x)) // zeros: softmax's outputs sum to 1 along the axis
 */
export function softmaxGradient(g: Tensor, y: Tensor, axis = -1): Tensor {
  return closedFormGradient('softmaxGradient', SOFTMAX_GRADIENT, true, g, y, axis);
}

/**
 * logSoftmax's vector-Jacobian product along `axis`: g − e^y · Σ g, for logSoftmax's output `y`
 * and the gradient `g` flowing into it, in one fused pass after the sum. Not recorded (see
 * {@link softmaxGradient}).
 *
 * @example
 * logSoftmaxGradient(g, logSoftmax(x)) // what valueAndGrad's backward pass gives x
 */
export function logSoftmaxGradient(g: Tensor, y: Tensor, axis = -1): Tensor {
  return closedFormGradient('logSoftmaxGradient', LOG_SOFTMAX_GRADIENT, false, g, y, axis);
}

declare module '../tensor.js' {
  interface Tensor {
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}
Object.assign(Tensor.prototype, {
  softmax(this: Tensor, axis?: number) {
    return softmax(this, axis);
  },
  logSoftmax(this: Tensor, axis?: number) {
    return logSoftmax(this, axis);
  },
});
