/**
 * Saving and restoring optimizer state as JSON-safe data, exactly.
 *
 * The saved form keeps the state's own nesting, so every per-parameter entry sits under the
 * parameter's path (`adam.firstMoment.layer.weight`), not at a position. Tensors become
 * `{ $tensor: { dtype, shape, data } }` with `data` the base64 of their little-endian bytes,
 * so values round-trip bit for bit; numbers JSON cannot hold (NaN, ±Infinity, −0) and
 * `undefined` are tagged too.
 */
import { decodeBase64, encodeBase64, isTensor, tensor, type DType, type Tensor, type TypedArray } from '@vane/tensor';

/** The JSON-safe form of a saved state (what {@link serializeState} returns). */
export interface SerializedState {
  format: 'vane.optim.state';
  version: 1;
  state: SerializedValue;
}

/** A JSON value. */
export type SerializedValue = null | boolean | number | string | SerializedValue[] | { [key: string]: SerializedValue };

/** Options of {@link deserializeState}. */
export interface DeserializeOptions {
  /** Backend for the restored tensors (default: the current backend). */
  backend?: string;
}

const FORMAT = 'vane.optim.state';
const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function encode(value: unknown, path: string, read: (t: Tensor) => TypedArray): SerializedValue {
  const where = path || '(root)';
  if (value === null) return null;
  if (value === undefined) return { $undefined: true };
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { $number: 'NaN' };
    if (value === Infinity) return { $number: 'Infinity' };
    if (value === -Infinity) return { $number: '-Infinity' };
    if (Object.is(value, -0)) return { $number: '-0' };
    return value;
  }
  if (isTensor(value)) {
    if (!LITTLE_ENDIAN) throw new Error('serializeState: big-endian platforms are not supported');
    const values = read(value);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    return { $tensor: { dtype: value.dtype, shape: [...value.shape], data: encodeBase64(bytes) } };
  }
  if (Array.isArray(value))
    return value.map((item, index) => encode(item, path ? `${path}.${index}` : String(index), read));
  if (typeof value === 'object' && isPlainObject(value)) {
    const entries = Object.entries(value).map(
      ([key, child]) => [key, encode(child, path ? `${path}.${key}` : key, read)] as const,
    );
    const object = Object.fromEntries(entries) as { [key: string]: SerializedValue };
    // Keys starting with '$' would be mistaken for tags, so such objects are wrapped.
    return entries.some(([key]) => key.startsWith('$')) ? { $object: object } : object;
  }
  const kind =
    typeof value === 'function'
      ? 'a function'
      : typeof value === 'object'
        ? `an instance of ${value.constructor?.name ?? 'a class'}`
        : typeof value;
  throw new TypeError(
    `serializeState: the state at '${where}' is ${kind}; states may hold only numbers, booleans, strings, null, arrays, plain objects and tensors`,
  );
}

/**
 * The JSON-safe form of an optimizer state (any value made of numbers, booleans, strings,
 * null, undefined, arrays, plain objects and tensors). Tensors are read synchronously; use
 * {@link serializeStateAsync} on backends that only read asynchronously.
 *
 * @param state - a state returned by `init` or `update`.
 * @returns data that `JSON.stringify` turns into text and {@link deserializeState} restores.
 * @example
 * const text = JSON.stringify(serializeState(state));
 * const restored = deserializeState(JSON.parse(text));
 */
export function serializeState(state: unknown): SerializedState {
  return { format: FORMAT, version: 1, state: encode(state, '', (t) => t.dataSync()) };
}

/**
 * {@link serializeState} for backends whose tensors can only be read asynchronously.
 *
 * @example
 * const saved = await serializeStateAsync(state);
 */
export async function serializeStateAsync(state: unknown): Promise<SerializedState> {
  const values = new Map<Tensor, TypedArray>();
  const collect = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (isTensor(value)) values.set(value, undefined as unknown as TypedArray);
    else if (Array.isArray(value)) value.forEach(collect);
    else Object.values(value).forEach(collect);
  };
  collect(state);
  for (const t of values.keys()) values.set(t, await t.data());
  return { format: FORMAT, version: 1, state: encode(state, '', (t) => values.get(t)!) };
}

function decode(value: SerializedValue, path: string, backend: string | undefined): unknown {
  const where = path || '(root)';
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value))
    return value.map((item, index) => decode(item, path ? `${path}.${index}` : String(index), backend));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0]!.startsWith('$')) {
    const tag = keys[0]!;
    const body = value[tag]!;
    if (tag === '$undefined') return undefined;
    if (tag === '$number') {
      const table: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };
      if (typeof body !== 'string' || !(body in table)) throw new Error(`deserializeState: bad $number at '${where}'`);
      return table[body];
    }
    if (tag === '$object') {
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new Error(`deserializeState: bad $object at '${where}'`);
      return Object.fromEntries(
        Object.entries(body).map(([key, child]) => [key, decode(child, path ? `${path}.${key}` : key, backend)]),
      );
    }
    if (tag === '$tensor') return decodeTensor(body, where, backend);
    throw new Error(`deserializeState: unknown tag '${tag}' at '${where}'`);
  }
  return Object.fromEntries(keys.map((key) => [key, decode(value[key]!, path ? `${path}.${key}` : key, backend)]));
}

function decodeTensor(body: SerializedValue, where: string, backend: string | undefined): Tensor {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new Error(`deserializeState: bad $tensor at '${where}'`);
  const { dtype, shape, data } = body as { dtype?: unknown; shape?: unknown; data?: unknown };
  if (typeof dtype !== 'string' || !DTYPES.includes(dtype as DType))
    throw new Error(`deserializeState: bad dtype ${String(dtype)} at '${where}'`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new Error(`deserializeState: bad shape at '${where}'`);
  if (typeof data !== 'string') throw new Error(`deserializeState: bad data at '${where}'`);
  if (!LITTLE_ENDIAN) throw new Error('deserializeState: big-endian platforms are not supported');
  const bytes = decodeBase64(data);
  const size = (shape as number[]).reduce((product, d) => product * d, 1);
  const width = dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
  if (bytes.length !== size * width)
    throw new Error(
      `deserializeState: '${where}' has ${bytes.length} bytes, expected ${size * width} for ${dtype}[${(shape as number[]).join(',')}]`,
    );
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const values =
    dtype === 'float32'
      ? new Float32Array(buffer)
      : dtype === 'float64'
        ? new Float64Array(buffer)
        : dtype === 'int32'
          ? new Int32Array(buffer)
          : new Uint8Array(buffer);
  return tensor(values, {
    dtype: dtype as DType,
    shape: shape as number[],
    ...(backend === undefined ? {} : { backend }),
  });
}

/**
 * Restores a state saved by {@link serializeState}: tensors get their exact values back,
 * on the current backend unless `options.backend` names another.
 *
 * @param data - the saved form (for example `JSON.parse` of the saved text).
 * @example
 * const state = deserializeState(JSON.parse(readFileSync('optimizer.json', 'utf8')));
 */
export function deserializeState<S = unknown>(data: SerializedState | unknown, options: DeserializeOptions = {}): S {
  const saved = data as Partial<SerializedState> | null;
  if (saved === null || typeof saved !== 'object' || saved.format !== FORMAT) {
    throw new Error(`deserializeState: not a saved optimizer state (expected format '${FORMAT}')`);
  }
  if (saved.version !== 1)
    throw new Error(`deserializeState: unsupported version ${String(saved.version)} (this build reads version 1)`);
  return decode(saved.state as SerializedValue, '', options.backend) as S;
}
