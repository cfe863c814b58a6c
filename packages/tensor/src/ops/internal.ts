/**
 * Helpers shared by the op files: wrapping backend storages into tensors, turning scalars
 * into tensors, and checking that operands live on one backend.
 */
import { currentBackend, findBackend, type Backend, type StorageData } from '../backend.js';
import { BYTES_PER_ELEMENT, type DType } from '../dtype.js';
import { Storage } from '../engine.js';
import { sizeOf, type Shape } from '../shape.js';
import { isTensor, Tensor } from '../tensor.js';
import { describeValue } from '../validation/option-keys.js';

/** A tensor, or a JS number/boolean that acts as a scalar tensor. */
export type TensorLike = Tensor | number | boolean;

/** Wraps a fresh contiguous backend storage as a tensor. */
export function wrapStorage(backend: Backend, data: StorageData, shape: Shape, dtype: DType): Tensor {
  return new Tensor(new Storage(backend, data, sizeOf(shape) * BYTES_PER_ELEMENT[dtype]), shape, dtype);
}

/** A view sharing `source`'s storage with new shape, strides and offset. */
export function viewOf(source: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  source.assertAlive('view');
  return new Tensor(source.storage, shape, source.dtype, strides, offset);
}

/** The dtype a JS scalar takes next to a tensor of dtype `other` ("weak" scalar typing). */
export function scalarDType(value: number | boolean, other: DType | undefined): DType {
  if (typeof value === 'boolean') return other ?? 'bool';
  if (other === 'float32' || other === 'float64') return other;
  // An integer next to a bool tensor counts in integers (NumPy and PyTorch: True + 5 == 6).
  if (Number.isInteger(value)) return other === 'bool' ? 'int32' : (other ?? 'float32');
  return 'float32';
}

/** Creates a scalar tensor on `backend`. */
export function scalarTensor(value: number | boolean, dtype: DType, backend: Backend): Tensor {
  const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  const values =
    dtype === 'float64'
      ? new Float64Array([numeric])
      : dtype === 'int32'
        ? new Int32Array([numeric])
        : dtype === 'bool'
          ? new Uint8Array([numeric !== 0 ? 1 : 0])
          : new Float32Array([numeric]);
  return wrapStorage(backend, backend.upload(values, dtype), [], dtype);
}

/** The backend shared by the tensor operands, with an error naming the op if they differ. */
export function commonBackend(op: string, inputs: readonly TensorLike[], names: readonly string[]): Backend {
  let found: Backend | undefined;
  let foundName = '';
  inputs.forEach((input, index) => {
    if (!isTensor(input)) return;
    input.assertAlive(op);
    if (!found) {
      found = input.backend;
      foundName = names[index] ?? `input ${index}`;
    } else if (input.backend !== found) {
      throw new Error(
        `${op}: tensors are on different backends: '${foundName}' on ${found.name}, '${names[index] ?? `input ${index}`}' on ${input.backend.name}; move one with .to('${found.name}')`,
      );
    }
  });
  return found ?? currentBackend();
}

/** Checks that a value is a tensor or a scalar, naming the op and argument otherwise. */
export function checkTensorLike(op: string, name: string, value: unknown): asserts value is TensorLike {
  if (isTensor(value) || typeof value === 'number' || typeof value === 'boolean') return;
  throw new Error(`${op}: '${name}' must be a Tensor or a number, got ${describe(value)}`);
}

/** Checks that a value is a finite number, naming the op and argument otherwise. */
export function checkFiniteNumber(op: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`${op}: '${name}' must be finite, got ${describeValue(value)}`);
}

/** Checks that a value is a tensor. */
export function checkTensor(op: string, name: string, value: unknown): asserts value is Tensor {
  if (!isTensor(value)) throw new Error(`${op}: '${name}' must be a Tensor, got ${describe(value)}`);
  value.assertAlive(op);
}

/** Short description of a value for error messages. */
export function describe(value: unknown): string {
  if (isTensor(value)) return `a ${value.dtype} tensor of shape [${value.shape.join(',')}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * Resolves a backend name (the `{ backend }` option, or `to`'s argument) to a backend,
 * defaulting to the current one, with an error that names the op.
 */
export function backendOption(op: string, name: unknown, argument = 'backend'): Backend {
  if (name === undefined) return currentBackend();
  if (typeof name !== 'string')
    throw new TypeError(`${op}: '${argument}' must be a backend name (a string), got ${describeValue(name)}`);
  return findBackend(name, op);
}
