/**
 * The optimal learning rate as a function of the batch size, in the three models of
 * `spec/algorithms.md` §3: McCandlish et al.'s SGD law, their Adam-style power law, and the
 * Surge law of Li et al. for sign-like (Adam-style) updates.
 */
import { checkOptionKeys, failOption } from '../validation';

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
   * Theorem 4 (Eq. 17), which the optimum approaches again for B ≫ πσ²/(2μ²). When given, batch
   * sizes past the peak (B ≥ B_noise) get max(ε_opt(B), ε_∞) instead of the falling Theorem 3
   * law. A heuristic the spec suggests (algorithms.md §3.3, "Guards", marked inferred), not a
   * formula from the paper.
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

/** Checks a finite number > 0, naming the function and the option. */
export function checkPositiveNumber(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) failOption(owner, name, 'a finite number > 0', value);
  return value;
}

/** Checks `kind` and resolves α for it. */
export function resolveKind(owner: string, kind: unknown, alpha: unknown): { kind: BatchScalingKind; alpha: number } {
  if (typeof kind !== 'string' || !KINDS.includes(kind as BatchScalingKind)) failOption(owner, 'kind', "one of 'sgd', 'adam', 'mccandlish'", kind);
  if (kind === 'mccandlish') return { kind, alpha: alpha === undefined ? 0.5 : checkPositiveNumber(owner, 'alpha', alpha) };
  if (kind === 'sgd') {
    if (alpha !== undefined && alpha !== 1) failOption(owner, 'alpha', "1 or absent for kind 'sgd' (use kind 'mccandlish' for another exponent)", alpha);
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
 *
 * @param options - `kind`, `batchSize`, `bNoise`, `epsMax`, `alpha` for `'mccandlish'`, and
 *   optionally `largeBatchAsymptote` for `'adam'` (a floor past the peak; see its option).
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
  const batchSize = checkPositiveNumber(owner, 'batchSize', options.batchSize);
  const bNoise = checkPositiveNumber(owner, 'bNoise', options.bNoise);
  const epsMax = checkPositiveNumber(owner, 'epsMax', options.epsMax);
  const law = epsMax / batchSizePenalty(kind, batchSize, bNoise, alpha);
  if (options.largeBatchAsymptote === undefined) return law;
  if (kind !== 'adam') failOption(owner, 'largeBatchAsymptote', "absent unless kind is 'adam' (only the Surge law falls after its peak)", options.largeBatchAsymptote);
  const asymptote = checkPositiveNumber(owner, 'largeBatchAsymptote', options.largeBatchAsymptote);
  // Before the peak the √B rise of Theorem 3 holds; the Theorem 4 floor only concerns the fall.
  return batchSize >= bNoise ? Math.max(law, asymptote) : law;
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
  const lr = checkPositiveNumber(owner, 'lr', options.lr);
  const fromBatch = checkPositiveNumber(owner, 'fromBatch', options.fromBatch);
  const toBatch = checkPositiveNumber(owner, 'toBatch', options.toBatch);
  const bNoise = checkPositiveNumber(owner, 'bNoise', options.bNoise);
  return (lr * batchSizePenalty(kind, fromBatch, bNoise, alpha)) / batchSizePenalty(kind, toBatch, bNoise, alpha);
}
