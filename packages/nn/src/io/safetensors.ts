/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian unsigned header length
 * N, N bytes of UTF-8 JSON mapping each tensor name to `{ dtype, shape, data_offsets }` (plus
 * an optional `__metadata__` map of strings), then the raw little-endian tensor bytes;
 * `data_offsets` are `[begin, end)` relative to the end of the header. Format description:
 * https://github.com/huggingface/safetensors#format.
 *
 * Reading is strict (any inconsistency is an error naming the file and the field) because
 * a silently misread checkpoint is worse than a refused one.
 *
 * Source: `packages/nn/src/io/safetensors.ts`.
 */
import { readFileSync } from 'node:fs';
import { formatShape, tensor, type DType, type Tensor } from '@vane/tensor';
import { writeFileAtomic } from './atomic-write';

/** Names of the safetensors dtypes that Vane reads. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const ELEMENT_BYTES: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
const FROM_VANE: Record<DType, SafetensorsDType> = { float64: 'F64', float32: 'F32', int32: 'I32', bool: 'BOOL' };
// Headers larger than this are refused before parsing (the reference implementation uses 100 MB).
const MAX_HEADER_BYTES = 100_000_000;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('@vane/nn safetensors: this platform is big-endian; the reader and writer assume little-endian typed arrays');
}

/** A decoded file: tensors by name and the `__metadata__` strings. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * The bytes of a safetensors file holding `tensors` (float32 → F32, float64 → F64, int32 →
 * I32, bool → BOOL) and `metadata`. Tensors are stored in the order given; the header is
 * padded with spaces to a multiple of 8 bytes, as the reference writer does, so data stays aligned.
 *
 * @example
 * const bytes = encodeSafetensors({ weight: ones([2, 2]) }, { format: 'pt' });
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new Error(`encodeSafetensors: metadata '${key}' must be a string, got ${typeof value}`);
    }
    header.__metadata__ = metadata;
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, value] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new Error("encodeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (!value || (value as { isTensor?: boolean }).isTensor !== true) throw new Error(`encodeSafetensors: '${name}' is not a tensor`);
    const data = value.dataSync();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype: FROM_VANE[value.dtype], shape: [...value.shape], data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  let encoded = new TextEncoder().encode(json);
  const padding = (8 - (encoded.length % 8)) % 8;
  if (padding > 0) {
    json += ' '.repeat(padding);
    encoded = new TextEncoder().encode(json);
  }
  const result = new Uint8Array(8 + encoded.length + offset);
  new DataView(result.buffer).setBigUint64(0, BigInt(encoded.length), true);
  result.set(encoded, 8);
  let position = 8 + encoded.length;
  for (const blob of blobs) {
    result.set(blob, position);
    position += blob.length;
  }
  return result;
}

/** Options of {@link decodeSafetensors}. */
export interface DecodeOptions {
  /** How the bytes are named in errors (the path, for files). */
  source?: string;
}

interface HeaderEntry {
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file. F32/F64/I32/BOOL load as float32/float64/int32/bool; F16 and
 * BF16 are widened to float32; I8/I16/U8 to int32; I64 to int32 when every value fits
 * (otherwise an error). Throws an error naming the source and the problem for a truncated
 * file, a bad header, unknown dtypes, shapes that disagree with the byte ranges, and
 * overlapping, out-of-range or gapped data.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(readFileSync('model.safetensors'));
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): SafetensorsContents {
  const where = `decodeSafetensors: ${options.source ? `'${options.source}'` : 'input'}`;
  if (bytes.length < 8) throw new Error(`${where} is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) throw new Error(`${where}: header length ${headerLength} exceeds the ${bytes.length - 8} bytes after it (truncated or not a safetensors file)`);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) throw new Error(`${where}: header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  const length = Number(headerLength);
  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length));
    if (!text.startsWith('{')) throw new Error("the header does not start with '{'");
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${where}: the header must be a JSON object`);
  const dataStart = 8 + length;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: [string, HeaderEntry][] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: '__metadata__' must be an object of strings`);
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value !== 'string') throw new Error(`${where}: '__metadata__.${key}' must be a string, got ${JSON.stringify(value)}`);
        metadata[key] = value;
      }
      continue;
    }
    entries.push([name, parseEntry(where, name, raw, dataLength)]);
  }
  // The format requires the byte ranges to tile the data section exactly: no overlap, no gap.
  const sorted = [...entries].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let expectedBegin = 0;
  for (const [name, entry] of sorted) {
    if (entry.begin !== expectedBegin) {
      throw new Error(`${where}: tensor '${name}' starts at byte ${entry.begin}, expected ${expectedBegin} (data ranges must be contiguous and non-overlapping)`);
    }
    expectedBegin = entry.end;
  }
  if (expectedBegin !== dataLength) throw new Error(`${where}: the tensors cover ${expectedBegin} bytes but the data section has ${dataLength} (truncated or trailing bytes)`);
  const tensors: Record<string, Tensor> = {};
  for (const [name, entry] of entries) tensors[name] = toTensor(where, name, entry, bytes.subarray(dataStart + entry.begin, dataStart + entry.end));
  return { tensors, metadata };
}

