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
} from './dataset';
export { loadDigits, type Digits, type LoadDigitsOptions } from './digits/load-digits';
export { createRandom, mixSeed, shuffleInPlace, type RandomSource } from './random';
export { characterCorpus, type CharacterCorpus, type CharacterCorpusOptions } from './synthetic/character-corpus';
export { gaussianBlobs, type GaussianBlobs, type GaussianBlobsOptions } from './synthetic/gaussian-blobs';
export { sequenceTask, type SequenceTask, type SequenceTaskKind, type SequenceTaskOptions } from './synthetic/sequence-task';
export { teacherStudent, type Teacher, type TeacherStudent, type TeacherStudentOptions } from './synthetic/teacher-student';
export { twoSpirals, type TwoSpirals, type TwoSpiralsOptions } from './synthetic/two-spirals';
export { DataLoader, type Batch, type DataLoaderOptions, type DataLoaderState } from './data-loader/data-loader';
export { gatherExamples } from './data-loader/gather';
export {
  trainValidationSplit,
  type TrainValidationSplit,
  type TrainValidationSplitOptions,
} from './data-loader/train-validation-split';
export { parseIdx, type IdxArray, type IdxData, type IdxDataType, type IdxExpectation, type ParseIdxOptions } from './loaders/idx-format';
