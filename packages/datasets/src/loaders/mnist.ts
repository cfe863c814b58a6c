import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LabeledImages } from '../dataset.js';
import { describeValue, requireOptions } from '../validation.js';
import { loadIdx } from './idx.js';

/** Which half of a dataset to load. */
export type Split = 'train' | 'test';

/** Options of {@link loadFashionMnist}. */
export interface LoadFashionMnistOptions {
  /** Directory holding the four IDX files (plain or `.gz`). Default: Debian's `/usr/share/datasets/fashion-mnist`. */
  directory?: string;
  /** `'train'` (60,000 images, the default) or `'test'` (10,000). */
  split?: Split;
  /** Divide pixels by 255 so they lie in [0, 1]. Default `false` (raw 0..255). */
  normalize?: boolean;
}

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions extends Omit<LoadFashionMnistOptions, 'directory'> {
  /** Directory holding the four MNIST IDX files (plain or `.gz`); required, as Debian ships no MNIST package. */
  directory: string;
}

/** Grey-scale images with labels, as returned by {@link loadMnist} and {@link loadFashionMnist}. */
export interface MnistImages extends LabeledImages {
  /** `count × height × width` pixels, row-major; raw 0..255, or 0..1 with `normalize`. */
  images: Float32Array;
  /** `count` labels 0..9. */
  labels: Int32Array;
  /** Channels per pixel: 1. */
  channels: number;
  /** Number of classes: 10. */
  classes: number;
  /** Human-readable name of each label. */
  classNames: string[];
}

/** Where Debian's `dataset-fashion-mnist` package installs the gzip-compressed IDX files. */
export const DEBIAN_FASHION_MNIST_DIRECTORY = '/usr/share/datasets/fashion-mnist';

/** The Fashion-MNIST labels, in label order (Xiao, Rasul, Vollgraf 2017). */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

interface MnistStyleSource {
  functionName: string;
  directory: string;
  split: Split;
  normalize: boolean;
  classNames: readonly string[];
  howToGet: string;
}

/** Finds `<prefix>-<kind>-idx<N>-ubyte`, its `.gz`, or the dotted `<prefix>-<kind>.idx<N>-ubyte` variant. */
function findIdxFile(source: MnistStyleSource, kind: 'images' | 'labels'): string {
  const prefix = source.split === 'train' ? 'train' : 't10k';
  const dimensionCount = kind === 'images' ? 3 : 1;
  const base = `${prefix}-${kind}-idx${dimensionCount}-ubyte`;
  const candidates = [base, `${base}.gz`, `${prefix}-${kind}.idx${dimensionCount}-ubyte`].map((name) =>
    join(source.directory, name),
  );
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(
      `${source.functionName}: no ${source.split} ${kind} file in '${source.directory}' (tried ${candidates
        .map((candidate) => `'${candidate}'`)
        .join(', ')}); ${source.howToGet}`,
    );
  }
  return found;
}

function loadMnistStyle(source: MnistStyleSource): MnistImages {
  const imagesPath = findIdxFile(source, 'images');
  const labelsPath = findIdxFile(source, 'labels');
  const images = loadIdx(imagesPath, { dataType: 'uint8', dimensionCount: 3 });
  const labels = loadIdx(labelsPath, { dataType: 'uint8', dimensionCount: 1 });
  const [count, height, width] = images.dimensions;
  if (labels.dimensions[0] !== count) {
    throw new Error(
      `${source.functionName}: '${imagesPath}' holds ${count} images but '${labelsPath}' holds ${labels.dimensions[0]} labels`,
    );
  }
  const labelValues = Int32Array.from(labels.data);
  const badIndex = labelValues.findIndex((label) => label >= source.classNames.length);
  if (badIndex >= 0) {
    throw new Error(
      `${source.functionName}: '${labelsPath}' has label ${labelValues[badIndex]} at index ${badIndex}, expected 0..${source.classNames.length - 1}`,
    );
  }
  const scale = source.normalize ? 1 / 255 : 1;
  const pixels = new Float32Array(images.data.length);
  for (let index = 0; index < pixels.length; index += 1) pixels[index] = images.data[index] * scale;
  return {
    images: pixels,
    labels: labelValues,
    count,
    height,
    width,
    channels: 1,
    classes: source.classNames.length,
    classNames: [...source.classNames],
  };
}

