/**
 * The expected sign of a noisy mini-batch gradient coordinate (Surge Theorem 2), the quantity
 * that bends the Adam-style learning-rate/batch-size curve.
 */
import { vaneErf } from '@vane/tensor';
import { checkBoolean, checkOptionKeys, checkPositive, failOption } from '../validation.js';

/** Options of {@link signExpectation}. */
export interface SignExpectationOptions {
  /** Use Surge's Eq. 10 closed-form approximation instead of the exact erf (default false). */
  approximate?: boolean;
}

/**
 * E[sign(G_est,i)] for a coordinate whose per-example gradients are N(μ, σ²), at batch size B.
 *
 * - Exact (Surge Theorem 2): 𝓔(B) = erf(√(B/2)·μ/σ).
 * - Approximate (Surge Eq. 10): 𝓔(B) ≈ (μ/σ) / √(π/(2B) + (μ/σ)²), accurate for B ≪ πσ²/(2μ²),
 *   the regime in which the Surge law of {@link optimalLearningRate} holds.
 *
 * @param signalToNoise - μ/σ (any sign; σ > 0).
 * @param batchSize - B > 0.
 * @param options - `approximate` (false).
 * @example
 * signExpectation(0.05, 100);                          // 0.38292
 * signExpectation(0.05, 100, { approximate: true });   // 0.37054
 * @see Li et al., "Surge Phenomenon in Optimal Learning Rate and Batch Size Scaling" (arXiv 2405.14578), Theorem 2, Eq. 10.
 */
export function signExpectation(
  signalToNoise: number,
  batchSize: number,
  options: SignExpectationOptions = {},
): number {
  const owner = 'signExpectation';
  checkOptionKeys(owner, options, ['approximate']);
  if (typeof signalToNoise !== 'number' || !Number.isFinite(signalToNoise))
    failOption(owner, 'signalToNoise', 'a finite number', signalToNoise);
  checkPositive(owner, 'batchSize', batchSize);
  if (checkBoolean(owner, 'approximate', options.approximate ?? false)) {
    return signalToNoise / Math.sqrt(Math.PI / (2 * batchSize) + signalToNoise * signalToNoise);
  }
  return vaneErf(Math.sqrt(batchSize / 2) * signalToNoise);
}
