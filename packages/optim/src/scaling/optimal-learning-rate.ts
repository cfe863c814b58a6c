/**
 * The optimal learning rate as a function of the batch size, in the three models of
 * `spec/algorithms.md` §3: McCandlish et al.'s SGD law, their Adam-style power law, and the
 * Surge law of Li et al. for sign-like (Adam-style) updates.
 */
import { checkOptionKeys, checkPositive, failOption } from '../validation.js';

/**
 * Which batch-size law to use:
 * - `'sgd'`: ε_opt(B) = ε_max / (1 + B_noise/B) (McCandlish et al. 2018, Eq. 2.7).
 * - `'adam'`: ε_opt(B) = ε_max / (½(√(B_noise/B) + √(B/B_noise))) (Li et al. 2024, "Surge
 *   Phenomenon", Eq. 2/13): rises as √B, peaks at B = B_noise, then falls.
 * - `'mccandlish'`: ε_opt(B) = ε_max / (1 + B_noise/B)^α with α = 0.5 by default (McCandlish's
 *   Adam model as summarised by Surge Eq. 24).
 */
export type BatchScalingKind = 'sgd' | 'adam' | 'mccandlish';

const KINDS: readonly BatchScalingKind[] = ['sgd', 'adam', 'mccandlish'];

/** Options of {@link optimalLearningRate}. */
export interface OptimalLearningRateOptions {
  /** The batch-size law. */
  kind: BatchScalingKind;
  /** B > 0, in the unit the loss is averaged over (examples, or tokens for a per-token loss). */
  batchSize: number;
  /** B_noise > 0, in the same unit. */
  bNoise: number;
  /** ε_max > 0: the largest optimal learning rate the law allows (its peak or its limit). */
  epsMax: number;
  /** α > 0 for `'mccandlish'` (default 0.5); `'sgd'` is the α = 1 case and accepts only 1. */
  alpha?: number;
  /**
   * Only for `'adam'`: the large-batch limit ε_∞ = Σ|μᵢ| / ΣᵢΣⱼ sign(μᵢ)sign(μⱼ)Hᵢⱼ of Surge's
   * Theorem 4 (Eq. 17), 0 < ε_∞ ≤ ε_max. When given, the law is Surge's Eq. 9 for coordinates
   * that share one signal-to-noise ratio, with 𝓔 from Eq. 10: ε(B) = 2ε_max·q𝓔/(1 + q²𝓔²),
   * 𝓔² = B/(B + q²B_noise), where q ≥ 1 solves ε_∞/ε_max = 2q/(1 + q²). One smooth curve that is
   * Theorem 3's √B law for small B and tends to ε_∞ for large B (derivation in docs/scaling.md).
   */
  largeBatchAsymptote?: number;
}

/** Options of {@link transferLearningRate}. */
export interface TransferLearningRateOptions {
  /** The batch-size law. */
  kind: BatchScalingKind;
  /** The learning rate found optimal at `fromBatch`. */
  lr: number;
  /** The batch size at which `lr` was tuned. */
  fromBatch: number;
  /** The batch size to predict the learning rate for. */
  toBatch: number;
  /** B_noise > 0, in the same unit as the batch sizes. */
  bNoise: number;
  /** α for `'mccandlish'` (default 0.5). */
  alpha?: number;
}

/** Checks `kind` and resolves α for it. */
export function resolveKind(owner: string, kind: unknown, alpha: unknown): { kind: BatchScalingKind; alpha: number } {
  if (typeof kind !== 'string' || !KINDS.includes(kind as BatchScalingKind))
    failOption(owner, 'kind', "one of 'sgd', 'adam', 'mccandlish'", kind);
  if (kind === 'mccandlish') return { kind, alpha: alpha === undefined ? 0.5 : checkPositive(owner, 'alpha', alpha) };
  if (kind === 'sgd') {
    if (alpha !== undefined && alpha !== 1)
      failOption(owner, 'alpha', "1 or absent for kind 'sgd' (use kind 'mccandlish' for another exponent)", alpha);
    return { kind, alpha: 1 };
  }
  if (alpha !== undefined) failOption(owner, 'alpha', "absent for kind 'adam' (the Surge law has no exponent)", alpha);
  return { kind: 'adam', alpha: 1 };
}

