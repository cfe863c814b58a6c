/**
 * Elementwise ops with NumPy broadcasting. Broadcasting is resolved here, once: each operand
 * becomes a view with stride 0 on its broadcast axes, and the backend runs one kernel over the
 * output shape.
 */
import type { Backend, TensorView } from '../backend.js';
import { assertDType, isFloatingDType, promoteTypes, type DType } from '../dtype.js';
import { isRecording, recordOp, withoutRecording } from '../engine.js';
import type { BinaryKernelName, UnaryKernelName } from '../kernels/elementwise-kernels.js';
import { setUnaryOpApplier, type UnaryOpDefinition } from '../kernels/unary-op.js';
import type { RecordedUnaryOpName } from '../op-names.js';
import * as UNARY_OPS from './unary-ops.js';
import { broadcastShapes, type Shape } from '../shape.js';
import { isTensor, Tensor } from '../tensor.js';
import { describeValue } from '../validation/option-keys.js';
import { checkStorable } from '../validation/storable-values.js';
import {
  checkTensor,
  checkTensorLike,
  commonBackend,
  describe,
  scalarDType,
  scalarTensor,
  wrapStorage,
  type TensorLike,
} from './internal.js';

/** A view of `x` broadcast to `shape` (stride 0 on new and size-1 axes). */
export function broadcastView(x: Tensor, shape: Shape): TensorView {
  const view = x.view();
  const offset = shape.length - x.shape.length;
  const strides = shape.map((dimension, axis) => {
    const sourceAxis = axis - offset;
    if (sourceAxis < 0) return 0;
    return x.shape[sourceAxis] === 1 && dimension !== 1 ? 0 : x.strides[sourceAxis]!;
  });
  return { ...view, shape, strides };
}

/** An op's parameter (slope, alpha), checked to be a finite number. */
function checkParameter(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`${op}: '${name}' must be a finite number, got ${describeValue(value)}`);
  return value;
}

/**
 * Runs a unary op of the table (`unary-ops.ts`) on a tensor: the dtype rule of its result,
 * its backend kernel, and the recording of differentiable results for autodiff.
 */
function applyUnaryOp(definition: UnaryOpDefinition, x: Tensor, given: number | undefined): Tensor {
  const op = definition.name;
  const parameter = definition.parameter
    ? checkParameter(op, definition.parameter.name, given === undefined ? definition.parameter.default : given)
    : 0;
  checkTensor(op, 'x', x);
  const result = definition.result;
  const outDtype: DType =
    result === 'bool'
      ? 'bool'
      : result === 'float' && !isFloatingDType(x.dtype)
        ? 'float32'
        : x.dtype === 'bool' && result === 'same'
          ? 'int32'
          : x.dtype;
  const data = x.backend.unary(op as UnaryKernelName, x.view(), outDtype, parameter);
  const out = wrapStorage(x.backend, data, x.shape, outDtype);
  if (isFloatingDType(outDtype) && result !== 'bool') {
    const attributes = definition.parameter ? { [definition.parameter.name]: parameter } : {};
    return recordOp(op as RecordedUnaryOpName, [x], out, attributes as never);
  }
  return out;
}
setUnaryOpApplier(applyUnaryOp);

type BinaryResult = 'promote' | 'float' | 'bool';

/**
 * Disposes the scalar and cast tensors an op made for its own use. While a recorder is
 * active they stay alive, because the tape may need them for the backward pass; the enclosing
 * `tidy` (or the tape) frees them then.
 */
export function releaseTemporaries(given: readonly TensorLike[], made: readonly Tensor[]): void {
  if (isRecording()) return;
  for (const tensor of new Set(made)) if (!given.includes(tensor)) tensor.dispose();
}

/** A JS scalar operand as a tensor of `dtype`, refusing an integer that int32 would wrap. */
function scalarOperand(op: string, name: string, value: number | boolean, dtype: DType, backend: Backend): Tensor {
  if (typeof value === 'number') checkStorable(op, `scalar '${name}' is`, dtype, value);
  return scalarTensor(value, dtype, backend);
}

