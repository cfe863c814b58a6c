import { fusedMap, tidy, type Tensor } from '@vane/tensor';
import { CLIP } from '../kernels.js';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { mapTensors } from '../tree-utilities.js';
import { checkNonNegative } from '../validation.js';

/**
 * Clips every update element to [−δ, δ] (PyTorch's `clip_grad_value_`).
 *
 * Update: uᵢ ← min(max(uᵢ, −δ), δ). State: none.
 *
 * @param maxDelta - δ ≥ 0.
 * @example
 * const tx = chain(clip(1), sgd({ lr: 0.1 }));
 * @see optax `clip`.
 */
export function clip(maxDelta: number): GradientTransformation<EmptyState> {
  checkNonNegative('clip', 'maxDelta', maxDelta);
  return {
    init: () => ({}),
    update: (updates, state) => [
      tidy(() => mapTensors((u: Tensor) => fusedMap(CLIP, [u], [maxDelta]), updates)),
      state,
    ],
  };
}
