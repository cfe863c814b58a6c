/**
 * `@vane/datasets/node`: the file loaders, which read files (`node:fs`, `node:zlib`) and so
 * run only in Node: MNIST-style IDX files (optionally gzipped), MNIST, Fashion-MNIST and
 * CIFAR-10. The main entry `@vane/datasets` stays browser-safe.
 *
 * @example
 * import { loadFashionMnist } from '@vane/datasets/node';
 * const test = loadFashionMnist({ split: 'test', normalize: true });
 *
 * @module
 */
// parseIdx (bytes in memory) is browser-safe and exported by the main entry too.
export {
  loadIdx,
  parseIdx,
  readMaybeGzipped,
  type IdxArray,
  type IdxData,
  type IdxDataType,
  type IdxExpectation,
  type ParseIdxOptions,
} from './loaders/idx.js';
export {
  DEBIAN_FASHION_MNIST_DIRECTORY,
  FASHION_MNIST_CLASS_NAMES,
  loadFashionMnist,
  loadMnist,
  type LoadFashionMnistOptions,
  type LoadMnistOptions,
  type MnistImages,
  type Split,
} from './loaders/mnist.js';
export {
  CIFAR10_CLASS_NAMES,
  loadCifar10,
  parseCifar10Batch,
  type Cifar10Batch,
  type Cifar10Images,
  type LoadCifar10Options,
} from './loaders/cifar10.js';
