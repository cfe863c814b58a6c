/**
 * Fitting B_noise and S_min from steps-versus-examples measurements (Surge Eq. 22, after
 * McCandlish et al.'s Eq. 2.11).
 */
import { failOption } from '../validation.js';

/** One run that reached the target loss: the optimizer steps and examples it took. */
export interface StepsAndExamples {
  /** S: optimizer steps to reach the target loss. */
  steps: number;
  /** E = B·S: training examples (or tokens) consumed to reach it. */
  examples: number;
}

/** Result of {@link fitBNoise}. */
export interface BNoiseFit {
  /** B_noise ≈ B_crit = E_min / S_min. */
  bNoise: number;
  /** S_min: the fewest steps any batch size needs (the infinite-batch limit). */
  sMin: number;
}

/**
 * Fits the steps/examples trade-off (S/S_min − 1)(E/E_min − 1) = 1 to measured runs and
 * returns B_noise = E_min/S_min and S_min.
 *
 * The hyperbola is linear in reciprocals: 1/S = −(E_min/S_min)·(1/E) + 1/S_min, so an
 * ordinary least-squares line of y = 1/S on x = 1/E gives B_noise = −slope and
 * S_min = 1/intercept. Each point should come from a different batch size, each run at its own
 * optimal learning rate, all to the same target training loss.
 *
 * @param points - at least two runs `{ steps, examples }` with distinct `examples`.
 * @returns `{ bNoise, sMin }`.
 * @example
 * // S = 1000·(1 + 500/B) for a few batch sizes: recovers B_noise = 500, S_min = 1000.
 * const points = [32, 128, 512, 2048].map((b) => ({ steps: 1000 * (1 + 500 / b), examples: b * 1000 * (1 + 500 / b) }));
 * fitBNoise(points); // { bNoise: 500, sMin: 1000 }
 * @see McCandlish et al. (arXiv 1812.06162) Eq. 2.11; Li et al. (arXiv 2405.14578) Eq. 21–22 and App. G.
 */
export function fitBNoise(points: readonly StepsAndExamples[]): BNoiseFit {
  const owner = 'fitBNoise';
  if (!Array.isArray(points) || points.length < 2) {
    throw new RangeError(
      `${owner}: 'points' must be an array of at least two { steps, examples }, got ${Array.isArray(points) ? `${points.length} point(s)` : String(points)}`,
    );
  }
  const xs: number[] = [];
  const ys: number[] = [];
  points.forEach((point, index) => {
    const { steps, examples } = point ?? ({} as StepsAndExamples);
    if (typeof steps !== 'number' || !Number.isFinite(steps) || steps <= 0)
      failOption(owner, `points[${index}].steps`, 'a finite number > 0', steps);
    if (typeof examples !== 'number' || !Number.isFinite(examples) || examples <= 0)
      failOption(owner, `points[${index}].examples`, 'a finite number > 0', examples);
    xs.push(1 / examples);
    ys.push(1 / steps);
  });
  const n = xs.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let covariance = 0;
  let varianceX = 0;
  for (let index = 0; index < n; index++) {
    covariance += (xs[index]! - meanX) * (ys[index]! - meanY);
    varianceX += (xs[index]! - meanX) ** 2;
  }
  if (varianceX === 0)
    throw new RangeError(`${owner}: 'points' must be runs with at least two distinct example counts, got all equal`);
  const slope = covariance / varianceX;
  const intercept = meanY - slope * meanX;
  if (!(slope < 0) || !(intercept > 0)) {
    throw new RangeError(
      `fitBNoise: the fitted line 1/S = ${slope}·(1/E) + ${intercept} needs a negative slope and a positive intercept; ` +
        'the points do not follow the steps/examples hyperbola (check that more examples came with fewer steps)',
    );
  }
  return { bNoise: -slope, sMin: 1 / intercept };
}