function resolveCommon(
  functionName: string,
  options: { split?: Split; normalize?: boolean },
): { split: Split; normalize: boolean } {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new Error(`${functionName}: options.split must be 'train' or 'test', got ${describeValue(split)}`);
  }
  const normalize = options.normalize ?? false;
  if (typeof normalize !== 'boolean') {
    throw new Error(`${functionName}: options.normalize must be a boolean, got ${describeValue(normalize)}`);
  }
  return { split, normalize };
}

/**
 * Loads Fashion-MNIST: 28×28 grey-scale photos of 10 kinds of clothing (60,000 train, 10,000 test).
 *
 * Reads `train-images-idx3-ubyte`, `train-labels-idx1-ubyte` (or `t10k-…` for the test split),
 * plain or gzip-compressed, with {@link loadIdx}. The default directory is where Debian's
 * `dataset-fashion-mnist` package puts them (`apt-get install dataset-fashion-mnist`, about
 * 31 MB). Each split has exactly 6,000 (train) or 1,000 (test) images per class. The whole
 * training split takes 188 MB as float32.
 *
 * @example
 * const test = loadFashionMnist({ split: 'test', normalize: true });
 * test.count; // 10000
 * test.classNames[test.labels[0]]; // 'Ankle boot'
 *
 * Source: H. Xiao, K. Rasul, R. Vollgraf, "Fashion-MNIST: a Novel Image Dataset for
 * Benchmarking Machine Learning Algorithms", arXiv:1708.07747 (2017); MIT licence (Zalando SE).
 */
export function loadFashionMnist(options: LoadFashionMnistOptions = {}): MnistImages {
  requireOptions('loadFashionMnist', options, ['directory', 'split', 'normalize']);
  const { split, normalize } = resolveCommon('loadFashionMnist', options);
  const directory = options.directory ?? DEBIAN_FASHION_MNIST_DIRECTORY;
  return loadMnistStyle({
    functionName: 'loadFashionMnist',
    directory,
    split,
    normalize,
    classNames: FASHION_MNIST_CLASS_NAMES,
    howToGet:
      directory === DEBIAN_FASHION_MNIST_DIRECTORY
        ? "install them with 'apt-get install dataset-fashion-mnist' or pass { directory } holding the IDX files"
        : 'pass { directory } holding the Fashion-MNIST IDX files (Debian: apt-get install dataset-fashion-mnist, into /usr/share/datasets/fashion-mnist)',
  });
}

/**
 * Loads MNIST: 28×28 grey-scale handwritten digits (60,000 train, 10,000 test).
 *
 * Reads the original IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, plain or `.gz`, also the
 * `train-images.idx3-ubyte` spelling) from `directory` with {@link loadIdx}. Debian packages
 * no MNIST, so the directory must be given.
 *
 * @example
 * const train = loadMnist({ directory: '/data/mnist', normalize: true });
 * train.images.length; // 60000 * 784
 *
 * Source: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to
 * document recognition", Proc. IEEE 86(11) (1998); Y. LeCun, C. Cortes, C. J. C. Burges,
 * "The MNIST database of handwritten digits".
 */
export function loadMnist(options: LoadMnistOptions): MnistImages {
  if (typeof options !== 'object' || options === null || typeof options.directory !== 'string') {
    throw new Error(
      `loadMnist: options.directory must name the directory holding the MNIST IDX files (train-images-idx3-ubyte.gz, ...), got ${describeValue(
        options?.directory,
      )}; Debian packages no MNIST (for Fashion-MNIST use loadFashionMnist)`,
    );
  }
  requireOptions('loadMnist', options, ['directory', 'split', 'normalize']);
  const { split, normalize } = resolveCommon('loadMnist', options);
  return loadMnistStyle({
    functionName: 'loadMnist',
    directory: options.directory,
    split,
    normalize,
    classNames: MNIST_CLASS_NAMES,
    howToGet:
      'download the four MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into that directory',
  });
}
