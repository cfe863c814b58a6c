/**
 * The two-batch unbiased estimators of |G|² and tr(Σ), and the simple noise scale they give
 * (McCandlish et al. 2018, App. A.1).
 */
import { checkOptionKeys, checkPositive, failOption } from '../validation.js';

/** Options of {@link twoBatchEstimate}: two gradient norms measured at the same parameters. */
export interface TwoBatchEstimateOptions {
  /** B_small > 0: examples behind the small-batch gradient. */
  smallBatchSize: number;
  /** ‖G_small‖²: squared norm of the small-batch mean gradient (or the mean of several such). */
  smallSquaredNorm: number;
  /** B_big > B_small: examples behind the big-batch gradient. */
  bigBatchSize: number;
  /** ‖G_big‖²: squared norm of the big-batch mean gradient. */
  bigSquaredNorm: number;
}

/** A noise-scale estimate. */
export interface NoiseScaleEstimate {
  /** |G|²: the squared norm of the true (full-data) gradient. */
  gradientSquaredNorm: number;
  /** tr(Σ): the trace of the per-example gradient covariance. */
  traceCovariance: number;
  /** B_simple = tr(Σ)/|G|². */
  bSimple: number;
}

/**
 * Unbiased single-measurement estimates of |G|² and tr(Σ) from the squared norms of two mean
 * gradients of different batch sizes taken at the same parameters, using E‖G_B‖² = |G|² + tr(Σ)/B:
 *
 * - |G|² ≈ (B_big·‖G_big‖² − B_small·‖G_small‖²) / (B_big − B_small)
 * - tr(Σ) ≈ (‖G_small‖² − ‖G_big‖²) / (1/B_small − 1/B_big)
 * - B_simple = tr(Σ)/|G|²
 *
 * Each estimate is unbiased but noisy and may be negative; average many of them (the ratio of
 * averages, as {@link gradientNoiseScale} does) rather than averaging ratios.
 *
 * @param options - the two batch sizes and squared norms.
 * @example
 * // E‖G_B‖² = 2 + 200/B measured at B = 8 and B = 128:
 * twoBatchEstimate({ smallBatchSize: 8, smallSquaredNorm: 27, bigBatchSize: 128, bigSquaredNorm: 3.5625 });
 * // { gradientSquaredNorm: 2, traceCovariance: 200, bSimple: 100 }
 * @see McCandlish, Kaplan, Amodei, "An Empirical Model of Large-Batch Training" (arXiv 1812.06162), App. A.1.
 */
export function twoBatchEstimate(options: TwoBatchEstimateOptions): NoiseScaleEstimate {
  const owner = 'twoBatchEstimate';
  checkOptionKeys(owner, options, ['smallBatchSize', 'smallSquaredNorm', 'bigBatchSize', 'bigSquaredNorm']);
  const small = checkPositive(owner, 'smallBatchSize', options.smallBatchSize);
  const big = checkPositive(owner, 'bigBatchSize', options.bigBatchSize);
  if (!(big > small)) failOption(owner, 'bigBatchSize', `greater than 'smallBatchSize' (${small})`, big);
  const smallSquaredNorm = options.smallSquaredNorm;
  const bigSquaredNorm = options.bigSquaredNorm;
  if (typeof smallSquaredNorm !== 'number' || !(smallSquaredNorm >= 0))
    failOption(owner, 'smallSquaredNorm', 'a number ≥ 0', smallSquaredNorm);
  if (typeof bigSquaredNorm !== 'number' || !(bigSquaredNorm >= 0))
    failOption(owner, 'bigSquaredNorm', 'a number ≥ 0', bigSquaredNorm);
  const gradientSquaredNorm = (big * bigSquaredNorm - small * smallSquaredNorm) / (big - small);
  const traceCovariance = (smallSquaredNorm - bigSquaredNorm) / (1 / small - 1 / big);
  return { gradientSquaredNorm, traceCovariance, bSimple: traceCovariance / gradientSquaredNorm };
}