/** Turns two operands (tensors or scalars) into tensors on one backend with a common dtype. */
export function binaryOperands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor, DType] {
  checkTensorLike(op, 'a', a);
  checkTensorLike(op, 'b', b);
  const backend = commonBackend(op, [a, b], ['a', 'b']);
  const aTensor = isTensor(a)
    ? a
    : scalarOperand(op, 'a', a, scalarDType(a, isTensor(b) ? b.dtype : undefined), backend);
  const bTensor = isTensor(b) ? b : scalarOperand(op, 'b', b, scalarDType(b, aTensor.dtype), backend);
  return [aTensor, bTensor, promoteTypes(aTensor.dtype, bTensor.dtype)];
}

function binaryOp(op: BinaryKernelName, a: TensorLike, b: TensorLike, result: BinaryResult): Tensor {
  const [aTensor, bTensor, common] = binaryOperands(op, a, b);
  const shape = broadcastShapes(op, [aTensor.shape, bTensor.shape], ['a', 'b']);
  let outDtype: DType = result === 'bool' ? 'bool' : common;
  if (result === 'float' && !isFloatingDType(outDtype)) outDtype = 'float32';
  if (result === 'promote' && outDtype === 'bool') outDtype = 'int32';
  // Operands are cast to the common dtype first so that, e.g., float64 math stays float64.
  const left = aTensor.dtype === common || result === 'bool' ? aTensor : cast(aTensor, common);
  const right = bTensor.dtype === common || result === 'bool' ? bTensor : cast(bTensor, common);
  const data = left.backend.binary(op, broadcastView(left, shape), broadcastView(right, shape), shape, outDtype);
  const out = wrapStorage(left.backend, data, shape, outDtype);
  if (result !== 'bool' && isFloatingDType(outDtype) && op !== 'logicalAnd' && op !== 'logicalOr') {
    recordOp(op as 'add', [left, right], out, {});
  }
  releaseTemporaries([a, b], [aTensor, bTensor, left, right]);
  return out;
}

/** a + b. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binaryOp('add', a, b, 'promote');
/** a − b. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binaryOp('sub', a, b, 'promote');
/** a · b. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mul', a, b, 'promote');
/** a / b (true division: integer inputs give float32). */
export const div = (a: TensorLike, b: TensorLike): Tensor => binaryOp('div', a, b, 'float');
/** aᵇ. */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binaryOp('pow', a, b, 'promote');
/** Elementwise maximum (NaN propagates). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('maximum', a, b, 'promote');
/** Elementwise minimum (NaN propagates). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('minimum', a, b, 'promote');
/** Remainder with the sign of the divisor (Python's %, torch.remainder). */
export const mod = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mod', a, b, 'promote');
/** a == b. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => binaryOp('equal', a, b, 'bool');
/** a != b. */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('notEqual', a, b, 'bool');
/** a < b. */
export const less = (a: TensorLike, b: TensorLike): Tensor => binaryOp('less', a, b, 'bool');
/** a ≤ b. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lessEqual', a, b, 'bool');
/** a > b. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greater', a, b, 'bool');
/** a ≥ b. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greaterEqual', a, b, 'bool');
/** Logical and (non-zero is true). */
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => binaryOp('logicalAnd', a, b, 'bool');
/** Logical or (non-zero is true). */
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => binaryOp('logicalOr', a, b, 'bool');

/**
 * Picks `a` where `condition` is true and `b` elsewhere, broadcasting all three.
 *
 * @example
 * where(greater(x, 0), x, 0) // relu
 */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const op = 'where';
  // A bool condition only, as torch.where: a float mask (0.5? NaN?) has no one obvious meaning.
  if (isTensor(condition) ? condition.dtype !== 'bool' : typeof condition !== 'boolean') {
    const got = isTensor(condition) ? condition.dtype : describe(condition);
    throw new TypeError(
      `${op}: 'condition' must be a bool tensor${isTensor(condition) ? '' : ' or a boolean'}, got ${got}; compare first (greater(x, 0)) or cast(x, 'bool')`,
    );
  }
  const [aTensor, bTensor, common] = binaryOperands(op, a, b);
  const backend = commonBackend(op, [condition, aTensor, bTensor], ['condition', 'a', 'b']);
  const conditionTensor = isTensor(condition) ? condition : scalarTensor(condition, 'bool', backend);
  const shape = broadcastShapes(op, [conditionTensor.shape, aTensor.shape, bTensor.shape], ['condition', 'a', 'b']);
  const left = aTensor.dtype === common ? aTensor : cast(aTensor, common);
  const right = bTensor.dtype === common ? bTensor : cast(bTensor, common);
  const data = backend.where(
    broadcastView(conditionTensor, shape),
    broadcastView(left, shape),
    broadcastView(right, shape),
    shape,
    common,
  );
  const out = wrapStorage(backend, data, shape, common);
  if (isFloatingDType(common)) recordOp('where', [conditionTensor, left, right], out, {});
  releaseTemporaries([condition, a, b], [conditionTensor, aTensor, bTensor, left, right]);
  return out;
}

