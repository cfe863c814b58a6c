/**
 * Creating tensors: from data, constants, ranges and random distributions.
 */
import { allocateArray, assertDType, dtypeOfArray, type DType, type TypedArray } from '../dtype';
import { defaultGenerator, type RandomGenerator } from '../random';
import { checkShape, formatShape, sizeOf, type Shape } from '../shape';
import { isTensor, type NestedArray, type Tensor } from '../tensor';
import { backendOption, describe, wrapStorage } from './internal';

/** Options shared by the creation functions. */
export interface CreationOptions {
  /** Element type; `float32` unless the data says otherwise. */
  dtype?: DType;
  /** Backend name; the current backend by default. */
  backend?: string;
}

/** Data `tensor()` accepts. */
export type TensorData = number | boolean | TypedArray | readonly NestedArray[] | readonly number[];

function inferShape(op: string, data: unknown): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return checkShape(op, 'shape', shape);
}

function flattenNested(op: string, data: unknown, shape: readonly number[], into: number[], axis = 0): void {
  if (axis === shape.length) {
    if (typeof data === 'number') into.push(data);
    else if (typeof data === 'boolean') into.push(data ? 1 : 0);
    else throw new Error(`${op}: 'data' must contain only numbers or booleans, got ${describe(data)}`);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[axis]) {
    throw new Error(
      `${op}: 'data' is ragged: expected an array of length ${shape[axis]} at depth ${axis} (inferred shape ${formatShape(shape)}), got ${describe(data)}`,
    );
  }
  for (const item of data) flattenNested(op, item, shape, into, axis + 1);
}

function firstLeaf(data: unknown): unknown {
  let level = data;
  while (Array.isArray(level)) level = level[0];
  return level;
}

/**
 * Creates a tensor from nested arrays, a typed array, flat data plus `shape`, or a scalar.
 *
 * @example
 * tensor([[1, 2], [3, 4]])                         // float32 [2,2]
 * tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] })
 * tensor([true, false])                            // bool [2]
 */
export function tensor(data: TensorData, options: CreationOptions & { shape?: Shape } = {}): Tensor {
  const op = 'tensor';
  if (options.dtype !== undefined) assertDType(op, options.dtype);
  let values: ArrayLike<number>;
  let inferredShape: number[];
  let inferredDType: DType;
  if (ArrayBuffer.isView(data)) {
    values = data as TypedArray;
    inferredShape = [values.length];
    inferredDType = dtypeOfArray(data as TypedArray);
  } else if (typeof data === 'number' || typeof data === 'boolean') {
    values = [typeof data === 'boolean' ? (data ? 1 : 0) : data];
    inferredShape = [];
    inferredDType = typeof data === 'boolean' ? 'bool' : 'float32';
  } else if (Array.isArray(data)) {
    inferredShape = inferShape(op, data);
    const flat: number[] = [];
    flattenNested(op, data, inferredShape, flat);
    values = flat;
    inferredDType = typeof firstLeaf(data) === 'boolean' ? 'bool' : 'float32';
  } else {
    throw new Error(`${op}: 'data' must be a number, a boolean, a typed array or a nested array, got ${describe(data)}`);
  }
  const dtype = options.dtype ?? inferredDType;
  let shape = inferredShape;
  if (options.shape !== undefined) {
    shape = checkShape(op, 'shape', options.shape as number[]);
    if (sizeOf(shape) !== values.length) {
      throw new Error(`${op}: 'shape' ${formatShape(shape)} holds ${sizeOf(shape)} elements but 'data' has ${values.length}`);
    }
  }
  const storageValues = allocateArray(dtype, values.length);
  if (dtype === 'bool') for (let index = 0; index < values.length; index++) storageValues[index] = values[index] !== 0 ? 1 : 0;
  else storageValues.set(values as ArrayLike<number>);
  const backend = backendOption(options.backend);
  return wrapStorage(backend, backend.upload(storageValues, dtype), shape, dtype);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number | boolean, options: CreationOptions = {}): Tensor {
  checkShape('full', 'shape', shape as number[]);
  const dtype = options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  assertDType('full', dtype);
  const values = allocateArray(dtype, sizeOf(shape));
  const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (numeric !== 0) values.fill(dtype === 'bool' ? 1 : numeric);
  const backend = backendOption(options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), shape, dtype);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: CreationOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options: CreationOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros with the shape, dtype and backend of `like`. */
export function zerosLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return full(like.shape, 0, { dtype: like.dtype, backend: like.backend.name, ...options });
}

/** Ones with the shape, dtype and backend of `like`. */
export function onesLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return full(like.shape, 1, { dtype: like.dtype, backend: like.backend.name, ...options });
}

/** `value` with the shape, dtype and backend of `like`. */
export function fullLike(like: Tensor, value: number, options: CreationOptions = {}): Tensor {
  return full(like.shape, value, { dtype: like.dtype, backend: like.backend.name, ...options });
}

