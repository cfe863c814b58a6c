/**
 * The safetensors format itself, shared by the in-memory functions (`encodeSafetensors`,
 * `decodeSafetensors`) and the streaming file functions (`saveSafetensors`, `readSafetensors`):
 * which dtypes exist, what a valid header is, and how bytes become tensors.
 *
 * Writing and reading use the same rules ({@link planSafetensors} checks everything
 * {@link parseSafetensorsHeader} checks), so Vane never writes a file it would refuse to read.
 *
 * Format: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON mapping each
 * tensor name to `{ dtype, shape, data_offsets }` (plus an optional `__metadata__` map of
 * strings), then the raw little-endian tensor bytes; `data_offsets` are `[begin, end)` relative
 * to the end of the header (https://github.com/huggingface/safetensors#format).
 *
 * Source: `packages/nn/src/io/safetensors-format.ts`.
 */
import { formatShape, isTensor, tensor, type DType, type Tensor } from '@vane/tensor';

/** Names of the safetensors dtypes that Vane reads. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each readable dtype. */
export const ELEMENT_BYTES: Readonly<Record<SafetensorsDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** The dtype each Vane dtype is written as (all four round-trip bit for bit). */
export const FROM_VANE: Readonly<Record<DType, SafetensorsDType>> = {
  float64: 'F64',
  float32: 'F32',
  int32: 'I32',
  bool: 'BOOL',
};

/**
 * Headers larger than this are refused before parsing, by the reader and by the writer. The
 * reference implementation (Rust `safetensors`) uses the same 100 MB limit, so a file Vane
 * writes stays readable there too.
 */
export const MAX_HEADER_BYTES = 100_000_000;

/** The reserved header key that holds the string metadata. */
export const METADATA_ENTRY = '__metadata__';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error(
    '@vane/nn safetensors: this platform is big-endian; the reader and writer assume little-endian typed arrays',
  );
}

/** One tensor's header entry, validated. */
export interface HeaderEntry {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Byte range in the data section, `[begin, end)`. */
  readonly begin: number;
  readonly end: number;
}

/** A header ready to write, and the bytes of each tensor in file order. */
export interface SafetensorsPlan {
  /** The 8-byte length followed by the padded JSON header. */
  readonly prefix: Uint8Array;
  /** Each tensor's name and little-endian bytes, in the order they follow the header. */
  readonly blobs: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  /** Total bytes after the header. */
  readonly dataBytes: number;
}

/** A parsed header: the metadata strings and the tensor entries in header order. */
export interface ParsedHeader {
  readonly metadata: Record<string, string>;
  readonly entries: readonly (readonly [string, HeaderEntry])[];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// String.prototype.isWellFormed is Node 20+ but not in this TypeScript lib.
function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

// A name must survive JSON in every reader: the reference reader (serde_json) rejects lone
// surrogates, so a name with one is refused on both sides.
function nameProblem(name: string): string | undefined {
  if (name === METADATA_ENTRY) return `'${METADATA_ENTRY}' is reserved for the metadata and cannot name a tensor`;
  if (!isWellFormed(name))
    return `the name ${JSON.stringify(name)} contains a lone UTF-16 surrogate, which is not valid UTF-8`;
  return undefined;
}

function checkShape(where: string, name: string, shape: unknown, elementBytes: number): number {
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new Error(
      `${where}: tensor '${name}' has invalid shape ${JSON.stringify(shape)} (sizes must be non-negative integers)`,
    );
  }
  const bytes = (shape as number[]).reduce((product, size) => product * size, elementBytes);
  if (!Number.isSafeInteger(bytes))
    throw new Error(
      `${where}: tensor '${name}' has shape ${formatShape(shape as number[])}, whose byte size exceeds 2^53`,
    );
  return bytes;
}

function encodeHeader(where: string, header: object, maxHeaderBytes: number): Uint8Array {
  const json = JSON.stringify(header);
  // The reference writer pads with spaces to a multiple of 8 so the data stays aligned.
  const unpadded = new TextEncoder().encode(json);
  const length = unpadded.length + ((8 - (unpadded.length % 8)) % 8);
  if (length > maxHeaderBytes) {
    throw new Error(
      `${where}: the header would be ${length} bytes, over the limit of ${maxHeaderBytes} bytes that readers accept (too many tensors or too much metadata)`,
    );
  }
  const prefix = new Uint8Array(8 + length).fill(0x20, 8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(length), true);
  prefix.set(unpadded, 8);
  return prefix;
}

