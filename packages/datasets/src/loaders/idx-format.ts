/**
 * The IDX format of the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges) in memory:
 * `parseIdx` decodes bytes, in Node or a browser. Reading files (`loadIdx`) is in `idx.ts`,
 * reached through `@vane/datasets/node`.
 */
import { describeValue, requireOptions } from '../validation.js';

/** Element types of the IDX format, keyed by the type byte of the magic number. */
export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** Typed array returned for each {@link IdxDataType}. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: its element type, its dimensions and its values in row-major order. */
export interface IdxArray {
  /** Element type from the magic number. */
  dataType: IdxDataType;
  /** Dimension sizes, outermost first (e.g. `[60000, 28, 28]` for MNIST training images). */
  dimensions: number[];
  /** `∏ dimensions` values, converted from big-endian to native numbers. */
  data: IdxData;
}

/** Optional expectations checked against the header, for clearer errors on the wrong file. */
export interface IdxExpectation {
  /** Required element type. */
  dataType?: IdxDataType;
  /** Required number of dimensions. */
  dimensionCount?: number;
}

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions extends IdxExpectation {
  /** What the bytes are, for error messages (e.g. `file '/data/train-labels-idx1-ubyte'`). Default `'buffer'`. */
  source?: string;
}

interface TypeInfo {
  code: number;
  dataType: IdxDataType;
  description: string;
  bytes: number;
}

const TYPES: readonly TypeInfo[] = [
  { code: 0x08, dataType: 'uint8', description: 'unsigned byte', bytes: 1 },
  { code: 0x09, dataType: 'int8', description: 'signed byte', bytes: 1 },
  { code: 0x0b, dataType: 'int16', description: 'short', bytes: 2 },
  { code: 0x0c, dataType: 'int32', description: 'int', bytes: 4 },
  { code: 0x0d, dataType: 'float32', description: 'float', bytes: 4 },
  { code: 0x0e, dataType: 'float64', description: 'double', bytes: 8 },
];

const hex32 = (value: number) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
const hex8 = (value: number) => `0x${value.toString(16).padStart(2, '0')}`;

/** Decodes IDX bytes; every failure is an Error whose message starts with `functionName`. */
export function decodeIdx(
  bytes: Uint8Array,
  functionName: string,
  subject: string,
  expectation: IdxExpectation,
): IdxArray {
  const fail = (problem: string): never => {
    throw new Error(`${functionName}: ${subject} ${problem}`);
  };
  if (bytes.length < 4) fail(`has ${bytes.length} bytes, too few for the 4-byte IDX magic number`);
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const expectedType = TYPES.find((type) => type.dataType === expectation.dataType);
  if (expectation.dataType !== undefined && expectedType === undefined) {
    throw new Error(`${functionName}: expected data type ${describeValue(expectation.dataType)} is not an IDX type`);
  }
  const expectedCount = expectation.dimensionCount;
  if (expectedType !== undefined && expectedCount !== undefined) {
    const expectedMagic = (expectedType.code << 8) | expectedCount;
    if (magic !== expectedMagic) {
      fail(
        `has magic ${hex32(magic)}, expected ${hex32(expectedMagic)} (${expectedType.description}, ${expectedCount} dims)`,
      );
    }
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(
      `has magic ${hex32(magic)}, but IDX files start with two zero bytes (is this an IDX file, or a damaged download?)`,
    );
  }
  const type = TYPES.find((candidate) => candidate.code === bytes[2]);
  if (type === undefined) {
    fail(
      `has magic ${hex32(magic)} with unknown type byte ${hex8(bytes[2])}, expected one of ` +
        TYPES.map((candidate) => `${hex8(candidate.code)} (${candidate.description})`).join(', '),
    );
  }
  const info = type as TypeInfo;
  const dimensionCount = bytes[3];
  if (expectedType !== undefined && info !== expectedType) {
    fail(
      `holds ${info.description} values (type byte ${hex8(info.code)}), expected ${expectedType.description} (${hex8(expectedType.code)})`,
    );
  }
  if (expectedCount !== undefined && dimensionCount !== expectedCount) {
    fail(`has ${dimensionCount} dimensions, expected ${expectedCount}`);
  }
  if (dimensionCount === 0) fail(`has magic ${hex32(magic)} declaring 0 dimensions, expected at least 1`);
  const headerBytes = 4 + 4 * dimensionCount;
  if (bytes.length < headerBytes) {
    fail(`is truncated: ${bytes.length} bytes, but the header of ${dimensionCount} dimensions needs ${headerBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dimensions: number[] = [];
  let elements = 1;
  for (let axis = 0; axis < dimensionCount; axis += 1) {
    const size = view.getUint32(4 + 4 * axis, false);
    dimensions.push(size);
    elements *= size; // stays exact below 2^53, and only compared (never allocated) above it
  }
  const available = bytes.length - headerBytes;
  const expectedBytes = elements * info.bytes;
  if (available !== expectedBytes) {
    const shape = `[${dimensions.join(', ')}]`;
    fail(
      available < expectedBytes
        ? `is truncated: ${available} data bytes after the header, expected ${expectedBytes} for dimensions ${shape} of ${info.description}`
        : `has ${available - expectedBytes} unexpected trailing bytes: ${available} data bytes after the header, expected ${expectedBytes} for dimensions ${shape} of ${info.description}`,
    );
  }
  return { dataType: info.dataType, dimensions, data: readValues(view, headerBytes, elements, info.dataType) };
}

function readValues(view: DataView, start: number, count: number, dataType: IdxDataType): IdxData {
  switch (dataType) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + count));
    case 'int16':
      return Int16Array.from({ length: count }, (_, index) => view.getInt16(start + 2 * index, false));
    case 'int32':
      return Int32Array.from({ length: count }, (_, index) => view.getInt32(start + 4 * index, false));
    case 'float32':
      return Float32Array.from({ length: count }, (_, index) => view.getFloat32(start + 4 * index, false));
    case 'float64':
      return Float64Array.from({ length: count }, (_, index) => view.getFloat64(start + 8 * index, false));
  }
}

/**
 * Decodes the bytes of an IDX file (the MNIST container format) already in memory.
 *
 * Layout: a 4-byte magic number `0x00 0x00 T D` (T the element type: 0x08 unsigned byte,
 * 0x09 signed byte, 0x0B 16-bit int, 0x0C 32-bit int, 0x0D float32, 0x0E float64; D the
 * number of dimensions), then D big-endian unsigned 32-bit dimension sizes, then
 * `∏ sizes` big-endian values in row-major order. Any malformed input (wrong magic,
 * truncated header or data, trailing bytes) throws an Error starting with `parseIdx:`.
 *
 * @example
 * const bytes = Uint8Array.of(0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9);
 * parseIdx(bytes); // { dataType: 'uint8', dimensions: [3], data: Uint8Array [7, 8, 9] }
 *
 * Source: Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database of handwritten digits",
 * file format section.
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new Error(`parseIdx: bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  }
  requireOptions('parseIdx', options, ['dataType', 'dimensionCount', 'source']);
  return decodeIdx(bytes, 'parseIdx', options.source ?? 'buffer', options);
}
