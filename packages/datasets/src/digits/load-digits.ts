import { decodeBase64 } from '@vane/tensor';
import { fnv1a32 } from '../encoding/fnv1a.js';
import { unpackBits } from '../encoding/unpack-bits.js';
import { describeValue, requireOptions } from '../validation.js';
import {
  DIGITS_CHECKSUM,
  DIGITS_COUNT,
  DIGITS_LABELS_BASE64,
  DIGITS_PIXEL_BITS,
  DIGITS_PIXEL_SUM,
  DIGITS_PIXELS_BASE64,
} from './digits-data.js';

/** Options of {@link loadDigits}. */
export interface LoadDigitsOptions {
  /** Divide pixels by 16 so they lie in [0, 1] instead of the raw 0..16. Default `false`. */
  normalize?: boolean;
}

/** The 8×8 handwritten digits as returned by {@link loadDigits}. */
export interface Digits {
  /** `count × 64` pixels, row-major per image; raw counts 0..16, or 0..1 with `normalize`. */
  images: Float32Array;
  /** `count` digit labels 0..9, aligned with `images`. */
  labels: Int32Array;
  /** Number of images: 1797. */
  count: number;
  /** Image height in pixels: 8. */
  height: number;
  /** Image width in pixels: 8. */
  width: number;
  /** Number of classes: 10. */
  classes: number;
}

const HEIGHT = 8;
const WIDTH = 8;
const CLASSES = 10;
const MAXIMUM_PIXEL = 16;

let decoded: { pixels: Uint8Array; labels: Uint8Array } | undefined;

/** Decodes the embedded module once and verifies it against the generator's checksum. */
function decodeDigits(): { pixels: Uint8Array; labels: Uint8Array } {
  if (decoded) return decoded;
  const pixels = unpackBits(decodeBase64(DIGITS_PIXELS_BASE64), DIGITS_PIXEL_BITS, DIGITS_COUNT * HEIGHT * WIDTH);
  const labels = unpackBits(decodeBase64(DIGITS_LABELS_BASE64), 4, DIGITS_COUNT);
  const checksum = fnv1a32([pixels, labels]);
  let pixelSum = 0;
  for (let index = 0; index < pixels.length; index += 1) pixelSum += pixels[index];
  if (checksum !== DIGITS_CHECKSUM || pixelSum !== DIGITS_PIXEL_SUM) {
    throw new Error(
      `loadDigits: embedded data is corrupt (checksum 0x${checksum.toString(16)}, expected ` +
        `0x${DIGITS_CHECKSUM.toString(16)}; pixel sum ${pixelSum}, expected ${DIGITS_PIXEL_SUM}); ` +
        `regenerate it with 'node packages/datasets/scripts/embed-digits.mjs'`,
    );
  }
  decoded = { pixels, labels };
  return decoded;
}

/**
 * Loads the embedded 8×8 handwritten digits: 1,797 images of the digits 0–9.
 *
 * This is the test set of the UCI "Optical Recognition of Handwritten Digits" data as shipped
 * by scikit-learn (`load_digits`). Each pixel counts the set pixels in a 4×4 block of a 32×32
 * binary bitmap, hence the integer range 0..16. The data is embedded in the package (about
 * 100 kB of source), so it loads without files or network, in Node and in browsers. The class
 * counts for 0..9 are 178, 182, 177, 183, 181, 182, 181, 179, 174, 180.
 *
 * Each call returns fresh arrays, so callers may modify them.
 *
 * @example
 * const { images, labels, count } = loadDigits({ normalize: true });
 * const firstImage = images.subarray(0, 64); // 8 rows of 8 pixels in [0, 1]
 * console.log(count, labels[0]); // 1797 0
 *
 * Source: E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine
 * Learning Repository (1998), CC BY 4.0; see `src/digits/README.md`.
 */
export function loadDigits(options: LoadDigitsOptions = {}): Digits {
  if (typeof options !== 'object' || options === null) {
    throw new Error(`loadDigits: options must be an object, got ${describeValue(options)}`);
  }
  requireOptions('loadDigits', options, ['normalize']);
  const normalize = options.normalize ?? false;
  if (typeof normalize !== 'boolean') {
    throw new Error(`loadDigits: options.normalize must be a boolean, got ${describeValue(normalize)}`);
  }
  const { pixels, labels } = decodeDigits();
  const images = new Float32Array(pixels.length);
  const scale = normalize ? 1 / MAXIMUM_PIXEL : 1;
  for (let index = 0; index < pixels.length; index += 1) images[index] = pixels[index] * scale;
  return {
    images,
    labels: Int32Array.from(labels),
    count: DIGITS_COUNT,
    height: HEIGHT,
    width: WIDTH,
    classes: CLASSES,
  };
}
