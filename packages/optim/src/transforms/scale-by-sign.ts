import { SIGN } from '../kernels.js';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { EmptyState, GradientTransformation } from '../transform.js';

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
  return finalKernelProducer(
    () => ({}),
    (updates, state) => ({
      owner: 'scaleBySign',
      kernel: SIGN,
      inputs: [updates],
      scalars: [],
      state,
      roundsOutput: true,
    }),
  );
}