function parseEntry(where: string, name: string, raw: unknown, dataLength: number): HeaderEntry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: entry '${name}' must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in ELEMENT_BYTES)) throw new Error(`${where}: tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ELEMENT_BYTES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) throw new Error(`${where}: tensor '${name}' has invalid shape ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((value) => Number.isSafeInteger(value) && value >= 0)) {
    throw new Error(`${where}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) throw new Error(`${where}: tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data section`);
  const count = (shape as number[]).reduce((product, size) => product * size, 1);
  const expectedBytes = count * ELEMENT_BYTES[dtype as SafetensorsDType];
  if (end - begin !== expectedBytes) {
    throw new Error(`${where}: tensor '${name}' (${dtype}, shape ${formatShape(shape as number[])}) needs ${expectedBytes} bytes but data_offsets span ${end - begin}`);
  }
  return { dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end };
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function toTensor(where: string, name: string, entry: HeaderEntry, raw: Uint8Array): Tensor {
  // Copy so the typed array is aligned and independent of the file buffer.
  const bytes = new Uint8Array(raw); // a copy (Buffer.slice would share the file buffer)
  const shape = entry.shape;
  const buffer = bytes.buffer;
  switch (entry.dtype) {
    case 'F32':
      return tensor(new Float32Array(buffer), { shape, dtype: 'float32' });
    case 'F64':
      return tensor(new Float64Array(buffer), { shape, dtype: 'float64' });
    case 'I32':
      return tensor(new Int32Array(buffer), { shape, dtype: 'int32' });
    case 'BOOL':
      for (const value of bytes) if (value > 1) throw new Error(`${where}: BOOL tensor '${name}' contains the byte ${value} (expected 0 or 1)`);
      return tensor(new Uint8Array(buffer), { shape, dtype: 'bool' });
    case 'F16':
      return tensor(Float32Array.from(new Uint16Array(buffer), halfToFloat), { shape, dtype: 'float32' });
    case 'BF16':
      return tensor(Float32Array.from(new Uint16Array(buffer), (bits) => new Float32Array(new Uint32Array([bits << 16]).buffer)[0]!), { shape, dtype: 'float32' });
    case 'I8':
      return tensor(Int32Array.from(new Int8Array(buffer)), { shape, dtype: 'int32' });
    case 'I16':
      return tensor(Int32Array.from(new Int16Array(buffer)), { shape, dtype: 'int32' });
    case 'U8':
      return tensor(Int32Array.from(bytes), { shape, dtype: 'int32' });
    case 'I64': {
      const wide = new BigInt64Array(buffer);
      const narrow = new Int32Array(wide.length);
      wide.forEach((value, index) => {
        if (value > 2147483647n || value < -2147483648n) throw new Error(`${where}: I64 tensor '${name}' holds ${value}, outside the int32 range Vane stores integers in`);
        narrow[index] = Number(value);
      });
      return tensor(narrow, { shape, dtype: 'int32' });
    }
  }
}

/**
 * Writes `tensors` (and string `metadata`) to `path` in the safetensors format, atomically:
 * a crash during the write leaves any previous file intact.
 *
 * @example
 * saveSafetensors('model.safetensors', Object.fromEntries(model.namedParameters()));
 * // Python: safetensors.torch.load_file('model.safetensors')
 */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, options: { metadata?: Record<string, string> } = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, options.metadata));
}

/** Options of {@link loadSafetensors}. */
export interface LoadSafetensorsOptions {
  /** Shapes and dtypes the file must have (by name); a mismatch is an error naming the tensor. */
  expected?: Record<string, { shape: readonly number[]; dtype?: DType }>;
}

/**
 * Reads the tensors of a safetensors file (written by Vane, `safetensors`/PyTorch, or any
 * conforming writer), keyed by name. See {@link decodeSafetensors} for dtypes and checks;
 * `readSafetensorsMetadata` gives the metadata.
 *
 * @example
 * const tensors = loadSafetensors('model.safetensors');
 * model.loadParameters(unflattenNamed(Object.entries(tensors)));
 */
export function loadSafetensors(path: string, options: LoadSafetensorsOptions = {}): Record<string, Tensor> {
  const { tensors } = readSafetensors(path);
  for (const [name, want] of Object.entries(options.expected ?? {})) {
    const found = tensors[name];
    if (!found) throw new Error(`loadSafetensors: '${path}' has no tensor '${name}' (it has ${Object.keys(tensors).join(', ') || 'none'})`);
    const shapeMatches = found.shape.length === want.shape.length && found.shape.every((size, axis) => size === want.shape[axis]);
    if (!shapeMatches || (want.dtype && want.dtype !== found.dtype)) {
      throw new Error(`loadSafetensors: '${path}' tensor '${name}' has shape ${formatShape(found.shape)} ${found.dtype}, expected ${formatShape(want.shape)}${want.dtype ? ` ${want.dtype}` : ''}`);
    }
  }
  return tensors;
}

/** The tensors and metadata of a safetensors file. */
export function readSafetensors(path: string): SafetensorsContents {
  return decodeSafetensors(readFileSync(path), { source: path });
}

/** The `__metadata__` strings of a safetensors file. */
export function readSafetensorsMetadata(path: string): Record<string, string> {
  return readSafetensors(path).metadata;
}
