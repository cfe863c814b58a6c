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
import { LOG_SOFTMAX_GRADIENT, SOFTMAX_GRADIENT } from '../kernels/softmax-gradient-kernels.js';
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
 * The backend's one-call softmax or logSoftmax of x along its last axis (Backend.softmaxRows: on
 * the CPU small float32 tensors, bit for bit the composite; on the gpu rows of a few values, in
 * one dispatch), or undefined where the axis is another or the backend has no such form for x.
 */
function backendRows(kind: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor | undefined {
  if (axis !== x.ndim - 1 || x.backend.softmaxRows === undefined) return undefined;
  const data = x.backend.softmaxRows(kind, x.view());
  return data === undefined ? undefined : wrapStorage(x.backend, data, x.shape, x.dtype);
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
    backendRows('softmax', x, normalized) ??
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
    backendRows('logSoftmax', x, normalized) ??
    withoutRecording(() =>
      composite(() => {
        const centered = shifted(x, normalized);
        return sub(centered, log(sum(exp(centered), normalized, true)));
      }),
    );
  return recordOp('logSoftmax', [x], out, { axis: normalized });
}

/**
 * The closed form of softmax's or logSoftmax's gradient (op `name`): the row sums s, then the
 * gradient kernel of (g, y, s broadcast) in one fused pass; along the last axis, the backend's
 * one-call form where it has one for these tensors (Backend.softmaxGradientRows: on the CPU small
 * float32 tensors, bit for bit the same; on the gpu rows of a few values, in one dispatch). Not
 * recorded.
 */
function closedFormGradient(
  name: 'softmaxGradient' | 'logSoftmaxGradient',
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
  const kind = name === 'softmaxGradient' ? 'softmax' : 'logSoftmax';
  if (normalized === y.ndim - 1 && y.backend.softmaxGradientRows !== undefined) {
    const data = y.backend.softmaxGradientRows(kind, g.view(), y.view());
    if (data !== undefined) return wrapStorage(y.backend, data, y.shape, y.dtype);
  }
  return withoutRecording(() =>
    composite(() => {
      // softmax's sums are of g ⊙ y, logSoftmax's of g.
      if (kind === 'softmax')
        return fusedMap(SOFTMAX_GRADIENT, [g, y, expand(sum(mul(g, y), normalized, true), g.shape)]);
      return fusedMap(LOG_SOFTMAX_GRADIENT, [g, y, expand(sum(g, normalized, true), g.shape)]);
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
  return closedFormGradient('softmaxGradient', g, y, axis);
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
  return closedFormGradient('logSoftmaxGradient', g, y, axis);
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