/**
 * Clamps x to [min, max]; either bound may be omitted.
 *
 * @example
 * clip(x, -1, 1)
 */
export function clip(x: Tensor, min?: number, max?: number): Tensor {
  const op = 'clip';
  checkTensor(op, 'x', x);
  if (min === undefined && max === undefined) throw new Error(`${op}: give at least one of 'min' and 'max'`);
  for (const [name, bound] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (bound !== undefined && (typeof bound !== 'number' || Number.isNaN(bound))) {
      throw new Error(`${op}: '${name}' must be a number, got ${describeValue(bound)}`);
    }
  }
  if (min !== undefined && max !== undefined && min > max) {
    throw new Error(`${op}: 'min' (${min}) must not exceed 'max' (${max})`);
  }
  // Recorded as one op so that its gradient is a single mask, not two maximum/minimum rules.
  const out = withoutRecording(() => {
    const lower = min !== undefined ? maximum(x, min) : undefined;
    if (max === undefined) return lower!;
    const result = minimum(lower ?? x, max);
    lower?.dispose();
    return result;
  });
  return isFloatingDType(out.dtype) ? recordOp('clip', [x], out, { min, max }) : out;
}

/**
 * Converts to another dtype (float→int truncates toward zero; non-zero→true for bool).
 * With `copy` a same-dtype cast returns a fresh tensor instead of `x` itself.
 */
export function cast(x: Tensor, dtype: DType, copy = false): Tensor {
  checkTensor('cast', 'x', x);
  assertDType('cast', dtype);
  if (dtype === x.dtype && !copy) return x;
  const data = x.backend.copy(x.view(), dtype);
  const out = wrapStorage(x.backend, data, x.shape, dtype);
  if (isFloatingDType(dtype) && isFloatingDType(x.dtype)) {
    return dtype === x.dtype
      ? recordOp('copy', [x], out, {})
      : recordOp('cast', [x], out, { from: x.dtype, to: dtype });
  }
  return out;
}

/** A Tensor method per unary op of the table: `x.relu()`, `x.leakyRelu(0.2)`. */
type UnaryOpMethods = {
  [K in keyof typeof UNARY_OPS]: (typeof UNARY_OPS)[K] extends (x: Tensor, ...rest: infer Rest) => Tensor
    ? (...rest: Rest) => Tensor
    : never;
};

declare module '../tensor.js' {
  interface Tensor extends UnaryOpMethods {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(other: TensorLike): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    mod(other: TensorLike): Tensor;
    equal(other: TensorLike): Tensor;
    notEqual(other: TensorLike): Tensor;
    less(other: TensorLike): Tensor;
    lessEqual(other: TensorLike): Tensor;
    greater(other: TensorLike): Tensor;
    greaterEqual(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    clip(min?: number, max?: number): Tensor;
    cast(dtype: DType): Tensor;
  }
}

for (const op of Object.values(UNARY_OPS)) {
  Object.defineProperty(Tensor.prototype, op.definition.name, {
    value: function (this: Tensor, parameter?: number) {
      return (op as (x: Tensor, parameter?: number) => Tensor)(this, parameter);
    },
    writable: true,
    configurable: true,
  });
}
const binaryMethods = {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  mod,
  equal,
  notEqual,
  less,
  lessEqual,
  greater,
  greaterEqual,
  logicalAnd,
  logicalOr,
};
for (const [name, fn] of Object.entries(binaryMethods)) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, other: TensorLike) {
      return fn(this, other);
    },
    writable: true,
    configurable: true,
  });
}
Tensor.prototype.clip = function (this: Tensor, min?: number, max?: number) {
  return clip(this, min, max);
};
Tensor.prototype.cast = function (this: Tensor, dtype: DType) {
  return cast(this, dtype);
};
