/**
 * The simple noise scale from per-example gradients (the two-batch estimator with
 * B_small = 1 and B_big = M).
 */
import { add, isTensor, mean, square, sum, tidy, variance, type Tensor } from '@vane/tensor';
import type { TensorTree } from '../transform.js';
import { tensorLeaves } from '../tree-utilities.js';
import type { NoiseScaleEstimate } from './two-batch-estimate.js';

/**
 * Estimates |G|², tr(Σ) and B_simple from M per-example gradients.
 *
 * With g_i the M per-example gradients and ḡ their mean, the two-batch estimator at
 * B_small = 1, B_big = M reduces to
 * - tr(Σ) ≈ Σ_coordinates (1/(M − 1)) Σ_i (g_i − ḡ)²  (the unbiased sample variance, summed),
 * - |G|² ≈ ‖ḡ‖² − tr(Σ)/M,
 * - B_simple = tr(Σ)/|G|².
 *
 * All math runs as tensor ops; only the three final scalars are read back.
 *
 * @param grads - a tensor, or a tree of tensors, whose leading axis indexes the M ≥ 2 examples
 *   (every leaf must have the same M).
 * @returns `{ gradientSquaredNorm, traceCovariance, bSimple }`.
 * @example
 * // Two examples with gradients [1, 0] and [3, 2]: ḡ = [2, 1], tr Σ = 2 + 2 = 4, |G|² = 5 − 4/2 = 3.
 * noiseScaleFromPerExample(tensor([[1, 0], [3, 2]])); // { gradientSquaredNorm: 3, traceCovariance: 4, bSimple: 1.333… }
 * @see McCandlish, Kaplan, Amodei, "An Empirical Model of Large-Batch Training" (arXiv 1812.06162), App. A.
 */
export function noiseScaleFromPerExample(grads: TensorTree): NoiseScaleEstimate {
  const owner = 'noiseScaleFromPerExample';
  const leaves = isTensor(grads) ? [grads] : tensorLeaves(grads);
  if (leaves.length === 0) throw new RangeError(`${owner}: 'grads' must hold at least one tensor, got none`);
  const examples = leaves[0]!.shape[0];
  leaves.forEach((leaf, index) => {
    if (leaf.ndim < 1 || leaf.shape[0] !== examples) {
      throw new RangeError(
        `${owner}: every leaf of 'grads' needs the same leading example axis; leaf ${index} has shape [${leaf.shape.join(', ')}], expected leading size ${examples}`,
      );
    }
  });
  if (examples === undefined || examples < 2)
    throw new RangeError(`${owner}: 'grads' must have at least 2 examples on the leading axis, got ${examples ?? 0}`);
  const [meanSquaredNorm, traceCovariance] = tidy(() => {
    let meanNorm: Tensor | undefined;
    let trace: Tensor | undefined;
    for (const leaf of leaves) {
      const leafMeanNorm = sum(square(mean(leaf, 0)));
      const leafTrace = sum(variance(leaf, 0, { correction: 1 }));
      meanNorm = meanNorm === undefined ? leafMeanNorm : add(meanNorm, leafMeanNorm);
      trace = trace === undefined ? leafTrace : add(trace, leafTrace);
    }
    return [meanNorm!.item(), trace!.item()];
  });
  const gradientSquaredNorm = meanSquaredNorm - traceCovariance / examples;
  return { gradientSquaredNorm, traceCovariance, bSimple: traceCovariance / gradientSquaredNorm };
}
