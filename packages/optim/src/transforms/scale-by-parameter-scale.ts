import { cast, maximum, mean, mul, sqrt, square, tidy, type Tensor } from '@vane/tensor';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { checkStructure, mapTensors, requireParams } from '../tree-utilities.js';
import { checkNonNegative, checkOptionKeys } from '../validation.js';

/** Options of {@link scaleByParameterScale}. */
export interface ScaleByParameterScaleOptions {
  /** ε₂: the smallest scale, so that parameters starting at 0 still move (default 1e-3). */
  minScale?: number;
}

/**
 * Adafactor's relative step: scales each leaf's update by the root-mean-square of the
 * parameter it updates.
 *
 * Update, per leaf: u ← u · max(ε₂, RMS(p)), RMS(p) = √(mean(p²)). State: none.
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
  return {
    init: () => ({}),
    update: (updates, state, params) => {
      const parameters = requireParams('scaleByParameterScale.update', params);
      checkStructure('scaleByParameterScale.update', parameters, updates, ['params', 'updates']);
      const out = tidy(() =>
        mapTensors(
          (u: Tensor, p: Tensor) => mul(u, cast(maximum(sqrt(mean(square(p))), minScale), u.dtype)),
          updates,
          parameters,
        ),
      );
      return [out, state];
    },
  };
}
