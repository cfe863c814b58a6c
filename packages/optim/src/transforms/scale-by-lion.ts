import { defineKernel, expression as e } from '@vane/tensor';
import { runFinalKernel } from '../combinators/compose-final-kernel.js';
import { MOVING_AVERAGE, signOf } from '../kernels.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, zerosTree } from '../tree-utilities.js';
import { checkBetas, checkOptionKeys } from '../validation.js';

/** Options of {@link scaleByLion}. */
export interface ScaleByLionOptions {
  /** (β₁, β₂) in [0, 1): interpolation for the step, decay of the momentum (default [0.9, 0.99]). */
  betas?: readonly [number, number];
}

/** State of {@link scaleByLion}. */
export interface ScaleByLionState {
  /** m: the momentum, shaped like the params. */
  momentum: TensorTree;
}

// sign(β₁·m + (1 − β₁)·g); `chain` composes a folded learning rate and decay into it.
const LION_DIRECTION = defineKernel(
  'optim.lion.direction',
  { inputs: ['m', 'g'], scalars: ['beta1'] },
  ({ m, g, beta1 }) => signOf(e.add(e.mul(beta1, m), e.mul(e.sub(1, beta1), g))),
);

/**
 * Lion's update direction: the sign of an interpolation between the momentum and the
 * gradient; the momentum itself decays with a second, slower rate.
 *
 * Update (Program 1 of the paper): c = β₁m_{t−1} + (1 − β₁)g; out = sign(c);
 * m_t = β₂m_{t−1} + (1 − β₂)g (m₀ = 0).
 *
 * @param options - `betas` ([0.9, 0.99]).
 * @example
 * const tx = chain(scaleByLion(), scaleByLearningRate(1e-4));
 * @see Chen et al., "Symbolic Discovery of Optimization Algorithms" (NeurIPS 2023).
 */
export function scaleByLion(options: ScaleByLionOptions = {}): GradientTransformation<ScaleByLionState> {
  const owner = 'scaleByLion';
  checkOptionKeys(owner, options, ['betas']);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.99]);
  const finalKernel = (updates: TensorTree, state: ScaleByLionState): FinalKernel<ScaleByLionState> => {
    checkStructure('scaleByLion.update', state.momentum, updates, ['state.momentum', 'updates']);
    // The direction reads the momentum before this update and the gradient; the new momentum is
    // a fresh output of the same pass (where it runs as one), the state made from it.
    return {
      owner,
      kernel: LION_DIRECTION,
      fresh: {
        kernels: [MOVING_AVERAGE],
        sources: [state.momentum, updates],
        scalars: [beta2],
        selected: [{ source: 0 }, { source: 1 }],
        state: ([momentum]) => ({ momentum: momentum! }),
      },
      scalars: [beta1],
    };
  };
  return {
    init: (params) => ({ momentum: zerosTree(params) }),
    update: (updates, state) => {
      const final = finalKernel(updates, state);
      return runFinalKernel(final, updates, undefined, undefined);
    },
    finalKernel: (updates, state) => (updates === undefined ? undefined : finalKernel(updates, state)),
  };
}
