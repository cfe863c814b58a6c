import { cast, defineKernel, div, expression as e, maximum, mean, sqrt, square } from '@vane/tensor';
import { perLeafFactor } from '../combinators/per-leaf-factor.js';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { checkPositive } from '../validation.js';

/** u / f, f the leaf's clipping factor max(1, RMS(u)/d). */
const DIVIDE_BY_FACTOR = defineKernel(
  'optim.clipByBlockRms.divide',
  { inputs: ['u'], scalars: ['factor'] },
  ({ u, factor }) => e.div(u, factor),
);

/**
 * Adafactor's update clipping: scales each leaf down so that its root-mean-square is at most
 * the threshold.
 *
 * Update, per leaf: RMS(u) = √(mean(u²)); u ← u / max(1, RMS(u)/d). State: none. Two passes:
 * the RMS (a reduction), then the division, its final kernel, into which `chain` composes the
 * affine stages after it (see `perLeafFactor`).
 *
 * @param threshold - d > 0 (1 in the paper).
 * @example
 * const tx = chain(scaleByFactoredRms(), clipByBlockRms(1), scaleByLearningRate(1e-2));
 * @see Shazeer & Stern, "Adafactor" (ICML 2018), section 6.
 */
export function clipByBlockRms(threshold: number): GradientTransformation<EmptyState> {
  checkPositive('clipByBlockRms', 'threshold', threshold);
  return perLeafFactor(
    {
      owner: 'clipByBlockRms',
      readsParams: false,
      factor: (u) => cast(maximum(div(sqrt(mean(square(u))), threshold), 1), u.dtype),
      kernel: DIVIDE_BY_FACTOR,
    },
    (u, factor) => div(u, factor),
  );
}
