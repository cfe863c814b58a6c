import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describeValue, requireOptions } from '../validation.js';
import { decodeIdx, type IdxArray, type IdxExpectation } from './idx-format.js';

export {
  parseIdx,
  type IdxArray,
  type IdxData,
  type IdxDataType,
  type IdxExpectation,
  type ParseIdxOptions,
} from './idx-format.js';
/**
 * Reads an IDX file from disk, decompressing it first when it is gzip-compressed.
 *
 * Compression is detected from the content (gzip's magic bytes 0x1f 0x8b), not the name, so
 * both `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz` work. See {@link parseIdx}
 * for the format. Errors name the path: a missing file, a damaged gzip stream, a wrong magic
 * number (`loadIdx: file '/x/train-images-idx3-ubyte' has magic 0x00000000, expected
 * 0x00000803 (unsigned byte, 3 dims)` when `expectation` is given), or a size mismatch.
 *
 * @example
 * const images = loadIdx('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz');
 * images.dimensions; // [10000, 28, 28]
 *
 * Source: the IDX format of the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges).
 */
export function loadIdx(path: string, expectation: IdxExpectation = {}): IdxArray {
  if (typeof path !== 'string' || path.length === 0) {
    throw new Error(`loadIdx: path must be a non-empty string, got ${describeValue(path)}`);
  }
  requireOptions('loadIdx', expectation, ['dataType', 'dimensionCount']);
  const subject = `file '${path}'`;
  return decodeIdx(readMaybeGzipped('loadIdx', path), 'loadIdx', subject, expectation);
}

/**
 * Reads a file, gunzipping it when it starts with the gzip magic bytes.
 *
 * @example
 * const bytes = readMaybeGzipped('loadIdx', '/data/train-labels-idx1-ubyte.gz');
 */
export function readMaybeGzipped(functionName: string, path: string, howToGet?: string): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(`${functionName}: file '${path}' does not exist${howToGet ? `; ${howToGet}` : ''}`);
    }
    throw new Error(`${functionName}: cannot read file '${path}' (${(error as Error).message})`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (error) {
      throw new Error(
        `${functionName}: file '${path}' starts like gzip but does not decompress (${(error as Error).message}); ` +
          'it is probably truncated: download it again',
      );
    }
  }
  return raw;
}
