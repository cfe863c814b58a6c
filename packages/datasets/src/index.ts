/**
 * `@vane/datasets`: datasets for Vane.
 *
 * - an embedded real dataset: {@link loadDigits} (8×8 handwritten digits, UCI / scikit-learn);
 * - seeded synthetic generators: {@link twoSpirals}, {@link gaussianBlobs},
 *   {@link teacherStudent}, {@link characterCorpus}, {@link sequenceTask};
 * - file loaders: {@link loadIdx} (MNIST-style IDX, optionally gzipped), {@link loadMnist},
 *   {@link loadFashionMnist}, {@link loadCifar10};
 * - batching: {@link DataLoader} and {@link trainValidationSplit}.
 *
 * @module
 */
export { loadDigits, type Digits, type LoadDigitsOptions } from './digits/load-digits.js';
