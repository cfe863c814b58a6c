import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabeledImages } from '../dataset.js';
import { describeValue, requireOptions } from '../validation.js';
import type { Split } from './mnist.js';

/** Options of {@link loadCifar10}. */
export interface LoadCifar10Options {
  /** The `cifar-10-batches-bin` directory, or a directory containing it. */
  directory: string;
  /** `'train'` (data_batch_1..5.bin, 50,000 images, the default) or `'test'` (test_batch.bin, 10,000). */
  split?: Split;
  /** Divide pixels by 255 so they lie in [0, 1]. Default `false` (raw 0..255). */
  normalize?: boolean;
}

/** Colour images with labels, as returned by {@link loadCifar10}. */
export interface Cifar10Images extends LabeledImages {
  /** `count × 3 × 32 × 32` pixels, channel-major (all red, then green, then blue), rows top to bottom. */
  images: Float32Array;
  /** `count` labels 0..9. */
  labels: Int32Array;
  /** Channels: 3 (red, green, blue). */
  channels: number;
  /** Number of classes: 10. */
  classes: number;
  /** Human-readable name of each label. */
  classNames: string[];
}

/** Raw records of one CIFAR-10 binary batch. */
export interface Cifar10Batch {
  /** `count × 3072` pixel bytes in the file's channel-major order. */
  pixels: Uint8Array;
  /** `count` labels 0..9. */
  labels: Uint8Array;
  /** Number of records. */
  count: number;
}

/** The CIFAR-10 class names, in label order. */
export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

const PIXELS_PER_RECORD = 3 * 32 * 32;
const RECORD_BYTES = 1 + PIXELS_PER_RECORD;
const HOW_TO_GET =
  "CIFAR-10 is not packaged by Debian: download the 'CIFAR-10 binary version' (cifar-10-binary.tar.gz) from the dataset's page, " +
  'extract it, and pass { directory } naming the extracted cifar-10-batches-bin folder';

/**
 * Decodes one CIFAR-10 binary batch already in memory.
 *
 * Each record is 3,073 bytes: one label byte (0..9), then 1,024 red, 1,024 green and 1,024
 * blue bytes, each plane a 32×32 image stored row by row. A full batch file holds 10,000
 * records (30,730,000 bytes); any positive whole number of records is accepted.
 *
 * @example
 * const record = new Uint8Array(3073);
 * record[0] = 3; // a cat
 * parseCifar10Batch(record).labels; // Uint8Array [3]
 *
 * Source: A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", tech.
 * report, University of Toronto (2009); binary format from the CIFAR-10 page.
 */
export function parseCifar10Batch(bytes: Uint8Array, source = 'buffer'): Cifar10Batch {
  if (!(bytes instanceof Uint8Array)) {
    throw new Error(`parseCifar10Batch: bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  }
  if (bytes.length === 0 || bytes.length % RECORD_BYTES !== 0) {
    const records = Math.floor(bytes.length / RECORD_BYTES);
    throw new Error(
      `parseCifar10Batch: ${source} has ${bytes.length} bytes, not a positive multiple of ${RECORD_BYTES} ` +
        `(1 label byte + ${PIXELS_PER_RECORD} pixel bytes per record): ${records} whole records and ` +
        `${bytes.length - records * RECORD_BYTES} extra bytes, so it is truncated or not a CIFAR-10 binary batch`,
    );
  }
  const count = bytes.length / RECORD_BYTES;
  const pixels = new Uint8Array(count * PIXELS_PER_RECORD);
  const labels = new Uint8Array(count);
  for (let record = 0; record < count; record += 1) {
    const start = record * RECORD_BYTES;
    const label = bytes[start];
    if (label > 9) {
      throw new Error(
        `parseCifar10Batch: ${source} record ${record} (byte offset ${start}) has label ${label}, expected 0..9 ` +
          '(is this the CIFAR-100 binary format, which has two label bytes?)',
      );
    }
    labels[record] = label;
    pixels.set(bytes.subarray(start + 1, start + RECORD_BYTES), record * PIXELS_PER_RECORD);
  }
  return { pixels, labels, count };
}

/**
 * Loads CIFAR-10 from its binary version: 32×32 colour images of 10 object classes.
 *
 * The train split concatenates `data_batch_1.bin` … `data_batch_5.bin` (50,000 images, 5,000
 * per class); the test split is `test_batch.bin` (10,000 images, 1,000 per class). Pixels keep
 * the file's channel-major layout, so each example is a `[3, 32, 32]` tensor. The training
 * split takes 614 MB as float32.
 *
 * @example
 * const test = loadCifar10({ directory: '/data/cifar-10-batches-bin', split: 'test', normalize: true });
 * test.images.length; // 10000 * 3 * 32 * 32
 *
 * Source: A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images" (2009).
 */
export function loadCifar10(options: LoadCifar10Options): Cifar10Images {
  if (typeof options !== 'object' || options === null || typeof options.directory !== 'string') {
    throw new Error(
      `loadCifar10: options.directory must name the cifar-10-batches-bin directory, got ${describeValue(options?.directory)}; ${HOW_TO_GET}`,
    );
  }
  requireOptions('loadCifar10', options, ['directory', 'split', 'normalize']);
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new Error(`loadCifar10: options.split must be 'train' or 'test', got ${describeValue(split)}`);
  }
  const normalize = options.normalize ?? false;
  if (typeof normalize !== 'boolean') {
    throw new Error(`loadCifar10: options.normalize must be a boolean, got ${describeValue(normalize)}`);
  }
  const nested = join(options.directory, 'cifar-10-batches-bin');
  const directory =
    !existsSync(join(options.directory, 'test_batch.bin')) && existsSync(nested) ? nested : options.directory;
  const names = split === 'train' ? [1, 2, 3, 4, 5].map((index) => `data_batch_${index}.bin`) : ['test_batch.bin'];
  const batches = names.map((name) => {
    const path = join(directory, name);
    if (!existsSync(path)) throw new Error(`loadCifar10: file '${path}' does not exist; ${HOW_TO_GET}`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new Error(`loadCifar10: cannot read file '${path}' (${(error as Error).message})`);
    }
    try {
      return parseCifar10Batch(bytes, `file '${path}'`);
    } catch (error) {
      throw new Error((error as Error).message.replace(/^parseCifar10Batch:/, 'loadCifar10:'));
    }
  });
  const count = batches.reduce((total, batch) => total + batch.count, 0);
  const images = new Float32Array(count * PIXELS_PER_RECORD);
  const labels = new Int32Array(count);
  const scale = normalize ? 1 / 255 : 1;
  let offset = 0;
  for (const batch of batches) {
    for (let index = 0; index < batch.pixels.length; index += 1)
      images[offset * PIXELS_PER_RECORD + index] = batch.pixels[index] * scale;
    labels.set(batch.labels, offset);
    offset += batch.count;
  }
  return {
    images,
    labels,
    count,
    height: 32,
    width: 32,
    channels: 3,
    classes: 10,
    classNames: [...CIFAR10_CLASS_NAMES],
  };
}
