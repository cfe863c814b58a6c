import { fusedMap, tidy, type FusedKernel, type Tensor } from '@vane/tensor';
import { MOVING_AVERAGE } from '../kernels';
import type { GradientTransformation, TensorTree } from '../transform';
import { checkStructure, mapTensors, zerosTree } from '../tree-utilities';
import { checkBetas, checkOptionKeys } from '../validation';

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

const LION_DIRECTION: FusedKernel = {
  name: 'optim.lion.direction',
  arity: 2,
  fn: function lionDirection(m: number, g: number, beta1: number) {
    const interpolated = beta1 * m + (1 - beta1) * g;
    return interpolated > 0 ? 1 : interpolated < 0 ? -1 : interpolated;
  },
};

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
  return {
    init: (params) => ({ momentum: zerosTree(params) }),
    update: (updates, state) => {
      checkStructure('scaleByLion.update', state.momentum, updates, ['state.momentum', 'updates']);
      return tidy(() => {
        const out = mapTensors((g: Tensor, m: Tensor) => fusedMap(LION_DIRECTION, [m, g], [beta1]), updates, state.momentum) as TensorTree;
        const momentum = mapTensors((g: Tensor, m: Tensor) => fusedMap(MOVING_AVERAGE, [m, g], [beta2]), updates, state.momentum) as TensorTree;
        return [out, { momentum }] as [TensorTree, ScaleByLionState];
      });
    },
  };
}
