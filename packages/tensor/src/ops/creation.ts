/**
 * Creating tensors: from data, constants, ranges and random distributions.
 */
import { allocateArray, assertDType, dtypeOfArray, isFloatingDType, type DType, type TypedArray } from '../dtype.js';
import { defaultGenerator, type RandomGenerator } from '../random.js';
import { checkShape, formatShape, sizeOf, type Shape } from '../shape.js';
import { isTensor, type NestedArray, type Tensor } from '../tensor.js';
import { checkOptionKeys, describeValue } from '../validation/option-keys.js';
import { checkStorable, storeValues } from '../validation/storable-values.js';
import { backendOption, checkFiniteNumber, checkTensor, describe, wrapStorage } from './internal.js';

/** Options shared by the creation functions. */
export interface CreationOptions {
  /** Element type; `float32` unless the data says otherwise. */
  dtype?: DType;
  /** Backend name; the current backend by default. */
  backend?: string;
}

/** The option names every creation function accepts. */
const CREATION_OPTIONS = ['dtype', 'backend'] as const;

/**
 * Checks a creation function's options (unknown keys, the dtype) and returns the dtype to use.
 * Every creation and random function goes through here, so they all reject the same mistakes.
 */
function creationOptions(op: string, options: unknown, allowed: readonly string[], fallback: DType): DType {
  checkOptionKeys(op, options, allowed);
  const dtype = (options as CreationOptions | undefined)?.dtype ?? fallback;
  assertDType(op, dtype);
  return dtype;
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
 * Values are checked against the dtype: beyond the int32 range, NaN or ±∞ stored as int32 is
 * an error (fractions truncate toward zero, as PyTorch).
 *
 * @example
 * tensor([[1, 2], [3, 4]])                         // float32 [2,2]
 * tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] })
 * tensor([true, false])                            // bool [2]
 */
export function tensor(data: TensorData, options: CreationOptions & { shape?: Shape } = {}): Tensor {
  const op = 'tensor';
  checkOptionKeys(op, options, [...CREATION_OPTIONS, 'shape']);
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
    throw new Error(
      `${op}: 'data' must be a number, a boolean, a typed array or a nested array, got ${describe(data)}`,
    );
  }
  const dtype = options.dtype ?? inferredDType;
  let shape = inferredShape;
  if (options.shape !== undefined) {
    shape = checkShape(op, 'shape', options.shape as number[]);
    if (sizeOf(shape) !== values.length) {
      throw new Error(
        `${op}: 'shape' ${formatShape(shape)} holds ${sizeOf(shape)} elements but 'data' has ${values.length}`,
      );
    }
  }
  const backend = backendOption(op, options.backend);
  return wrapStorage(backend, backend.upload(storeValues(op, "'data' holds", dtype, values), dtype), shape, dtype);
}

/** `shape` filled with `value`, for the public functions that fill (named by `op`). */
function filled(
  op: string,
  shape: Shape,
  value: number | boolean,
  options: CreationOptions,
  allowed: readonly string[] = CREATION_OPTIONS,
): Tensor {
  checkShape(op, 'shape', shape as number[]);
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new Error(`${op}: 'value' must be a number or a boolean, got ${describeValue(value)}`);
  }
  const dtype = creationOptions(op, options, allowed, typeof value === 'boolean' ? 'bool' : 'float32');
  const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  checkStorable(op, "'value' is", dtype, numeric);
  const values = allocateArray(dtype, sizeOf(shape));
  if (numeric !== 0) values.fill(dtype === 'bool' ? 1 : numeric);
  const backend = backendOption(op, options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), shape, dtype);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number | boolean, options: CreationOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: CreationOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options: CreationOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}

/** `value` with the shape, dtype and backend of `like`, unless `options` says otherwise. */
function filledLike(op: string, like: Tensor, value: number, options: CreationOptions): Tensor {
  checkTensor(op, 'like', like);
  checkOptionKeys(op, options, CREATION_OPTIONS);
  return filled(op, like.shape, value, { dtype: like.dtype, backend: like.backend.name, ...options });
}

