import type { EmptyState, GradientTransformation } from '../transform.js';

/**
 * The transform that changes nothing: the neutral element of {@link chain}.
 *
 * Update: u ← u. State: none.
 *
 * @example
 * const maybeClip = clipping ? clipByGlobalNorm(1) : identity();
 * @see optax `identity`.
 */
export function identity(): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [updates, state],
    finalKernel: (_updates, state) => ({ epilogue: { updateScale: 1, paramScale: 0 }, state }),
  };
}
