import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIdx, parseIdx, type IdxDataType } from './idx.js';

const TYPE_CODES: Record<IdxDataType, { code: number; bytes: number }> = {
  uint8: { code: 0x08, bytes: 1 },
  int8: { code: 0x09, bytes: 1 },
  int16: { code: 0x0b, bytes: 2 },
  int32: { code: 0x0c, bytes: 4 },
  float32: { code: 0x0d, bytes: 4 },
  float64: { code: 0x0e, bytes: 8 },
};

/** Writes an IDX file from the format description: magic, big-endian sizes, big-endian values. */
function encodeIdx(dataType: IdxDataType, dimensions: number[], values: number[]): Uint8Array {
  const { code, bytes } = TYPE_CODES[dataType];
  const header = 4 + 4 * dimensions.length;
  const buffer = new ArrayBuffer(header + values.length * bytes);
  const view = new DataView(buffer);
  view.setUint8(2, code);
  view.setUint8(3, dimensions.length);
  dimensions.forEach((size, axis) => view.setUint32(4 + 4 * axis, size, false));
  values.forEach((value, index) => {
    const offset = header + index * bytes;
    if (dataType === 'uint8') view.setUint8(offset, value);
    else if (dataType === 'int8') view.setInt8(offset, value);
    else if (dataType === 'int16') view.setInt16(offset, value, false);
    else if (dataType === 'int32') view.setInt32(offset, value, false);
    else if (dataType === 'float32') view.setFloat32(offset, value, false);
    else view.setFloat64(offset, value, false);
  });
  return new Uint8Array(buffer);
}

