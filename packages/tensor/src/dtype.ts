/**
 * Element types a tensor can hold.
 *
 * `float32` is the default everywhere; `float64` exists on the CPU for gradient checks and
 * reference computations; `int32` holds indices and counts; `bool` holds masks (stored as one
 * byte per element, 0 or 1).
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The list of every dtype, in promotion order (bool < int32 < float32 < float64). */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/** The typed array that stores each dtype on the CPU. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Maps a dtype to its storage array type. */
export interface DTypeArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int32: 4,
  bool: 1,
};

/**
 * Allocates a zero-filled typed array for `size` elements of `dtype`.
 *
 * @example
 * allocateArray('float32', 3) // Float32Array [0, 0, 0]
 */
export function allocateArray<D extends DType>(dtype: D, size: number): DTypeArrayMap[D] {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size) as DTypeArrayMap[D];
    case 'float64':
      return new Float64Array(size) as DTypeArrayMap[D];
    case 'int32':
      return new Int32Array(size) as DTypeArrayMap[D];
    case 'bool':
      return new Uint8Array(size) as DTypeArrayMap[D];
    default:
      throw new Error(`allocateArray: unknown dtype '${String(dtype)}', expected one of ${DTYPES.join(', ')}`);
  }
}

/** True for `float32` and `float64`. */
export function isFloatingDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Checks that a value names a dtype, throwing an error that names the op otherwise. */
export function assertDType(op: string, value: unknown): asserts value is DType {
  if (typeof value !== 'string' || !(DTYPES as readonly string[]).includes(value)) {
    throw new Error(`${op}: 'dtype' must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

/**
 * The dtype of an arithmetic result with operands of dtypes `a` and `b` (NumPy/PyTorch style
 * promotion: the wider of the two, with bool < int32 < float32 < float64).
 */
export function promoteTypes(a: DType, b: DType): DType {
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}

/** The dtype a typed array stores, for arrays handed to `tensor()`. */
export function dtypeOfArray(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Float64Array) return 'float64';
  if (values instanceof Int32Array) return 'int32';
  return 'bool';
}
