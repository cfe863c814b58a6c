import { cast, defineKernel, expression as e, maximum, mean, mul, sqrt, square } from '@vane/tensor';
import { perLeafFactor } from '../combinators/per-leaf-factor.js';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { checkNonNegative, checkOptionKeys } from '../validation.js';

/** Options of {@link scaleByParameterScale}. */
export interface ScaleByParameterScaleOptions {
  /** ε₂: the smallest scale, so that parameters starting at 0 still move (default 1e-3). */
  minScale?: number;
}

/** u·s, s the leaf's scale max(ε₂, RMS(p)). */
const MULTIPLY_BY_FACTOR = defineKernel(
  'optim.scaleByParameterScale.multiply',
  { inputs: ['u'], scalars: ['factor'] },
  ({ u, factor }) => e.mul(u, factor),
);

/**
 * Adafactor's relative step: scales each leaf's update by the root-mean-square of the
 * parameter it updates.
 *
 * Update, per leaf: u ← u · max(ε₂, RMS(p)), RMS(p) = √(mean(p²)). State: none. Its final
 * kernel is the product, into which `chain` composes Adafactor's learning rate and decay.
 *
 * @param options - `minScale` ε₂ (1e-3).
 * @example
 * const tx = chain(scaleByFactoredRms(), clipByBlockRms(1), scaleByParameterScale(), scaleByLearningRate(1e-2));
 * @see Shazeer & Stern, "Adafactor" (ICML 2018), section 8 (α_t = max(ε₂, RMS(X_{t−1}))ρ_t).
 */
export function scaleByParameterScale(options: ScaleByParameterScaleOptions = {}): GradientTransformation<EmptyState> {
  const owner = 'scaleByParameterScale';
  checkOptionKeys(owner, options, ['minScale']);
  const minScale = checkNonNegative(owner, 'minScale', options.minScale ?? 1e-3);
  return perLeafFactor(
    {
      owner,
      readsParams: true,
      factor: (u, p) => cast(maximum(sqrt(mean(square(p!))), minScale), u.dtype),
      kernel: MULTIPLY_BY_FACTOR,
    },
    (u, factor) => mul(u, factor),
  );
}
