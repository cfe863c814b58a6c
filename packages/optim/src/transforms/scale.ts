import { fusedMap, tidy, type Tensor } from '@vane/tensor';
import { SCALE } from '../kernels.js';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { mapTensors } from '../tree-utilities.js';
import { checkFinite } from '../validation.js';

/**
 * Multiplies every update by a constant.
 *
 * Update: u ← s·u. State: none.
 *
 * @param factor - the constant s (any finite number; −1 turns descent into ascent).
 * @example
 * const ascent = chain(scaleByAdam(), scale(-1e-3)); // hand-written learning rate, no schedule
 * @see optax `scale`.
 */
export function scale(factor: number): GradientTransformation<EmptyState> {
  checkFinite('scale', 'factor', factor);
  return {
    init: () => ({}),
    update: (updates, state) => [tidy(() => mapTensors((u: Tensor) => fusedMap(SCALE, [u], [factor]), updates)), state],
    finalKernel: (_updates, state) => ({ epilogue: { updateScale: factor, paramScale: 0 }, state }),
  };
}