/** Zeros with the shape, dtype and backend of `like`. */
export function zerosLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return filledLike('zerosLike', like, 0, options);
}

/** Ones with the shape, dtype and backend of `like`. */
export function onesLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return filledLike('onesLike', like, 1, options);
}

/** `value` with the shape, dtype and backend of `like`. */
export function fullLike(like: Tensor, value: number, options: CreationOptions = {}): Tensor {
  return filledLike('fullLike', like, value, options);
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
  const op = 'arange';
  if (stop === undefined) [start, stop] = [0, start];
  checkFiniteNumber(op, 'start', start);
  checkFiniteNumber(op, 'stop', stop);
  checkFiniteNumber(op, 'step', step);
  if (step === 0) throw new Error("arange: 'step' must not be 0");
  const count = Math.max(0, Math.ceil((stop - start) / step));
  // All-integer ranges are int32, as in NumPy and PyTorch; anything fractional is float32.
  const integral = Number.isInteger(start) && Number.isInteger(stop) && Number.isInteger(step);
  const dtype = creationOptions(op, options, CREATION_OPTIONS, integral ? 'int32' : 'float32');
  checkNumericRange(op, dtype);
  if (count > 0) {
    // The range is monotonic, so its two ends bound every value.
    checkStorable(op, 'the range holds', dtype, start);
    checkStorable(op, 'the range holds', dtype, start + (count - 1) * step);
  }
  const values = allocateArray(dtype, count);
  for (let index = 0; index < count; index++) values[index] = start + index * step;
  const backend = backendOption(op, options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), [count], dtype);
}

/** A range of bools would collapse every non-zero value to true; PyTorch refuses it too. */
function checkNumericRange(op: string, dtype: DType): void {
  if (dtype === 'bool') throw new TypeError(`${op}: 'dtype' must be int32, float32 or float64, got bool`);
}

/** `count` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, count: number, options: CreationOptions = {}): Tensor {
  const op = 'linspace';
  checkFiniteNumber(op, 'start', start);
  checkFiniteNumber(op, 'stop', stop);
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`${op}: 'count' must be a non-negative integer, got ${describeValue(count)}`);
  const dtype = creationOptions(op, options, CREATION_OPTIONS, 'float32');
  checkNumericRange(op, dtype);
  if (count > 0) {
    checkStorable(op, "'start' is", dtype, start);
    checkStorable(op, "'stop' is", dtype, stop);
  }
  const values = allocateArray(dtype, count);
  const step = count > 1 ? (stop - start) / (count - 1) : 0;
  for (let index = 0; index < count; index++)
    values[index] = index === count - 1 && count > 1 ? stop : start + index * step;
  const backend = backendOption(op, options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), [count], dtype);
}

/** The identity matrix (`rows`×`columns`, square by default). */
export function eye(rows: number, columns = rows, options: CreationOptions = {}): Tensor {
  const op = 'eye';
  checkShape(op, 'shape', [rows, columns]);
  const dtype = creationOptions(op, options, CREATION_OPTIONS, 'float32');
  const values = allocateArray(dtype, rows * columns);
  for (let index = 0; index < Math.min(rows, columns); index++) values[index * columns + index] = 1;
  const backend = backendOption(op, options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), [rows, columns], dtype);
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreationOptions {
  /** The generator to draw from (see `seed`); a global default otherwise. */
  generator?: RandomGenerator;
}

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

function randomTensor(
  op: string,
  shape: Shape,
  options: RandomOptions,
  fallback: DType,
  draw: (generator: RandomGenerator) => number,
): Tensor {
  // The caller has checked the option names; shape, dtype and generator are checked here.
  checkShape(op, 'shape', shape as number[]);
  const dtype = options.dtype ?? fallback;
  assertDType(op, dtype);
  const generator = options.generator ?? defaultGenerator();
  if (
    typeof (generator as Partial<RandomGenerator>).uniform !== 'function' ||
    typeof (generator as Partial<RandomGenerator>).normal !== 'function'
  ) {
    throw new TypeError(`${op}: 'generator' must be a RandomGenerator (from seed()), got ${describeValue(generator)}`);
  }
  const values = allocateArray(dtype, sizeOf(shape));
  for (let index = 0; index < values.length; index++) values[index] = draw(generator);
  const backend = backendOption(op, options.backend);
  return wrapStorage(backend, backend.upload(values, dtype), shape, dtype);
}

