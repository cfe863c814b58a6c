import { cast, div, maximum, mean, sqrt, square, tidy, type Tensor } from '@vane/tensor';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { mapTensors } from '../tree-utilities.js';
import { checkPositive } from '../validation.js';

/**
 * Adafactor's update clipping: scales each leaf down so that its root-mean-square is at most
 * the threshold.
 *
 * Update, per leaf: RMS(u) = √(mean(u²)); u ← u / max(1, RMS(u)/d). State: none.
 *
 * @param threshold - d > 0 (1 in the paper).
 * @example
 * const tx = chain(scaleByFactoredRms(), clipByBlockRms(1), scaleByLearningRate(1e-2));
 * @see Shazeer & Stern, "Adafactor" (ICML 2018), section 6.
 */
export function clipByBlockRms(threshold: number): GradientTransformation<EmptyState> {
  checkPositive('clipByBlockRms', 'threshold', threshold);
  return {
    init: () => ({}),
    update: (updates, state) => [
      tidy(() =>
        mapTensors((u: Tensor) => {
          const rms = sqrt(mean(square(u)));
          return div(u, cast(maximum(div(rms, threshold), 1), u.dtype));
        }, updates),
      ),
      state,
    ],
  };
}
