/**
 * Interchange with the scijs `ndarray` ecosystem. CPU tensors and ndarrays over typed arrays
 * share memory: no copy is made in either direction when the dtype maps to a typed array.
 */
import ndarray, { type NdArray } from 'ndarray';
import { findBackend } from './backend.js';
import { BYTES_PER_ELEMENT, dtypeOfArray, type TypedArray } from './dtype.js';
import { pinArray } from './cpu/buffer-pool.js';
import { Storage } from './engine.js';
import { isTensor, Tensor } from './tensor.js';
import { describe } from './ops/internal.js';
import { describeValue } from './validation/option-keys.js';

/**
 * An ndarray view of a CPU tensor's storage (same memory, same strides and offset).
 *
 * @example
 * const a = toNdarray(tensor([[1, 2], [3, 4]])); a.get(1, 0) // 3
 */
export function toNdarray(t: Tensor): NdArray<TypedArray> {
  if (!isTensor(t)) throw new Error(`toNdarray: 't' must be a Tensor, got ${describe(t)}`);
  t.assertAlive('toNdarray');
  if (t.backend.name !== 'cpu') {
    throw new Error(`toNdarray: tensor is on the '${t.backend.name}' backend; move it with .to('cpu') first`);
  }
  // The ndarray outlives the tensor's storage bookkeeping, so the array must never be recycled.
  pinArray(t.storage.data as TypedArray);
  return ndarray(t.storage.data as TypedArray, [...t.shape], [...t.strides], t.offset);
}

/**
 * A CPU tensor over an ndarray's data. Typed-array data (Float32Array, Float64Array,
 * Int32Array, Uint8Array) is shared without copying; plain arrays are copied into float32.
 */
export function fromNdarray(array: NdArray): Tensor {
  const candidate = array as Partial<NdArray> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    !Array.isArray(candidate.shape) ||
    !Array.isArray(candidate.stride) ||
    typeof candidate.get !== 'function'
  ) {
    throw new Error(
      `fromNdarray: 'array' must be an ndarray (with data, shape, stride and get), got ${describe(array)}`,
    );
  }
  const data = array.data as unknown;
  const cpu = findBackend('cpu');
  if (
    data instanceof Float32Array ||
    data instanceof Float64Array ||
    data instanceof Int32Array ||
    data instanceof Uint8Array
  ) {
    const dtype = dtypeOfArray(data);
    const storage = new Storage(cpu, data, data.length * BYTES_PER_ELEMENT[dtype]);
    return new Tensor(storage, array.shape, dtype, array.stride, array.offset);
  }
  const values = new Float32Array(array.size);
  let position = 0;
  const index = new Array<number>(array.dimension).fill(0);
  for (let flat = 0; flat < array.size; flat++) {
    const value: unknown = array.get(...index);
    // Number('a') would be a silent NaN; booleans count as 0 and 1, as in tensor().
    if (typeof value !== 'number' && typeof value !== 'boolean')
      throw new Error(`fromNdarray: 'array' holds ${describeValue(value)}, not a number`);
    values[position++] = Number(value);
    for (let axis = array.dimension - 1; axis >= 0; axis--) {
      if (++index[axis]! < array.shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return new Tensor(new Storage(cpu, values, values.byteLength), array.shape, 'float32');
}