/**
 * Throws unless a continuous distribution's dtype is a float: sampling into int32 or bool
 * would truncate every sample (PyTorch raises for `torch.randn(3, dtype=torch.int32)` too).
 */
function checkFloatSamples(op: string, options: RandomOptions): void {
  if (options?.dtype !== undefined && !isFloatingDType(options.dtype)) {
    assertDType(op, options.dtype);
    throw new TypeError(
      `${op}: 'dtype' must be float32 or float64, got ${options.dtype} (samples would be truncated; use randint for integers)`,
    );
  }
}

/** Throws unless a distribution parameter is finite and, in float32, representable. */
function checkParameter(op: string, name: string, value: unknown, dtype: DType | undefined): asserts value is number {
  checkFiniteNumber(op, name, value);
  if ((dtype ?? 'float32') === 'float32' && Math.abs(value) > FLOAT32_MAX) {
    throw new RangeError(`${op}: '${name}' is ${value}, out of range for float32 (largest ${FLOAT32_MAX})`);
  }
}

/**
 * Uniform samples in [low, high), which must be finite with low < high.
 *
 * @example
 * rand([2, 2], { generator: seed(1) })
 */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const op = 'rand';
  checkOptionKeys(op, options, [...CREATION_OPTIONS, 'generator', 'low', 'high']);
  checkFloatSamples(op, options);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  checkParameter(op, 'low', low, options.dtype);
  checkParameter(op, 'high', high, options.dtype);
  if (!(high > low)) throw new Error(`${op}: 'high' (${high}) must be greater than 'low' (${low})`);
  const dtype = options.dtype ?? 'float32';
  // low + (high − low)·u can round up to `high` (always for u near 1 in float32), so clamp to
  // the largest value of the dtype below `high` to keep the interval half-open.
  const ceiling = largestBelow(high, dtype as 'float32' | 'float64');
  return randomTensor(op, shape, options, 'float32', (generator) =>
    Math.min(low + (high - low) * generator.uniform(), ceiling),
  );
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

/** Normal samples with `mean` and `std` (standard normal by default); float dtypes only. */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const op = 'randn';
  checkOptionKeys(op, options, [...CREATION_OPTIONS, 'generator', 'mean', 'std']);
  checkFloatSamples(op, options);
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  checkParameter(op, 'mean', mean, options.dtype);
  if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) {
    throw new Error(`${op}: 'std' must be finite and non-negative, got ${describeValue(std)}`);
  }
  return randomTensor(op, shape, options, 'float32', (generator) => mean + std * generator.normal());
}

/** Integers uniformly drawn from [low, high), int32 by default (float32 and float64 allowed). */
export function randint(low: number, high: number, shape: Shape, options: RandomOptions = {}): Tensor {
  const op = 'randint';
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`${op}: need integers low < high, got low=${describeValue(low)}, high=${describeValue(high)}`);
  }
  checkOptionKeys(op, options, [...CREATION_OPTIONS, 'generator']);
  const dtype = options?.dtype ?? 'int32';
  assertDType(op, dtype);
  if (dtype === 'bool') throw new TypeError(`${op}: 'dtype' must be int32, float32 or float64, got bool`);
  if (dtype === 'int32') {
    checkStorable(op, "'low' is", dtype, low);
    // high is exclusive: the largest drawn value is high − 1.
    if (high - 1 > 2147483647)
      throw new RangeError(`${op}: 'high' is ${high}, out of range for int32 (at most 2147483648, exclusive)`);
  }
  return randomTensor(op, shape, options, 'int32', (generator) => low + generator.integer(high - low));
}

/** True when a value is a tensor; re-exported for users' type guards. */
export { isTensor };
