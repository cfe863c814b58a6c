/**
 * The datasets the CLI trains on, as train/validation splits with their input shapes.
 */
import {
  characterCorpus,
  labeledImageDataset,
  loadDigits,
  trainValidationSplit,
  twoSpirals,
  type Dataset,
} from '@vane/datasets';
import { loadCifar10, loadFashionMnist } from '@vane/datasets/node';
import { UsageError } from '../usage-error.js';

/** Dataset names accepted by `--dataset`. */
export const DATASET_NAMES = ['digits', 'spirals', 'text', 'fashion-mnist', 'cifar10'] as const;

/** One of {@link DATASET_NAMES}. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** A dataset split for training, with what a model needs to know about it. */
export interface TaskData {
  train: Dataset;
  validation: Dataset;
  /** Input shape of one example: `[features]`, `[channels, height, width]` or `[sequenceLength]` of token ids. */
  imageShape: readonly number[];
  /** Number of classes (next-character vocabulary size for `text`). */
  classes: number;
  /** `sequence` inputs are int32 token ids. */
  kind: 'vector' | 'image' | 'sequence';
}

/** Options of {@link loadTaskData}. */
export interface LoadTaskDataOptions {
  /** Directory with the dataset's files (Fashion-MNIST: Debian's path by default; CIFAR-10: required). */
  dataDirectory?: string;
  /** Keep at most this many training examples (smaller studies). */
  trainLimit?: number;
  /** Seed of the train/validation split. */
  splitSeed?: number;
}

/** The window length of the `text` task: predict the next character from the previous ones. */
const TEXT_WINDOW = 16;

/**
 * The first `count` examples of a dataset (all of it when `count` is undefined or not smaller).
 *
 * @example
 * firstExamples(loadTaskData('digits', true).train, 256).count; // 256
 */
export function firstExamples(dataset: Dataset, count: number | undefined): Dataset {
  if (count === undefined || count >= dataset.count) return dataset;
  const inputSize = dataset.inputShape.reduce((a, b) => a * b, 1);
  const targetSize = dataset.targetShape.reduce((a, b) => a * b, 1);
  return {
    ...dataset,
    inputs: dataset.inputs.slice(0, count * inputSize),
    targets: dataset.targets.slice(0, count * targetSize),
    count,
  };
}

function textDataset(): { dataset: Dataset; classes: number } {
  const corpus = characterCorpus({ seed: 0, length: 24_000 });
  const codes = corpus.encode(corpus.text);
  // Non-overlapping-by-stride windows keep the dataset small enough for a seconds-long epoch.
  const stride = 4;
  const count = Math.floor((codes.length - TEXT_WINDOW - 1) / stride);
  const inputs = new Int32Array(count * TEXT_WINDOW);
  const targets = new Int32Array(count);
  for (let index = 0; index < count; index++) {
    const start = index * stride;
    inputs.set(codes.subarray(start, start + TEXT_WINDOW), index * TEXT_WINDOW);
    targets[index] = codes[start + TEXT_WINDOW]!;
  }
  return {
    dataset: { inputs, inputShape: [TEXT_WINDOW], targets, targetShape: [], count },
    classes: corpus.vocabulary.length,
  };
}

/**
 * Loads a dataset by name and splits it 80/20 (stratified for labelled images). A missing
 * file becomes a one-line {@link UsageError} that says where the file was looked for.
 *
 * @param name - one of {@link DATASET_NAMES}.
 * @param flatten - images as flat vectors (for an MLP) rather than `[channels, height, width]`.
 * @param options - data directory, training-set limit, split seed.
 * @example
 * const { train, validation, classes } = loadTaskData('digits', true); // flattened for an MLP
 */
export function loadTaskData(name: string, flatten: boolean, options: LoadTaskDataOptions = {}): TaskData {
  const splitSeed = options.splitSeed ?? 1;
  const split = (dataset: Dataset, stratify: boolean) => {
    const parts = trainValidationSplit(dataset, { validationFraction: 0.2, seed: splitSeed, stratify });
    return {
      train: firstExamples(parts.train, options.trainLimit),
      validation: firstExamples(
        parts.validation,
        options.trainLimit === undefined ? undefined : Math.ceil(options.trainLimit / 4),
      ),
    };
  };
  switch (name) {
    case 'digits': {
      const dataset = labeledImageDataset({ ...loadDigits({ normalize: true }), channels: 1 }, { flatten });
      return {
        ...split(dataset, true),
        imageShape: dataset.inputShape,
        classes: 10,
        kind: flatten ? 'vector' : 'image',
      };
    }
    case 'spirals': {
      const dataset = twoSpirals({ count: 1000, noise: 0.05, seed: 0 });
      return { ...split(dataset, true), imageShape: dataset.inputShape, classes: dataset.classes, kind: 'vector' };
    }
    case 'text': {
      const { dataset, classes } = textDataset();
      return { ...split(dataset, false), imageShape: dataset.inputShape, classes, kind: 'sequence' };
    }
    case 'fashion-mnist':
    case 'cifar10': {
      let images;
      try {
        images =
          name === 'cifar10'
            ? loadCifar10({ directory: options.dataDirectory ?? 'data/cifar-10-batches-bin', normalize: true })
            : loadFashionMnist({
                normalize: true,
                ...(options.dataDirectory ? { directory: options.dataDirectory } : {}),
              });
      } catch (error) {
        const message = (error as Error).message.split('\n')[0];
        throw new UsageError(
          `dataset ${name} is not available: ${message} (pass --data-dir, or use an embedded dataset: digits, spirals, text)`,
        );
      }
      const dataset = labeledImageDataset(images, { flatten });
      return {
        ...split(dataset, true),
        imageShape: dataset.inputShape,
        classes: images.classes,
        kind: flatten ? 'vector' : 'image',
      };
    }
    default:
      throw new UsageError(`unknown dataset '${name}' (valid: ${DATASET_NAMES.join(', ')})`);
  }
}