/**
 * Evenly spaced values in [start, stop) with `step`, as NumPy's arange. With one argument,
 * the range is [0, start).
 *
 * @example
 * arange(5)          // [0, 1, 2, 3, 4]
 * arange(1, 2, 0.25) // [1, 1.25, 1.5, 1.75]
 */
export function arange(start: number, stop?: number, step = 1, options: CreationOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  for (const [name, value] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (!Number.isFinite(value)) throw new Error(`arange: '${name}' must be finite, got ${value}`);
  }
  if (step === 0) throw new Error("arange: 'step' must not be 0");
  const count = Math.max(0, Math.ceil((stop - start) / step));
  // All-integer ranges are int32, as in NumPy and PyTorch; anything fractional is float32.
  const integral = Number.isInteger(start) && Number.isInteger(stop) && Number.isInteger(step);
  const dtype = options.dtype ?? (integral ? 'int32' : 'float32');
  const values = allocateArray(dtype, count);
  for (let index = 0; index < count; index++) values[index] = start + index * step;
  const backend = backendOption(options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), [count], dtype);
}

/** `count` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, count: number, options: CreationOptions = {}): Tensor {
  if (!Number.isInteger(count) || count < 0) throw new Error(`linspace: 'count' must be a non-negative integer, got ${count}`);
  const dtype = options.dtype ?? 'float32';
  const values = allocateArray(dtype, count);
  const step = count > 1 ? (stop - start) / (count - 1) : 0;
  for (let index = 0; index < count; index++) values[index] = index === count - 1 && count > 1 ? stop : start + index * step;
  const backend = backendOption(options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), [count], dtype);
}

/** The identity matrix (`rows`×`columns`, square by default). */
export function eye(rows: number, columns = rows, options: CreationOptions = {}): Tensor {
  checkShape('eye', 'shape', [rows, columns]);
  const dtype = options.dtype ?? 'float32';
  const values = allocateArray(dtype, rows * columns);
  for (let index = 0; index < Math.min(rows, columns); index++) values[index * columns + index] = 1;
  const backend = backendOption(options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), [rows, columns], dtype);
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreationOptions {
  /** The generator to draw from (see `seed`); a global default otherwise. */
  generator?: RandomGenerator;
}

function randomTensor(op: string, shape: Shape, options: RandomOptions, draw: (generator: RandomGenerator) => number): Tensor {
  checkShape(op, 'shape', shape as number[]);
  const dtype = options.dtype ?? 'float32';
  assertDType(op, dtype);
  const generator = options.generator ?? defaultGenerator();
  const values = allocateArray(dtype, sizeOf(shape));
  for (let index = 0; index < values.length; index++) values[index] = draw(generator);
  const backend = backendOption(options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), shape, dtype);
}

/**
 * Uniform samples in [low, high).
 *
 * @example
 * rand([2, 2], { generator: seed(1) })
 */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (!(high > low)) throw new Error(`rand: 'high' (${high}) must be greater than 'low' (${low})`);
  const dtype = options.dtype ?? 'float32';
  // low + (high − low)·u can round up to `high` (always for u near 1 in float32), so clamp to
  // the largest value of the dtype below `high` to keep the interval half-open.
  const ceiling = dtype === 'float32' || dtype === 'float64' ? largestBelow(high, dtype) : high;
  return randomTensor('rand', shape, options, (generator) => Math.min(low + (high - low) * generator.uniform(), ceiling));
}

/** The largest `dtype` value strictly below `value`. */
function largestBelow(value: number, dtype: 'float32' | 'float64'): number {
  const cell = dtype === 'float32' ? new Float32Array([value]) : new Float64Array([value]);
  if (cell[0]! < value) return cell[0]!;
  if (value === 0) return dtype === 'float32' ? -1.401298464324817e-45 : -Number.MIN_VALUE;
  // One step toward −∞ in the IEEE bit pattern (down in magnitude for positives, up for negatives).
  if (dtype === 'float32') new Int32Array(cell.buffer)[0]! += value > 0 ? -1 : 1;
  else new BigInt64Array(cell.buffer)[0]! += value > 0 ? -1n : 1n;
  return cell[0]!;
}

/** Normal samples with `mean` and `std` (standard normal by default). */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  if (!(std >= 0)) throw new Error(`randn: 'std' must be non-negative, got ${std}`);
  return randomTensor('randn', shape, options, (generator) => mean + std * generator.normal());
}

/** Integers uniformly drawn from [low, high), int32 by default. */
export function randint(low: number, high: number, shape: Shape, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  return randomTensor('randint', shape, { dtype: 'int32', ...options }, (generator) => low + generator.integer(high - low));
}

/** True when a value is a tensor; re-exported for users' type guards. */
export { isTensor };
