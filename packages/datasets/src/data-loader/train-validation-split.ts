import { assertDataset, shapeSize, type Dataset } from '../dataset.js';
import { createRandom, shuffleInPlace } from '../random.js';
import { describeValue, requireSeed, requireOptions } from '../validation.js';
import { gatherExamples } from './gather.js';

/** Options of {@link trainValidationSplit}. */
export interface TrainValidationSplitOptions {
  /** Fraction of the examples held out for validation, strictly between 0 and 1. */
  validationFraction: number;
  /** Seed of the random selection. */
  seed: number;
  /**
   * Keep each class's share the same in both parts (needs `Int32Array` class-index targets
   * with `targetShape` `[]`). Default `false`.
   */
  stratify?: boolean;
}

/** The two parts of a split, with the dataset indices each part was built from (ascending). */
export interface TrainValidationSplit<T extends Dataset = Dataset> {
  /** The training part. */
  train: T;
  /** The validation part. */
  validation: T;
  /** Dataset indices of the training examples, ascending. */
  trainIndices: Int32Array;
  /** Dataset indices of the validation examples, ascending. */
  validationIndices: Int32Array;
}

function subset<T extends Dataset>(dataset: T, indices: Int32Array): T {
  return {
    ...dataset,
    inputs: gatherExamples(dataset.inputs, shapeSize(dataset.inputShape), indices),
    targets: gatherExamples(dataset.targets, shapeSize(dataset.targetShape), indices),
    count: indices.length,
  };
}

/**
 * Splits a dataset at random into a training part and a validation part.
 *
 * The validation part has exactly `round(validationFraction · count)` examples. Without
 * `stratify` they are a uniformly random subset. With `stratify`, class `c` (with `n_c`
 * examples) contributes `⌊f·n_c⌋` or `⌈f·n_c⌉` of them, the rounding chosen by largest
 * remainder (Hamilton's method) so the total is still exact; each class's share is then
 * within one example of `f·n_c`. Both parts keep the dataset's order and every other field
 * (`classes`, `centers`, …) of the input object. The same seed always gives the same split.
 *
 * @example
 * const digits = labeledImageDataset(loadDigits({ normalize: true }), { flatten: true });
 * const { train, validation } = trainValidationSplit(digits, { validationFraction: 0.2, seed: 1, stratify: true });
 * validation.count; // 359 (= round(0.2 × 1797))
 *
 * Source: stratified hold-out as in R. Kohavi, "A Study of Cross-Validation and Bootstrap for
 * Accuracy Estimation and Model Selection", IJCAI 1995; largest-remainder apportionment
 * (A. Hamilton, 1792).
 */
export function trainValidationSplit<T extends Dataset>(
  dataset: T,
  options: TrainValidationSplitOptions,
): TrainValidationSplit<T> {
  assertDataset('trainValidationSplit', dataset);
  requireOptions('trainValidationSplit', options, ['validationFraction', 'seed', 'stratify']);
  const fraction = options.validationFraction;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new Error(
      `trainValidationSplit: validationFraction must be a number strictly between 0 and 1, got ${describeValue(fraction)}`,
    );
  }
  const seedValue = requireSeed('trainValidationSplit', 'seed', options.seed);
  const stratify = options.stratify ?? false;
  if (typeof stratify !== 'boolean') {
    throw new Error(`trainValidationSplit: stratify must be a boolean, got ${describeValue(stratify)}`);
  }
  const { count } = dataset;
  const validationCount = Math.round(fraction * count);
  if (validationCount === 0 || validationCount === count) {
    throw new Error(
      `trainValidationSplit: validationFraction ${fraction} of ${count} examples leaves the ${validationCount === 0 ? 'validation' : 'training'} part empty`,
    );
  }
  const random = createRandom(seedValue);
  const isValidation = new Uint8Array(count);
  if (!stratify) {
    const order = new Int32Array(count);
    for (let index = 0; index < count; index += 1) order[index] = index;
    shuffleInPlace(order, random);
    for (let rank = 0; rank < validationCount; rank += 1) isValidation[order[rank]] = 1;
  } else {
    if (!(dataset.targets instanceof Int32Array) || shapeSize(dataset.targetShape) !== 1) {
      throw new Error(
        `trainValidationSplit: stratify needs Int32Array class-index targets with targetShape [], got ${describeValue(
          dataset.targets,
        )} with targetShape [${dataset.targetShape.join(', ')}]`,
      );
    }
    const members = new Map<number, number[]>();
    dataset.targets.forEach((label, index) => {
      const list = members.get(label);
      if (list) list.push(index);
      else members.set(label, [index]);
    });
    const classes = [...members.keys()].sort((left, right) => left - right);
    const quotas = classes.map((label) => fraction * members.get(label)!.length);
    const takes = quotas.map(Math.floor);
    let remaining = validationCount - takes.reduce((sum, take) => sum + take, 0);
    // Hamilton's method: the classes with the largest fractional parts get one more (ties: lower label).
    const byRemainder = classes
      .map((_, position) => position)
      .sort((left, right) => quotas[right] - takes[right] - (quotas[left] - takes[left]) || left - right);
    for (const position of byRemainder) {
      if (remaining === 0) break;
      takes[position] += 1;
      remaining -= 1;
    }
    classes.forEach((label, position) => {
      const order = shuffleInPlace(Int32Array.from(members.get(label)!), random);
      for (let rank = 0; rank < takes[position]; rank += 1) isValidation[order[rank]] = 1;
    });
  }
  const validationIndices = new Int32Array(validationCount);
  const trainIndices = new Int32Array(count - validationCount);
  let validationPosition = 0;
  let trainPosition = 0;
  for (let index = 0; index < count; index += 1) {
    if (isValidation[index]) validationIndices[validationPosition++] = index;
    else trainIndices[trainPosition++] = index;
  }
  return {
    train: subset(dataset, trainIndices),
    validation: subset(dataset, validationIndices),
    trainIndices,
    validationIndices,
  };
}
