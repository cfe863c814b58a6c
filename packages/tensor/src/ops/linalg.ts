/**
 * Matrix products: matmul (batched, broadcasting batch axes, transposed operands read through
 * their strides without a copy), dot and outer.
 */
import { isFloatingDType } from '../dtype.js';
import { recordOp } from '../engine.js';
import { broadcastShapes, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { binaryOperands, cast, mul } from './elementwise.js';
import { checkTensor, commonBackend, wrapStorage } from './internal.js';
import { expand, reshape, unsqueeze } from './movement.js';
import { sum } from './reduction.js';

/**
 * Matrix product with NumPy semantics: 1-D operands are promoted to a row (left) or column
 * (right) and the added axis removed afterwards; leading axes broadcast.
 *
 * @example
 * matmul(zeros([5, 2, 3]), zeros([3, 4])).shape // [5, 2, 4]
 * matmul(a, b.T) // no copy of b is made
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(
      `${op}: operands must have at least 1 axis, got 'a' ${formatShape(a.shape)} and 'b' ${formatShape(b.shape)}`,
    );
  }
  const [left0, right0, dtype] = binaryOperands(op, a, b);
  if (!isFloatingDType(dtype) && dtype !== 'int32') throw new Error(`${op}: bool operands are not supported`);
  return composite(() => {
    const left = left0.dtype === dtype ? left0 : cast(left0, dtype);
    const right = right0.dtype === dtype ? right0 : cast(right0, dtype);
    const a2 = left.ndim === 1 ? unsqueeze(left, 0) : left;
    const b2 = right.ndim === 1 ? unsqueeze(right, 1) : right;
    const m = a2.shape[a2.ndim - 2]!;
    const k = a2.shape[a2.ndim - 1]!;
    const n = b2.shape[b2.ndim - 1]!;
    if (b2.shape[b2.ndim - 2] !== k) {
      throw new Error(
        `${op}: 'b' has shape ${formatShape(b.shape)}, expected [${k},*] to match 'a' ${formatShape(a.shape)}`,
      );
    }
    const batch = broadcastShapes(
      op,
      [a2.shape.slice(0, -2), b2.shape.slice(0, -2)],
      ['a (batch axes)', 'b (batch axes)'],
    );
    const aFull = expand(a2, [...batch, m, k]);
    const bFull = expand(b2, [...batch, k, n]);
    const data = aFull.backend.matmul(aFull.view(), bFull.view(), dtype);
    let out = wrapStorage(aFull.backend, data, [...batch, m, n], dtype);
    if (isFloatingDType(dtype)) out = recordOp('matmul', [aFull, bFull], out, {});
    if (left.ndim === 1 && right.ndim === 1) return reshape(out, [...batch]);
    if (left.ndim === 1) return reshape(out, [...batch, n]);
    if (right.ndim === 1) return reshape(out, [...batch, m]);
    return out;
  });
}

/** Inner product of two 1-D tensors. */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor('dot', 'a', a);
  checkTensor('dot', 'b', b);
  commonBackend('dot', [a, b], ['a', 'b']);
  if (a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) {
    throw new Error(
      `dot: expected two 1-D tensors of equal length, got 'a' ${formatShape(a.shape)} and 'b' ${formatShape(b.shape)}`,
    );
  }
  return composite(() => sum(mul(a, b)));
}

/** Outer product of two 1-D tensors: `out[i][j] = a[i]·b[j]`. */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor('outer', 'a', a);
  checkTensor('outer', 'b', b);
  commonBackend('outer', [a, b], ['a', 'b']);
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new Error(`outer: expected two 1-D tensors, got 'a' ${formatShape(a.shape)} and 'b' ${formatShape(b.shape)}`);
  }
  return composite(() => mul(unsqueeze(a, 1), unsqueeze(b, 0)));
}

declare module '../tensor.js' {
  interface Tensor {
    matmul(other: Tensor): Tensor;
    dot(other: Tensor): Tensor;
  }
}

Object.assign(Tensor.prototype, {
  matmul(this: Tensor, other: Tensor) {
    return matmul(this, other);
  },
  dot(this: Tensor, other: Tensor) {
    return dot(this, other);
  },
});
