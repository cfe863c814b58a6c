import { checkTransformation } from './chain.js';
import { withInputChecks } from '../input-checks.js';
import { fusedMap, tidy, zerosLike, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import { ADD } from '../kernels.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, zerosTree } from '../tree-utilities.js';
import { checkPositiveInteger } from '../validation.js';

/** State of {@link multiSteps}. */
export interface MultiStepsState<S> {
  /** Micro-steps accumulated since the last real update (0 ≤ miniStep < k). */
  miniStep: number;
  /** Real (inner) updates made so far. */
  gradientStep: number;
  /** Σ of the gradients of the current micro-steps, shaped like the params. */
  accumulated: TensorTree;
  /** The wrapped transform's state. */
  inner: S;
}

const MEAN_OF_SUM = defineKernel(
  'optim.multiSteps.meanOfSum',
  { inputs: ['sum', 'g'], scalars: ['count'] },
  ({ sum, g, count }) => e.div(e.add(sum, g), count),
);

/**
 * Gradient accumulation: the inner transform sees the mean of every k consecutive gradients
 * and updates once per k calls; the calls in between return zero updates and leave the
 * inner state alone. k micro-batches then give the same parameters as one batch k times as
 * large (exactly, for a loss that is a mean over examples).
 *
 * Update: S ← S + g on micro-steps 1..k−1 (out = 0); on micro-step k,
 * out = inner((S + g)/k), S ← 0.
 *
 * @param inner - any transform.
 * @param everyKSteps - k, a positive integer.
 * @example
 * const accumulated = multiSteps(adamw({ lr: 1e-3 }), 4); // effective batch ×4
 * @see optax `MultiSteps`.
 */
export function multiSteps<S>(
  inner: GradientTransformation<S>,
  everyKSteps: number,
): GradientTransformation<MultiStepsState<S>> {
  const k = checkPositiveInteger('multiSteps', 'everyKSteps', everyKSteps);
  checkTransformation('multiSteps', 'inner', inner);
  return withInputChecks('multiSteps', {
    init: (params) => ({ miniStep: 0, gradientStep: 0, accumulated: zerosTree(params), inner: inner.init(params) }),
    update: (updates, state, params, extras) => {
      checkStructure('multiSteps.update', state.accumulated, updates, ['state.accumulated', 'updates']);
      if (state.miniStep + 1 < k) {
        return tidy(() => {
          const accumulated = mapTensors(
            (g: Tensor, sum: Tensor) => fusedMap(ADD, [sum, g]),
            updates,
            state.accumulated,
          ) as TensorTree;
          const zeros = mapTensors((g: Tensor) => zerosLike(g), updates) as TensorTree;
          return [
            zeros,
            { miniStep: state.miniStep + 1, gradientStep: state.gradientStep, accumulated, inner: state.inner },
          ] as [TensorTree, MultiStepsState<S>];
        });
      }
      return tidy(() => {
        const mean = mapTensors(
          (g: Tensor, sum: Tensor) => fusedMap(MEAN_OF_SUM, [sum, g], [k]),
          updates,
          state.accumulated,
        ) as TensorTree;
        const [out, innerState] = inner.update(mean, state.inner, params, extras);
        return [
          out,
          { miniStep: 0, gradientStep: state.gradientStep + 1, accumulated: zerosTree(updates), inner: innerState },
        ] as [TensorTree, MultiStepsState<S>];
      });
    },
  });
}
