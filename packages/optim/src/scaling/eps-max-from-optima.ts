/**
 * Estimating ε_max from measured (batch size, optimal learning rate) pairs (Surge Eq. 23/24).
 */
import { checkPositive, failOption } from '../validation.js';
import { batchSizePenalty, resolveKind, type BatchScalingKind } from './optimal-learning-rate.js';

/** One measured optimum: the best learning rate found at a batch size. */
export interface BatchOptimum {
  /** B > 0. */
  batchSize: number;
  /** ε_opt(B) > 0: the learning rate with the largest loss decrease at that batch size. */
  learningRate: number;
}

/**
 * The peak learning rate ε_max implied by measured optima under a batch-size law: the mean of
 * each optimum's own implied ε_max, ε_max = mean_k[ε_opt,k · penalty(B_k)].
 *
 * - Adam (Surge Eq. 23): penalty(B) = ½(√(B_noise/B) + √(B/B_noise)).
 * - SGD / McCandlish α (Surge Eq. 24): penalty(B) = (1 + B_noise/B)^α with α = 1 or 0.5.
 *
 * With B_noise from {@link fitBNoise} (or B_crit from a scaling law), one measured pair is
 * enough to pin the whole curve.
 *
 * @param points - one or more `{ batchSize, learningRate }`.
 * @param bNoise - B_noise > 0.
 * @param kind - the batch-size law.
 * @param alpha - α for `'mccandlish'` (default 0.5).
 * @returns the estimated ε_max.
 * @example
 * epsMaxFromOptima([{ batchSize: 256, learningRate: 3e-4 }], 1024, 'adam'); // 3.75e-4
 * epsMaxFromOptima([{ batchSize: 256, learningRate: 3e-4 }], 1024, 'sgd');  // 1.5e-3
 * @see Li et al., "Surge Phenomenon in Optimal Learning Rate and Batch Size Scaling" (arXiv 2405.14578), Eq. 23–24.
 */
export function epsMaxFromOptima(
  points: readonly BatchOptimum[],
  bNoise: number,
  kind: BatchScalingKind,
  alpha?: number,
): number {
  const owner = 'epsMaxFromOptima';
  if (!Array.isArray(points) || points.length === 0)
    failOption(owner, 'points', 'a non-empty array of { batchSize, learningRate }', points);
  checkPositive(owner, 'bNoise', bNoise);
  const resolved = resolveKind(owner, kind, alpha);
  let total = 0;
  points.forEach((point, index) => {
    const batchSize = checkPositive(owner, `points[${index}].batchSize`, point?.batchSize);
    const learningRate = checkPositive(owner, `points[${index}].learningRate`, point?.learningRate);
    total += learningRate * batchSizePenalty(resolved.kind, batchSize, bNoise, resolved.alpha);
  });
  return total / points.length;
}
