/**
 * Fitting a batch-size law ε_opt(B) = ε_max / penalty(B; B_noise) to measured optima with both
 * of its parameters free, in log space: which law (Adam/Surge or SGD) describes the measured
 * optimal learning rates, and where it puts B_noise.
 */
import { optimalLearningRate, type BatchScalingKind } from '@vane/optim';

/** A law fitted to measured optima by {@link fitBatchSizeLaw}. */
export interface BatchSizeLawFit {
  kind: BatchScalingKind;
  /** The fitted B_noise (for the Adam law, the batch size of the peak). */
  bNoise: number;
  /** The fitted ε_max. */
  epsMax: number;
  /** Root-mean-square of log10(measured / law) over the points: 0.301 is a factor of 2 off on average. */
  rmsLog10Error: number;
  /** Whether the best B_noise is at an end of the searched range (the data do not pin it down). */
  atRangeEdge: boolean;
}

/**
 * Fits ε_max and B_noise of one law to (batch size, optimal learning rate) pairs by least
 * squares on log ε: for each B_noise on a log grid from min(B)/1000 to max(B)·1000 (4001 points),
 * the best log ε_max is the mean of log(ε_k · penalty(B_k)) (closed form), and the B_noise with
 * the smallest residual wins. A grid, not a gradient method, because the SGD law's residual is
 * flat at both ends (constant for B_noise ≪ B, proportional to B for B_noise ≫ B).
 *
 * @param points - at least two `{ batchSize, learningRate }`.
 * @param kind - the law: `'adam'` (Surge Eq. 23) or `'sgd'` (Eq. 24), or `'mccandlish'` (α = 0.5).
 * @example
 * const points = [8, 32, 128, 512].map((batchSize) => ({ batchSize, learningRate: optimalLearningRate({ kind: 'adam', batchSize, bNoise: 64, epsMax: 1e-2 }) }));
 * fitBatchSizeLaw(points, 'adam'); // { bNoise: ≈64, epsMax: ≈1e-2, rmsLog10Error: ≈0, ... }
 */
export function fitBatchSizeLaw(
  points: readonly { batchSize: number; learningRate: number }[],
  kind: BatchScalingKind,
): BatchSizeLawFit {
  if (points.length < 2)
    throw new RangeError(`fitBatchSizeLaw: needs at least two measured optima, got ${points.length}`);
  const sizes = points.map((p) => p.batchSize);
  const low = Math.log(Math.min(...sizes) / 1000);
  const high = Math.log(Math.max(...sizes) * 1000);
  const gridPoints = 4001;
  let best = { residual: Infinity, bNoise: Number.NaN, logEpsMax: Number.NaN };
  const residuals: number[] = [];
  for (let index = 0; index < gridPoints; index++) {
    const bNoise = Math.exp(low + ((high - low) * index) / (gridPoints - 1));
    // log ε_k + log penalty_k = log ε_max + error_k; the law at ε_max = 1 is 1/penalty.
    const implied = points.map(
      (p) =>
        Math.log(p.learningRate) - Math.log(optimalLearningRate({ kind, batchSize: p.batchSize, bNoise, epsMax: 1 })),
    );
    const logEpsMax = implied.reduce((a, b) => a + b, 0) / implied.length;
    const residual = implied.reduce((sum, value) => sum + (value - logEpsMax) ** 2, 0);
    residuals.push(residual);
    if (residual < best.residual) best = { residual, bNoise, logEpsMax };
  }
  // At an edge when an end of the range fits as well as the best (to 1e-6 of the residual): a flat direction.
  const tolerance = 1e-6 * (best.residual + 1e-12);
  const atRangeEdge =
    residuals[0]! - best.residual <= tolerance || residuals[gridPoints - 1]! - best.residual <= tolerance;
  return {
    kind,
    bNoise: best.bNoise,
    epsMax: Math.exp(best.logEpsMax),
    rmsLog10Error: Math.sqrt(best.residual / points.length) / Math.LN10,
    atRangeEdge,
  };
}
