/**
 * The playground's datasets as train/validation splits, built from bytes already in memory:
 * the embedded digits, or Fashion-MNIST IDX bytes the user picked. Nothing here reads files,
 * so it runs in a browser worker.
 */
import {
  labeledImageDataset,
  loadDigits,
  parseIdx,
  trainValidationSplit,
  type Dataset,
  type LabeledImages,
} from '@vane/datasets';
import type { buildModel } from '@vane/cli/models';

/**
 * A dataset split for training with its input shape and class count: what the CLI's
 * `buildModel` takes (its TaskData), named here without importing the CLI's file loaders.
 */
export type TaskData = Parameters<typeof buildModel>[1];

/** The raw bytes of an IDX image file (`[count, 28, 28]` unsigned bytes) and its label file. */
export interface IdxPair {
  images: Uint8Array;
  labels: Uint8Array;
}

/** Keeps the first `limit` examples (the split is seeded, so which ones is reproducible). */
function firstExamples(source: LabeledImages, limit: number | undefined): LabeledImages {
  if (limit === undefined || limit >= source.count) return source;
  const perImage = source.images.length / source.count;
  return {
    ...source,
    images: source.images.slice(0, limit * perImage),
    labels: source.labels.slice(0, limit),
    count: limit,
  };
}

function split(images: LabeledImages, flatten: boolean, seed: number): TaskData {
  const dataset: Dataset = labeledImageDataset(images, { flatten });
  const parts = trainValidationSplit(dataset, { validationFraction: 0.2, seed, stratify: true });
  return {
    train: parts.train,
    validation: parts.validation,
    imageShape: dataset.inputShape,
    classes: 10,
    kind: flatten ? 'vector' : 'image',
  };
}

/**
 * The embedded 8×8 digits, split 80/20 (stratified) as `vane train --dataset digits` splits them.
 *
 * @example
 * const data = digitsTaskData(true, 1); // flattened for the MLP
 */
export function digitsTaskData(flatten: boolean, splitSeed: number, limit?: number): TaskData {
  return split(firstExamples({ ...loadDigits({ normalize: true }), channels: 1 }, limit), flatten, splitSeed);
}

/**
 * Fashion-MNIST from IDX bytes (already decompressed), normalized to [0, 1] and split 80/20.
 * Errors name the function and what is wrong with which file.
 *
 * @example
 * const data = fashionTaskData({ images, labels }, false, 1, 6000);
 */
export function fashionTaskData(pair: IdxPair, flatten: boolean, splitSeed: number, limit?: number): TaskData {
  const images = parseIdx(pair.images, { dataType: 'uint8', dimensionCount: 3, source: 'the images file' });
  const labels = parseIdx(pair.labels, { dataType: 'uint8', dimensionCount: 1, source: 'the labels file' });
  const [count, height, width] = images.dimensions as [number, number, number];
  if (labels.dimensions[0] !== count)
    throw new Error(
      `fashionTaskData: the images file holds ${count} images but the labels file holds ${labels.dimensions[0]} labels`,
    );
  const badLabel = labels.data.findIndex((label) => label > 9);
  if (badLabel >= 0)
    throw new Error(
      `fashionTaskData: the labels file has label ${labels.data[badLabel]} at index ${badLabel}, expected 0..9`,
    );
  const pixels = new Float32Array(images.data.length);
  for (let index = 0; index < pixels.length; index++) pixels[index] = images.data[index]! / 255;
  return split(
    firstExamples({ images: pixels, labels: Int32Array.from(labels.data), count, height, width, channels: 1 }, limit),
    flatten,
    splitSeed,
  );
}
