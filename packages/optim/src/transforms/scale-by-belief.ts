import { fusedMap, tidy, type FusedKernel, type Tensor } from '@vane/tensor';
import { MOVING_AVERAGE } from '../kernels';
import type { GradientTransformation, TensorTree } from '../transform';
import { checkStructure, mapTensors, zerosTree } from '../tree-utilities';
import { checkBetas, checkOptionKeys, checkPositive } from '../validation';

/** Options of {@link scaleByBelief}. */
export interface ScaleByBeliefOptions {
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0, added both to s_t and to the denominator (default 1e-16, the paper's). */
  eps?: number;
}

/** State of {@link scaleByBelief}. */
export interface ScaleByBeliefState {
  count: number;
  /** m: moving average of the gradients. */
  firstMoment: TensorTree;
  /** s: moving average of (g − m)² plus ε: the "belief" in the gradient. */
  belief: TensorTree;
}

const BELIEF: FusedKernel = {
  name: 'optim.belief.belief',
  arity: 3,
  fn: function belief(s: number, g: number, m: number, beta2: number, eps: number) {
    const surprise = g - m;
    return beta2 * s + (1 - beta2) * surprise * surprise + eps;
  },
};

const BELIEF_DIRECTION: FusedKernel = {
  name: 'optim.belief.direction',
  arity: 2,
  fn: function beliefDirection(m: number, s: number, firstCorrection: number, secondCorrection: number, eps: number) {
    return (m * firstCorrection) / (Math.sqrt(s * secondCorrection) + eps);
  },
};

/**
 * AdaBelief's rescaling: Adam with the second moment replaced by the variance of the gradient
 * around its moving average, so steps are large where the gradient agrees with its "belief".
 *
 * Update (t from 1; Algorithm 2 of the paper): m_t = β₁m_{t−1} + (1 − β₁)g;
 * s_t = β₂s_{t−1} + (1 − β₂)(g − m_t)² + ε; m̂ = m_t/(1 − β₁ᵗ), ŝ = s_t/(1 − β₂ᵗ);
 * out = m̂ / (√ŝ + ε).
 *
 * @param options - `betas` ([0.9, 0.999]), `eps` (1e-16).
 * @example
 * const tx = chain(scaleByBelief(), scaleByLearningRate(1e-3));
 * @see Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients" (NeurIPS 2020).
 */
export function scaleByBelief(options: ScaleByBeliefOptions = {}): GradientTransformation<ScaleByBeliefState> {
  const owner = 'scaleByBelief';
  checkOptionKeys(owner, options, ['betas', 'eps']);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-16);
  return {
    init: (params) => ({ count: 0, firstMoment: zerosTree(params), belief: zerosTree(params) }),
    update: (updates, state) => {
      checkStructure('scaleByBelief.update', state.firstMoment, updates, ['state.firstMoment', 'updates']);
      const count = state.count + 1;
      const firstCorrection = 1 / (1 - beta1 ** count);
      const secondCorrection = 1 / (1 - beta2 ** count);
      return tidy(() => {
        const firstMoment = mapTensors((g: Tensor, m: Tensor) => fusedMap(MOVING_AVERAGE, [m, g], [beta1]), updates, state.firstMoment) as TensorTree;
        const belief = mapTensors((g: Tensor, s: Tensor, m: Tensor) => fusedMap(BELIEF, [s, g, m], [beta2, eps]), updates, state.belief, firstMoment) as TensorTree;
        const out = mapTensors((m: Tensor, s: Tensor) => fusedMap(BELIEF_DIRECTION, [m, s], [firstCorrection, secondCorrection, eps]), firstMoment, belief) as TensorTree;
        return [out, { count, firstMoment, belief }] as [TensorTree, ScaleByBeliefState];
      });
    },
  };
}
