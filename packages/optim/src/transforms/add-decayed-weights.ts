import { fusedMap, tidy, type Tensor } from '@vane/tensor';
import { masked, type MaskedState, type MaskSpecification } from '../combinators/masked.js';
import { ADD_SCALED } from '../kernels.js';
import type { GradientTransformation } from '../transform.js';
import { checkStructure, mapTensors, requireParams } from '../tree-utilities.js';
import { checkNonNegativeOrSchedule, valueAt, type ScalarOrSchedule } from '../validation.js';
import type { ScheduleState } from './scale-by-learning-rate.js';

/** State of {@link addDecayedWeights}: a step count, inside a {@link MaskedState} when masked. */
export type AddDecayedWeightsState = ScheduleState | MaskedState<ScheduleState>;

/**
 * Adds weight decay to the updates: the parameters times a rate.
 *
 * Update: u ← u + λ_t·p. State: `{ count }` (for a scheduled λ).
 *
 * Placed *before* an adaptive transform it is PyTorch's L2 `weight_decay` (the decay term is
 * rescaled with the gradient, as in `adam`); placed *after* it and before the learning rate it
 * is decoupled weight decay (`adamw`: p ← p − η(û + λp)).
 *
 * @param weightDecay - λ ≥ 0, or a schedule `(step) => λ`.
 * @param mask - optional: which leaves to decay (a tree of booleans, or a function of the
 *   params returning one); the others pass through (see {@link masked}).
 * @example
 * const tx = chain(scaleByAdam(), addDecayedWeights(0.01, (params) => tree.map((p) => p.ndim > 1, params)), scaleByLearningRate(1e-3));
 * @see Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).
 */
export function addDecayedWeights(
  weightDecay: ScalarOrSchedule = 0,
  mask?: MaskSpecification,
): GradientTransformation<AddDecayedWeightsState> {
  const rate = checkNonNegativeOrSchedule('addDecayedWeights', 'weightDecay', weightDecay);
  const inner: GradientTransformation<ScheduleState> = {
    init: () => ({ count: 0 }),
    update: (updates, state, params) => {
      const parameters = requireParams('addDecayedWeights.update', params);
      checkStructure('addDecayedWeights.update', parameters, updates, ['params', 'updates']);
      const factor = valueAt(rate, state.count);
      const next = { count: state.count + 1 };
      if (factor === 0) return [updates, next];
      return [
        tidy(() => mapTensors((u: Tensor, p: Tensor) => fusedMap(ADD_SCALED, [u, p], [factor]), updates, parameters)),
        next,
      ];
    },
    finalKernel: (_updates, state, params) => {
      const factor = valueAt(rate, state.count);
      // Without params the ordinary update reports them missing.
      if (factor !== 0 && params === undefined) return undefined;
      return { epilogue: { updateScale: 1, paramScale: factor }, state: { count: state.count + 1 } };
    },
  };
  return (mask === undefined ? inner : masked(inner, mask)) as GradientTransformation<AddDecayedWeightsState>;
}
