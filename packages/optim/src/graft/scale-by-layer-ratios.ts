/**
 * A fixed per-parameter-tensor learning-rate multiplier: how a calibrated layer-wise
 * correction (see {@link calibrateLayerwiseLR}) is applied to plain SGD.
 */
import { fusedMap, tidy, tree, type Tensor, type Tree } from '@vane/tensor';
import { SCALE } from '../kernels.js';
import type { EmptyState, GradientTransformation, TensorTree } from '../transform.js';
import { failOption } from '../validation.js';

/**
 * Multiplies each parameter tensor's update by its own constant r_ℓ.
 *
 * Update: u_ℓ ← r_ℓ·u_ℓ. State: none (the ratios are hyperparameters, one number per tensor).
 *
 * @param ratios - a tree of numbers shaped like the params (one per parameter tensor), e.g.
 *   `calibrateLayerwiseLR(...).ratios`.
 * @example
 * const layerwiseSgd = chain(trace({ decay: 0.9 }), scaleByLayerRatios({ w: 2.5, b: 0.4 }), scaleByLearningRate(0.01));
 * @see Agarwal et al., "Disentangling Adaptive Gradient Methods from Learning Rates" (arXiv 2002.11803).
 */
export function scaleByLayerRatios(ratios: Tree<number>): GradientTransformation<EmptyState> {
  const owner = 'scaleByLayerRatios';
  tree.entries(ratios).forEach(([path, value]) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      failOption(owner, `ratios.${path}`, 'a finite number ≥ 0', value);
  });
  return {
    init: () => ({}),
    update: (updates, state) => [
      tidy(
        () =>
          tree.map(
            (u: Tensor, ratio: number) => fusedMap(SCALE, [u], [ratio]),
            updates,
            ratios as Tree<never>,
          ) as TensorTree,
      ),
      state,
    ],
  };
}
