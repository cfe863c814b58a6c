import { tidy, zerosLike, type Tensor } from '@vane/tensor';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { mapTensors } from '../tree-utilities.js';

/**
 * Replaces every update by zeros (used by {@link freeze}).
 *
 * Update: u ← 0. State: none.
 *
 * @example
 * const frozenEmbedding = masked(setToZero(), { embedding: true, head: false });
 * @see optax `set_to_zero`.
 */
export function setToZero(): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [tidy(() => mapTensors((u: Tensor) => zerosLike(u), updates)), state],
  };
}
