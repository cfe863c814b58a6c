import type { Dataset } from '../dataset.js';
import { createRandom } from '../random.js';
import { describeValue, requireInteger, requireNonNegative, requireSeed, requireOptions } from '../validation.js';

/** Options of {@link gaussianBlobs}: give either `centers` or `numClasses`. */
export interface GaussianBlobsOptions {
  /** Number of points; class `i mod numClasses` for point `i`, so classes are balanced. */
  count: number;
  /** Explicit class centres, one array of `dimensions` coordinates per class. */
  centers?: readonly (readonly number[])[];
  /** Number of classes whose centres are drawn uniformly from the box `[-centerBox, centerBox]^d`. */
  numClasses?: number;
  /** Standard deviation of every coordinate, or one value per class. Default 1. */
  std?: number | readonly number[];
  /** Dimension of the points; required with `numClasses`, optional (checked) with `centers`. */
  dimensions?: number;
  /** Half-width of the box random centres are drawn from. Default 10. */
  centerBox?: number;
  /** Seed of the random stream. */
  seed: number;
}

/** Isotropic Gaussian clusters with their labels and centres. */
export interface GaussianBlobs extends Dataset {
  inputs: Float32Array;
  targets: Int32Array;
  /** Number of classes. */
  classes: number;
  /** The class centres actually used, `classes` arrays of `dimensions` numbers. */
  centers: number[][];
}

/**
 * Generates isotropic Gaussian blobs, one per class, for clustering and classification.
 *
 * Point `i` has class `c = i mod K` and coordinates `xⱼ = μ_cⱼ + σ_c·εⱼ` with `εⱼ ~ N(0, 1)`,
 * so each class's sample mean tends to its centre `μ_c` and its per-coordinate standard
 * deviation to `σ_c`. Random centres are drawn from `U[-centerBox, centerBox]` per coordinate
 * (a separate random stream, so `count` does not change them).
 *
 * @example
 * const blobs = gaussianBlobs({ count: 300, numClasses: 3, dimensions: 2, std: 0.5, seed: 7 });
 * blobs.centers.length; // 3
 * const fixed = gaussianBlobs({ count: 100, centers: [[0, 0], [4, 4]], std: 1, seed: 7 });
 *
 * Source: the construction of scikit-learn's `make_blobs` (same model, independent code).
 */
export function gaussianBlobs(options: GaussianBlobsOptions): GaussianBlobs {
  requireOptions('gaussianBlobs', options, [
    'count',
    'centers',
    'numClasses',
    'std',
    'dimensions',
    'centerBox',
    'seed',
  ]);
  const count = requireInteger('gaussianBlobs', 'count', options.count);
  const seedValue = requireSeed('gaussianBlobs', 'seed', options.seed);
  const centers = resolveCenters(options, seedValue);
  const classes = centers.length;
  const dimensions = centers[0].length;
  const deviations = resolveDeviations(options.std, classes);
  const random = createRandom(seedValue, 1);
  const inputs = new Float32Array(count * dimensions);
  const targets = new Int32Array(count);
  for (let index = 0; index < count; index += 1) {
    const label = index % classes;
    targets[index] = label;
    for (let axis = 0; axis < dimensions; axis += 1) {
      inputs[index * dimensions + axis] = centers[label][axis] + deviations[label] * random.normal();
    }
  }
  return { inputs, inputShape: [dimensions], targets, targetShape: [], count, classes, centers };
}

function resolveCenters(options: GaussianBlobsOptions, seedValue: number): number[][] {
  const { centers, numClasses, dimensions } = options;
  if (centers !== undefined && numClasses !== undefined) {
    throw new Error(
      `gaussianBlobs: give either centers or numClasses, not both (got ${centers.length} centers and numClasses ${numClasses})`,
    );
  }
  if (centers !== undefined) {
    if (!Array.isArray(centers) || centers.length === 0) {
      throw new Error(
        `gaussianBlobs: centers must be a non-empty array of coordinate arrays, got ${describeValue(centers)}`,
      );
    }
    const expected = dimensions ?? (Array.isArray(centers[0]) ? centers[0].length : 0);
    requireInteger('gaussianBlobs', 'dimensions', expected);
    return centers.map((center, index) => {
      if (!Array.isArray(center) || center.length !== expected || !center.every(Number.isFinite)) {
        throw new Error(
          `gaussianBlobs: centers[${index}] must be ${expected} finite numbers (dimensions ${expected}), got ${describeValue(center)}`,
        );
      }
      return [...center];
    });
  }
  if (numClasses === undefined) {
    throw new Error('gaussianBlobs: give centers (an array of coordinate arrays) or numClasses (with dimensions)');
  }
  const classes = requireInteger('gaussianBlobs', 'numClasses', numClasses);
  const size = requireInteger('gaussianBlobs', 'dimensions', dimensions);
  const box = requireNonNegative('gaussianBlobs', 'centerBox', options.centerBox ?? 10);
  const random = createRandom(seedValue, 0);
  return Array.from({ length: classes }, () => Array.from({ length: size }, () => box * (2 * random.uniform() - 1)));
}

function resolveDeviations(std: number | readonly number[] | undefined, classes: number): number[] {
  if (std === undefined || typeof std === 'number') {
    const value = requireNonNegative('gaussianBlobs', 'std', std ?? 1);
    return new Array<number>(classes).fill(value);
  }
  if (!Array.isArray(std) || std.length !== classes) {
    throw new Error(
      `gaussianBlobs: std must be a number or ${classes} numbers (one per class), got ${describeValue(std)}`,
    );
  }
  return std.map((value, index) => requireNonNegative('gaussianBlobs', `std[${index}]`, value));
}
