import { fusedMap, tidy, type Tensor } from '@vane/tensor';
import { SIGN } from '../kernels.js';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { mapTensors } from '../tree-utilities.js';

/**
 * Keeps only the sign of each update: the building block of signSGD and Signum.
 *
 * Update: uᵢ ← sign(uᵢ) ∈ {−1, 0, +1}. State: none.
 *
 * @example
 * const signSgdLike = chain(scaleBySign(), scaleByLearningRate(1e-3));
 * @see Bernstein, Wang, Azizzadenesheli, Anandkumar, "signSGD: Compressed Optimisation for Non-Convex Problems" (ICML 2018).
 */
export function scaleBySign(): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [tidy(() => mapTensors((u: Tensor) => fusedMap(SIGN, [u]), updates)), state],
  };
}