const directory = mkdtempSync(join(tmpdir(), 'vane-idx-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('parseIdx', () => {
  it('decodes the example from the MNIST description: a 1-D unsigned byte array', () => {
    const parsed = parseIdx(Uint8Array.of(0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9));
    expect(parsed.dataType).toBe('uint8');
    expect(parsed.dimensions).toEqual([3]);
    expect(Array.from(parsed.data)).toEqual([7, 8, 9]);
  });

  it('decodes every element type from big-endian', () => {
    const cases: Array<[IdxDataType, number[]]> = [
      ['uint8', [0, 1, 255, 128]],
      ['int8', [-128, -1, 0, 127]],
      ['int16', [-32768, -2, 300, 32767]],
      ['int32', [-2147483648, -70000, 1, 2147483647]],
      ['float32', [-1.5, 0, 0.25, 1.5 * 2 ** 100]], // all exactly representable in float32
      ['float64', [-1e-300, Math.PI, 0, 1e300]],
    ];
    for (const [dataType, values] of cases) {
      const parsed = parseIdx(encodeIdx(dataType, [2, 2], values));
      expect(parsed.dataType).toBe(dataType);
      expect(parsed.dimensions).toEqual([2, 2]);
      expect(Array.from(parsed.data)).toEqual(values);
    }
  });

  it('reports each malformation clearly', () => {
    expect(() => parseIdx(Uint8Array.of(0, 0, 8))).toThrow(
      'parseIdx: buffer has 3 bytes, too few for the 4-byte IDX magic number',
    );
    expect(() => parseIdx(Uint8Array.of(0x1f, 0x8b, 8, 0))).toThrow(
      'parseIdx: buffer has magic 0x1f8b0800, but IDX files start with two zero bytes',
    );
    expect(() => parseIdx(Uint8Array.of(0, 0, 0x0a, 1))).toThrow(
      'parseIdx: buffer has magic 0x00000a01 with unknown type byte 0x0a, expected one of 0x08 (unsigned byte)',
    );
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 0))).toThrow(
      'parseIdx: buffer has magic 0x00000800 declaring 0 dimensions, expected at least 1',
    );
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 2, 0, 0, 0, 1))).toThrow(
      'parseIdx: buffer is truncated: 8 bytes, but the header of 2 dimensions needs 12',
    );
    expect(() => parseIdx(encodeIdx('uint8', [2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 15))).toThrow(
      'parseIdx: buffer is truncated: 3 data bytes after the header, expected 6 for dimensions [2, 3] of unsigned byte',
    );
    expect(() => parseIdx(Uint8Array.of(...encodeIdx('int16', [1], [5]), 0))).toThrow(
      'parseIdx: buffer has 1 unexpected trailing bytes: 3 data bytes after the header, expected 2 for dimensions [1] of short',
    );
  });

  it('checks expectations against the header', () => {
    const labels = encodeIdx('uint8', [2], [1, 2]);
    expect(() =>
      parseIdx(labels, { dataType: 'uint8', dimensionCount: 3, source: "file '/x/train-images-idx3-ubyte'" }),
    ).toThrow(
      "parseIdx: file '/x/train-images-idx3-ubyte' has magic 0x00000801, expected 0x00000803 (unsigned byte, 3 dims)",
    );
    expect(() => parseIdx(labels, { dataType: 'float32' })).toThrow(
      'parseIdx: buffer holds unsigned byte values (type byte 0x08), expected float (0x0d)',
    );
    expect(() => parseIdx(labels, { dimensionCount: 2 })).toThrow('parseIdx: buffer has 1 dimensions, expected 2');
  });

  it('never fails with anything but its own Error on arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        try {
          const parsed = parseIdx(bytes);
          expect(parsed.data.length).toBe(parsed.dimensions.reduce((product, size) => product * size, 1));
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect(error).not.toBeInstanceOf(RangeError);
          expect(error).not.toBeInstanceOf(TypeError);
          expect((error as Error).message).toMatch(/^parseIdx: buffer /);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parses near-valid files exactly when their size adds up (fuzz)', () => {
    const plausible = fc.record({
      dataType: fc.constantFrom<IdxDataType>('uint8', 'int8', 'int16', 'int32', 'float32', 'float64'),
      dimensions: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
      sizeError: fc.integer({ min: -3, max: 3 }),
      hugeDimension: fc.boolean(),
    });
    fc.assert(
      fc.property(plausible, ({ dataType, dimensions, sizeError, hugeDimension }) => {
        const sizes = hugeDimension ? [0xffffffff, ...dimensions] : dimensions;
        const elements = dimensions.reduce((product, size) => product * size, 1);
        const valid = encodeIdx(dataType, sizes, new Array<number>(elements).fill(1));
        const length = Math.max(0, valid.length + sizeError);
        const bytes = new Uint8Array(length);
        bytes.set(valid.subarray(0, Math.min(valid.length, length)));
        const shouldParse = sizeError === 0 && (!hugeDimension || elements === 0);
        if (shouldParse) {
          const parsed = parseIdx(bytes);
          expect(parsed.dimensions).toEqual(sizes);
          expect(Array.from(parsed.data)).toEqual(new Array<number>(elements).fill(1));
        } else {
          expect(() => parseIdx(bytes)).toThrow(/^parseIdx: buffer (is truncated|has \d+ unexpected trailing bytes)/);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('loadIdx', () => {
  it('reads plain and gzip-compressed files alike', () => {
    const bytes = encodeIdx('uint8', [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 255]);
    const plainPath = join(directory, 'plain-idx3-ubyte');
    const gzipPath = join(directory, 'packed-idx3-ubyte.gz');
    writeFileSync(plainPath, bytes);
    writeFileSync(gzipPath, gzipSync(bytes));
    for (const path of [plainPath, gzipPath]) {
      const parsed = loadIdx(path, { dataType: 'uint8', dimensionCount: 3 });
      expect(parsed.dimensions).toEqual([2, 2, 2]);
      expect(Array.from(parsed.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 255]);
    }
  });

  it('names the path in every error', () => {
    const missing = join(directory, 'missing-idx1-ubyte');
    expect(() => loadIdx(missing)).toThrow(`loadIdx: file '${missing}' does not exist`);
    const zeros = join(directory, 'train-images-idx3-ubyte');
    writeFileSync(zeros, new Uint8Array(16));
    expect(() => loadIdx(zeros, { dataType: 'uint8', dimensionCount: 3 })).toThrow(
      `loadIdx: file '${zeros}' has magic 0x00000000, expected 0x00000803 (unsigned byte, 3 dims)`,
    );
    const brokenGzip = join(directory, 'broken-idx1-ubyte.gz');
    writeFileSync(brokenGzip, gzipSync(encodeIdx('uint8', [100], new Array<number>(100).fill(3))).subarray(0, 20));
    expect(() => loadIdx(brokenGzip)).toThrow(`loadIdx: file '${brokenGzip}' starts like gzip but does not decompress`);
    expect(() => loadIdx('')).toThrow("loadIdx: path must be a non-empty string, got ''");
  });
});