/**
 * Checks `tensors` and `metadata` against every rule the reader applies and lays the file out.
 * Errors name `owner` and the offending tensor or metadata key.
 *
 * @param owner - the public function, for messages (`saveSafetensors: 'model.safetensors'`).
 * @param tensors - name → tensor; a `Map` or an object (own keys, `__proto__` included).
 * @param metadata - string values only.
 * @param maxHeaderBytes - the header size limit (default {@link MAX_HEADER_BYTES}).
 */
export function planSafetensors(
  owner: string,
  tensors: Record<string, Tensor> | ReadonlyMap<string, Tensor>,
  metadata: Record<string, string> = {},
  maxHeaderBytes = MAX_HEADER_BYTES,
): SafetensorsPlan {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))
    throw new Error(`${owner}: metadata must be an object of strings, got ${String(metadata)}`);
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors))
    throw new Error(`${owner}: tensors must be an object or Map of name → tensor, got ${String(tensors)}`);
  // A null-prototype object: a tensor named '__proto__' is then an ordinary key, not a prototype.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const metadataEntries = Object.entries(metadata);
  if (metadataEntries.length > 0) {
    const checked: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, value] of metadataEntries) {
      if (typeof value !== 'string')
        throw new Error(`${owner}: metadata '${key}' must be a string, got ${typeof value}`);
      if (!isWellFormed(key) || !isWellFormed(value))
        throw new Error(`${owner}: metadata '${key}' contains a lone UTF-16 surrogate, which is not valid UTF-8`);
      checked[key] = value;
    }
    header[METADATA_ENTRY] = checked;
  }
  const blobs: { name: string; bytes: Uint8Array }[] = [];
  let offset = 0;
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, value] of entries) {
    const problem = nameProblem(name);
    if (problem) throw new Error(`${owner}: ${problem}`);
    if (!isTensor(value)) throw new Error(`${owner}: '${name}' is not a tensor`);
    const dtype = FROM_VANE[value.dtype];
    if (dtype === undefined)
      throw new Error(
        `${owner}: tensor '${name}' has dtype ${String(value.dtype)}, which safetensors cannot store (float32, float64, int32, bool)`,
      );
    const expectedBytes = checkShape(owner, name, value.shape, ELEMENT_BYTES[dtype]);
    const data = value.dataSync();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length !== expectedBytes)
      throw new Error(
        `${owner}: tensor '${name}' (shape ${formatShape(value.shape)}) holds ${bytes.length} bytes, expected ${expectedBytes}`,
      );
    if (dtype === 'BOOL') checkBoolBytes(owner, name, bytes);
    header[name] = { dtype, shape: [...value.shape], data_offsets: [offset, offset + bytes.length] };
    blobs.push({ name, bytes });
    offset += bytes.length;
    if (!Number.isSafeInteger(offset)) throw new Error(`${owner}: the tensors up to '${name}' exceed 2^53 bytes`);
  }
  return { prefix: encodeHeader(owner, header, maxHeaderBytes), blobs, dataBytes: offset };
}

function checkBoolBytes(where: string, name: string, bytes: Uint8Array): void {
  for (const value of bytes)
    if (value > 1) throw new Error(`${where}: BOOL tensor '${name}' contains the byte ${value} (expected 0 or 1)`);
}

/**
 * Reads the header length from the first 8 bytes and checks it against the bytes that follow
 * and the size limit.
 *
 * @param where - the error prefix naming the source.
 * @param first - the first 8 bytes.
 * @param totalBytes - the size of the whole file or buffer.
 */
export function checkHeaderLength(
  where: string,
  first: Uint8Array,
  totalBytes: number,
  maxHeaderBytes = MAX_HEADER_BYTES,
): number {
  if (totalBytes < 8) throw new Error(`${where} is ${totalBytes} bytes, too short for the 8-byte header length`);
  const headerLength = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(totalBytes - 8))
    throw new Error(
      `${where}: header length ${headerLength} exceeds the ${totalBytes - 8} bytes after it (truncated or not a safetensors file)`,
    );
  if (headerLength > BigInt(maxHeaderBytes))
    throw new Error(`${where}: header length ${headerLength} exceeds the limit of ${maxHeaderBytes} bytes`);
  return Number(headerLength);
}

/**
 * Parses and checks a header: valid UTF-8 JSON object, string metadata, known dtypes, shapes
 * that agree with the byte ranges, and ranges that tile the `dataLength`-byte data section
 * exactly (no gap, no overlap, no trailing bytes).
 */