/**
 * ε_max / ε_opt(B): the factor by which the law divides the peak learning rate at batch size
 * B. Every law is `ε_opt(B) = ε_max / penalty(B)`, so transfers and ε_max fits share it.
 */
export function batchSizePenalty(kind: BatchScalingKind, batchSize: number, bNoise: number, alpha: number): number {
  if (kind === 'adam') return 0.5 * (Math.sqrt(bNoise / batchSize) + Math.sqrt(batchSize / bNoise));
  return Math.pow(1 + bNoise / batchSize, kind === 'sgd' ? 1 : alpha);
}

/**
 * The optimal learning rate at batch size B under one of the batch-size laws.
 *
 * - SGD (McCandlish et al. 2018): ε_opt(B) = ε_max / (1 + B_noise/B). Linear in B for
 *   B ≪ B_noise, saturating at ε_max.
 * - Adam, Surge law (Li et al. 2024, Theorem 3): ε_opt(B) = ε_max / (½(√(B_noise/B) + √(B/B_noise))).
 *   Grows as √B for small B, peaks at B_peak = B_noise with value ε_max, and falls after it
 *   (symmetric in log B: ε_opt(B) = ε_opt(B_noise²/B)). Valid while B ≪ πσ²/(2μ²).
 * - McCandlish's Adam model: ε_opt(B) = ε_max / (1 + B_noise/B)^α, α = 0.5 by default.
 * - Adam across both Surge regimes, with `largeBatchAsymptote` ε_∞ (Theorem 4): the Eq. 9 curve for
 *   one shared signal-to-noise ratio, √B-like for small B, tending to ε_∞ for large B.
 *
 * @param options - `kind`, `batchSize`, `bNoise`, `epsMax`, `alpha` for `'mccandlish'`, and
 *   optionally `largeBatchAsymptote` (0 < ε_∞ ≤ ε_max) for `'adam'`.
 * @returns ε_opt(B).
 * @example
 * optimalLearningRate({ kind: 'adam', batchSize: 1000, bNoise: 1000, epsMax: 1e-3 }); // 1e-3, the peak
 * optimalLearningRate({ kind: 'sgd', batchSize: 100, bNoise: 1000, epsMax: 1e-3 });   // 9.09e-5
 * @see McCandlish, Kaplan, Amodei, "An Empirical Model of Large-Batch Training" (arXiv 1812.06162);
 *   Li et al., "Surge Phenomenon in Optimal Learning Rate and Batch Size Scaling" (arXiv 2405.14578), Eq. 2, 24.
 */
export function optimalLearningRate(options: OptimalLearningRateOptions): number {
  const owner = 'optimalLearningRate';
  checkOptionKeys(owner, options, ['kind', 'batchSize', 'bNoise', 'epsMax', 'alpha', 'largeBatchAsymptote']);
  const { kind, alpha } = resolveKind(owner, options.kind, options.alpha);
  const batchSize = checkPositive(owner, 'batchSize', options.batchSize);
  const bNoise = checkPositive(owner, 'bNoise', options.bNoise);
  const epsMax = checkPositive(owner, 'epsMax', options.epsMax);
  if (options.largeBatchAsymptote === undefined) return epsMax / batchSizePenalty(kind, batchSize, bNoise, alpha);
  if (kind !== 'adam')
    failOption(
      owner,
      'largeBatchAsymptote',
      "absent unless kind is 'adam' (only the Surge law falls after its peak)",
      options.largeBatchAsymptote,
    );
  const asymptote = checkPositive(owner, 'largeBatchAsymptote', options.largeBatchAsymptote);
  if (asymptote > epsMax) {
    failOption(
      owner,
      'largeBatchAsymptote',
      `≤ 'epsMax' (${epsMax}): when every coordinate has the same signal-to-noise ratio the Theorem 4 limit cannot exceed the Theorem 3 peak, and a higher limit needs a model of unequal ratios (evaluate it with signDescentOptimalLearningRate)`,
      asymptote,
    );
  }
  return surgeLawWithAsymptote(batchSize, bNoise, epsMax, asymptote);
}

