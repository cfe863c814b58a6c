/**
 * `@vane/datasets`: datasets for Vane.
 *
 * - an embedded real dataset: {@link loadDigits} (8×8 handwritten digits, UCI / scikit-learn);
 * - seeded synthetic generators: {@link twoSpirals}, {@link gaussianBlobs},
 *   {@link teacherStudent}, {@link characterCorpus}, {@link sequenceTask};
 * - file loaders (Node only, in `@vane/datasets/node`): `loadIdx` (MNIST-style IDX, optionally
 *   gzipped), `loadMnist`, `loadFashionMnist`, `loadCifar10`;
 * - batching: {@link DataLoader} and {@link trainValidationSplit}.
 *
 * @module
 */
export {
  assertDataset,
  labeledImageDataset,
  shapeSize,
  type Dataset,
  type ExampleArray,
  type LabeledImageDatasetOptions,
  type LabeledImages,
} from './dataset.js';
export { loadDigits, type Digits, type LoadDigitsOptions } from './digits/load-digits.js';
export { createRandom, mixSeed, shuffleInPlace, type RandomSource } from './random.js';
export { characterCorpus, type CharacterCorpus, type CharacterCorpusOptions } from './synthetic/character-corpus.js';
export { gaussianBlobs, type GaussianBlobs, type GaussianBlobsOptions } from './synthetic/gaussian-blobs.js';
export {
  sequenceTask,
  type SequenceTask,
  type SequenceTaskKind,
  type SequenceTaskOptions,
} from './synthetic/sequence-task.js';
export {
  teacherStudent,
  type Teacher,
  type TeacherStudent,
  type TeacherStudentOptions,
} from './synthetic/teacher-student.js';
export { twoSpirals, type TwoSpirals, type TwoSpiralsOptions } from './synthetic/two-spirals.js';
export { DataLoader, type Batch, type DataLoaderOptions, type DataLoaderState } from './data-loader/data-loader.js';
export { gatherExamples } from './data-loader/gather.js';
export {
  trainValidationSplit,
  type TrainValidationSplit,
  type TrainValidationSplitOptions,
} from './data-loader/train-validation-split.js';
export {
  parseIdx,
  type IdxArray,
  type IdxData,
  type IdxDataType,
  type IdxExpectation,
  type ParseIdxOptions,
} from './loaders/idx-format.js';
