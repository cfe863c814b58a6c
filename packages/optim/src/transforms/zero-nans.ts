import { fusedMap, tidy, type Tensor } from '@vane/tensor';
import { ZERO_NANS } from '../kernels.js';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { mapTensors } from '../tree-utilities.js';

/**
 * Replaces NaN entries of the updates by 0 (infinities are kept; see {@link applyIfFinite}
 * to skip a whole step instead).
 *
 * Update: uᵢ ← 0 if uᵢ is NaN, else uᵢ. State: none.
 *
 * @example
 * const robust = chain(zeroNans(), adam({ lr: 1e-3 }));
 * @see optax `zero_nans`.
 */
export function zeroNans(): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [tidy(() => mapTensors((u: Tensor) => fusedMap(ZERO_NANS, [u]), updates)), state],
  };
}
