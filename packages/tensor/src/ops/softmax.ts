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
import { div, sub, where } from './elementwise.js';
import { exp, isFinite, log } from './unary-ops.js';
import { checkTensor, wrapStorage } from './internal.js';
import { logSoftmaxRows, SOFTMAX_ROWS_MAXIMUM_VALUES, softmaxRows } from '../cpu/softmax-rows.js';
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