/**
 * The Surge optimum across both of its regimes, for coordinates that share one signal-to-noise
 * ratio r = |μᵢ|/σᵢ. Derivation: with equal rᵢ, Eq. 9 (Theorem 2) reads
 * ε(B) = 𝓔·Σ|μᵢ| / (Σᵢ Hᵢᵢ + 𝓔²·O), O = Σ_{i≠j} sign(μᵢ)sign(μⱼ)Hᵢⱼ, and Eq. 10 gives
 * 𝓔² = B/(B + B_r) with B_r = π/(2r²), the regime bound πσ²/(2μ²). Its small-B limit is
 * Theorem 3 (B_noise = B_r·ΣHᵢᵢ/O, Eq. 14; peak ε_max, Eq. 16) and its large-B limit is
 * Theorem 4 (𝓔 → 1, ε_∞ = Σ|μᵢ|/(ΣHᵢᵢ + O), Eq. 17). In (B_noise, ε_max, ε_∞), with
 * q = √(B_r/B_noise):
 *
 *   ε(B) = 2ε_max·q𝓔 / (1 + q²𝓔²),  𝓔² = B / (B + q²B_noise),  ε_∞/ε_max = 2q/(1 + q²),
 *
 * q ≥ 1 being the root that puts B_noise inside Theorem 3's regime (B_noise ≤ B_r). The curve is
 * smooth, tends to (2ε_max/√B_noise)·√B (Eq. 4) as B → 0 and to ε_∞ as B → ∞; it reaches a peak
 * slightly below ε_max near B_noise (the closer ε_∞ is to ε_max, the smaller q, the further the
 * peak is from Theorem 3's), and ε_∞ ≤ ε_max always. It replaces a floor max(law, ε_∞) past
 * B_noise that jumped there whenever ε_∞ > ε_max.
 */
function surgeLawWithAsymptote(batchSize: number, bNoise: number, epsMax: number, asymptote: number): number {
  const ratio = asymptote / epsMax;
  const q = (1 + Math.sqrt(Math.max(0, 1 - ratio * ratio))) / ratio;
  const signExpectation = Math.sqrt(batchSize / (batchSize + q * q * bNoise));
  return (2 * epsMax * q * signExpectation) / (1 + q * q * signExpectation * signExpectation);
}

/**
 * Moves a tuned learning rate from one batch size to another under a batch-size law:
 * ε(B₁) = ε(B₀) · penalty(B₀) / penalty(B₁), which is the law's ε_opt(B₁) with ε_max fitted
 * to the one measured optimum (B₀, ε(B₀)).
 *
 * - SGD: ε₁ = ε₀ · (1 + B_noise/B₀) / (1 + B_noise/B₁).
 * - Adam (Surge): ε₁ = ε₀ · (√(B_noise/B₀) + √(B₀/B_noise)) / (√(B_noise/B₁) + √(B₁/B_noise)).
 * - McCandlish α: ε₁ = ε₀ · ((1 + B_noise/B₀) / (1 + B_noise/B₁))^α.
 *
 * B_noise grows as the loss falls, so a transfer holds only at matched training progress.
 *
 * @param options - `kind`, `lr`, `fromBatch`, `toBatch`, `bNoise`, and `alpha` for `'mccandlish'`.
 * @returns the predicted optimal learning rate at `toBatch`.
 * @example
 * transferLearningRate({ kind: 'sgd', lr: 3e-4, fromBatch: 256, toBatch: 2048, bNoise: 1024 });  // 1e-3
 * transferLearningRate({ kind: 'adam', lr: 3e-4, fromBatch: 256, toBatch: 2048, bNoise: 1024 }); // 3.5355e-4
 * @see Li et al., "Surge Phenomenon in Optimal Learning Rate and Batch Size Scaling" (arXiv 2405.14578).
 */
export function transferLearningRate(options: TransferLearningRateOptions): number {
  const owner = 'transferLearningRate';
  checkOptionKeys(owner, options, ['kind', 'lr', 'fromBatch', 'toBatch', 'bNoise', 'alpha']);
  const { kind, alpha } = resolveKind(owner, options.kind, options.alpha);
  const lr = checkPositive(owner, 'lr', options.lr);
  const fromBatch = checkPositive(owner, 'fromBatch', options.fromBatch);
  const toBatch = checkPositive(owner, 'toBatch', options.toBatch);
  const bNoise = checkPositive(owner, 'bNoise', options.bNoise);
  return (lr * batchSizePenalty(kind, fromBatch, bNoise, alpha)) / batchSizePenalty(kind, toBatch, bNoise, alpha);
}