export function parseSafetensorsHeader(where: string, headerBytes: Uint8Array, dataLength: number): ParsedHeader {
  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    if (!text.startsWith('{')) throw new Error("the header does not start with '{'");
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: the header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${where}: the header must be a JSON object`);
  // JSON.parse makes '__proto__' an own key; null-prototype results keep it one.
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries: [string, HeaderEntry][] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === METADATA_ENTRY) {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw new Error(`${where}: '${METADATA_ENTRY}' must be an object of strings`);
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value !== 'string')
          throw new Error(`${where}: '${METADATA_ENTRY}.${key}' must be a string, got ${JSON.stringify(value)}`);
        metadata[key] = value;
      }
      continue;
    }
    const problem = nameProblem(name);
    if (problem) throw new Error(`${where}: ${problem}`);
    entries.push([name, parseEntry(where, name, raw, dataLength)]);
  }
  // The format requires the byte ranges to tile the data section exactly: no overlap, no gap.
  const sorted = [...entries].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let expectedBegin = 0;
  for (const [name, entry] of sorted) {
    if (entry.begin !== expectedBegin) {
      throw new Error(
        `${where}: tensor '${name}' starts at byte ${entry.begin}, expected ${expectedBegin} (data ranges must be contiguous and non-overlapping)`,
      );
    }
    expectedBegin = entry.end;
  }
  if (expectedBegin !== dataLength)
    throw new Error(
      `${where}: the tensors cover ${expectedBegin} bytes but the data section has ${dataLength} (truncated or trailing bytes)`,
    );
  return { metadata, entries };
}

function parseEntry(where: string, name: string, raw: unknown, dataLength: number): HeaderEntry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(`${where}: entry '${name}' must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(ELEMENT_BYTES, dtype)) {
    throw new Error(
      `${where}: tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ELEMENT_BYTES).join(', ')})`,
    );
  }
  const expectedBytes = checkShape(where, name, shape, ELEMENT_BYTES[dtype as SafetensorsDType]);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((value) => Number.isSafeInteger(value) && value >= 0)
  ) {
    throw new Error(`${where}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength)
    throw new Error(
      `${where}: tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data section`,
    );
  if (end - begin !== expectedBytes) {
    throw new Error(
      `${where}: tensor '${name}' (${dtype}, shape ${formatShape(shape as number[])}) needs ${expectedBytes} bytes but data_offsets span ${end - begin}`,
    );
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

/**
 * The tensor stored in `bytes`, which must be a fresh buffer the tensor may own (offset 0, so
 * typed arrays over it are aligned). F16/BF16 widen to float32, I8/I16/U8 and in-range I64 to int32.
 */
export function bytesToTensor(where: string, name: string, entry: HeaderEntry, bytes: Uint8Array): Tensor {
  const shape = [...entry.shape];
  const buffer = bytes.buffer;
  switch (entry.dtype) {
    case 'F32':
      return tensor(new Float32Array(buffer, 0, bytes.length / 4), { shape, dtype: 'float32' });
    case 'F64':
      return tensor(new Float64Array(buffer, 0, bytes.length / 8), { shape, dtype: 'float64' });
    case 'I32':
      return tensor(new Int32Array(buffer, 0, bytes.length / 4), { shape, dtype: 'int32' });
    case 'BOOL':
      checkBoolBytes(where, name, bytes);
      return tensor(bytes, { shape, dtype: 'bool' });
    case 'F16':
      return tensor(Float32Array.from(new Uint16Array(buffer, 0, bytes.length / 2), halfToFloat), {
        shape,
        dtype: 'float32',
      });
    case 'BF16':
      return tensor(
        Float32Array.from(
          new Uint16Array(buffer, 0, bytes.length / 2),
          (bits) => new Float32Array(new Uint32Array([bits << 16]).buffer)[0]!,
        ),
        { shape, dtype: 'float32' },
      );
    case 'I8':
      return tensor(Int32Array.from(new Int8Array(buffer, 0, bytes.length)), { shape, dtype: 'int32' });
    case 'I16':
      return tensor(Int32Array.from(new Int16Array(buffer, 0, bytes.length / 2)), { shape, dtype: 'int32' });
    case 'U8':
      return tensor(Int32Array.from(bytes), { shape, dtype: 'int32' });
    case 'I64': {
      const wide = new BigInt64Array(buffer, 0, bytes.length / 8);
      const narrow = new Int32Array(wide.length);
      wide.forEach((value, index) => {
        if (value > 2147483647n || value < -2147483648n)
          throw new Error(
            `${where}: I64 tensor '${name}' holds ${value}, outside the int32 range Vane stores integers in`,
          );
        narrow[index] = Number(value);
      });
      return tensor(narrow, { shape, dtype: 'int32' });
    }
  }
}
