/**
 * The in-memory dataset shape shared by the generators, the {@link DataLoader} and
 * {@link trainValidationSplit}: two flat typed arrays holding `count` examples each, plus the
 * shape of one example.
 *
 * @module
 */
import { describeValue } from './validation.js';

/** Typed arrays a dataset can hold (they map to the `float32` and `int32` tensor dtypes). */
export type ExampleArray = Float32Array | Int32Array;

/**
 * `count` examples stored example-major: example `i` of `inputs` is
 * `inputs.subarray(i·s, (i+1)·s)` with `s = ∏ inputShape`, and likewise for `targets`.
 *
 * @example
 * const xor: Dataset = {
 *   inputs: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1),
 *   inputShape: [2],
 *   targets: Int32Array.of(0, 1, 1, 0),
 *   targetShape: [],
 *   count: 4,
 * };
 */
export interface Dataset {
  /** Input features, `count × ∏ inputShape` values. */
  inputs: ExampleArray;
  /** Shape of one input example (`[]` for a scalar). */
  inputShape: readonly number[];
  /** Targets (class indices as `Int32Array`, regression values as `Float32Array`). */
  targets: ExampleArray;
  /** Shape of one target example (`[]` for a scalar class index). */
  targetShape: readonly number[];
  /** Number of examples. */
  count: number;
}

/**
 * Number of values in one example of the given shape: the product of its dimensions.
 *
 * @example
 * shapeSize([3, 32, 32]); // 3072
 * shapeSize([]); // 1 (a scalar)
 */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dimension of shape) size *= dimension;
  return size;
}

/**
 * Checks that `dataset` is a consistent {@link Dataset}, throwing an error that names
 * `functionName` and the inconsistent field otherwise.
 *
 * @example
 * assertDataset('DataLoader', xor); // passes silently
 */
export function assertDataset(functionName: string, dataset: Dataset): void {
  if (typeof dataset !== 'object' || dataset === null) {
    throw new Error(`${functionName}: dataset must be an object, got ${describeValue(dataset)}`);
  }
  const { count } = dataset;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new Error(`${functionName}: dataset.count must be a non-negative integer, got ${describeValue(count)}`);
  }
  for (const field of ['inputs', 'targets'] as const) {
    const values = dataset[field];
    const shape = field === 'inputs' ? dataset.inputShape : dataset.targetShape;
    const shapeName = field === 'inputs' ? 'inputShape' : 'targetShape';
    if (!(values instanceof Float32Array) && !(values instanceof Int32Array)) {
      throw new Error(
        `${functionName}: dataset.${field} must be a Float32Array or Int32Array, got ${describeValue(values)}`,
      );
    }
    if (!Array.isArray(shape) || !shape.every((dimension) => Number.isSafeInteger(dimension) && dimension >= 0)) {
      throw new Error(
        `${functionName}: dataset.${shapeName} must be an array of non-negative integers, got ${describeValue(shape)}`,
      );
    }
    const expected = count * shapeSize(shape);
    if (values.length !== expected) {
      throw new Error(
        `${functionName}: dataset.${field} has ${values.length} values, expected count × ∏${shapeName} = ` +
          `${count} × ${shapeSize(shape)} = ${expected} (${shapeName} [${shape.join(', ')}])`,
      );
    }
  }
}

/** Images with labels, as returned by `loadDigits`, `loadMnist`, `loadFashionMnist` and `loadCifar10`. */
export interface LabeledImages {
  /** `count × channels × height × width` pixels. */
  images: Float32Array;
  /** `count` class indices. */
  labels: Int32Array;
  /** Number of images. */
  count: number;
  /** Image height. */
  height: number;
  /** Image width. */
  width: number;
  /** Channels per pixel; absent means 1 (grey scale). */
  channels?: number;
}

/** Options of {@link labeledImageDataset}. */
export interface LabeledImageDatasetOptions {
  /**
   * `true` gives input shape `[channels·height·width]` (for a dense network); `false` (default)
   * gives `[channels, height, width]`, or `[height, width]` when the source has no channel count.
   */
  flatten?: boolean;
}

/**
 * Views labelled images as a {@link Dataset} (no copy: the arrays are shared).
 *
 * @example
 * const dataset = labeledImageDataset(loadDigits({ normalize: true }), { flatten: true });
 * dataset.inputShape; // [64]
 * dataset.targetShape; // []
 */
export function labeledImageDataset(source: LabeledImages, options: LabeledImageDatasetOptions = {}): Dataset {
  const shape =
    options.flatten === true
      ? [(source.channels ?? 1) * source.height * source.width]
      : source.channels === undefined
        ? [source.height, source.width]
        : [source.channels, source.height, source.width];
  const dataset: Dataset = {
    inputs: source.images,
    inputShape: shape,
    targets: source.labels,
    targetShape: [],
    count: source.count,
  };
  assertDataset('labeledImageDataset', dataset);
  return dataset;
}
