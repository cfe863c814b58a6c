import { defineKernel, expression as e, type NumberExpression } from '@vane/tensor';
import { SCALE } from '../kernels.js';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, zerosTree } from '../tree-utilities.js';
import { checkBetas, checkBoolean, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link scaleByBelief}. */
export interface ScaleByBeliefOptions {
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0, added both to s_t and to the denominator (default 1e-16, the paper's). */
  eps?: number;
  /**
   * RAdam-style rectification (AdaBelief's `rectify`, default false), in the form of the
   * ActiveLR authors' `ActiveBelief.py` (copied from adabelief-pytorch 0.0.5): with
   * ρ_∞ = 2/(1 − β₂) − 1 and ρ_t = ρ_∞ − 2tβ₂ᵗ/(1 − β₂ᵗ), out = r_t·m̂/(√ŝ + ε) while ρ_t > 4,
   * and the uncorrected m_t (an SGD-with-momentum step) before. Later adabelief-pytorch releases
   * use ρ_t > 5 and an optional bias-corrected SGD step instead.
   */
  rectify?: boolean;
}

/** State of {@link scaleByBelief}. */
export interface ScaleByBeliefState {
  count: number;
  /** m: moving average of the gradients. */
  firstMoment: TensorTree;
  /** s: moving average of (g − m)² plus ε: the "belief" in the gradient. */
  belief: TensorTree;
}

/** s′ = β₂·s + (1 − β₂)·(g − m′)² + ε, with m′ the new first moment. */
function nextBelief(
  s: NumberExpression,
  g: NumberExpression,
  nextM: NumberExpression,
  beta2: NumberExpression,
  eps: NumberExpression,
): NumberExpression {
  const surprise = e.sub(g, nextM);
  return e.add(e.add(e.mul(beta2, s), e.mul(e.mul(e.sub(1, beta2), surprise), surprise)), eps);
}

/**
 * The state updates over (m, s, g) as fresh inputs: m′ (the expression of `MOVING_AVERAGE`),
 * then s′, a dependent kernel that reads m′ (input 3), so that both and the direction run in one
 * pass where they can.
 */
const STATE_SIGNATURE = { inputs: ['m', 's', 'g'], scalars: ['beta1', 'beta2', 'eps'] } as const;
const FIRST_MOMENT = defineKernel('optim.belief.firstMoment', STATE_SIGNATURE, ({ m, g, beta1 }) =>
  e.add(e.mul(beta1, m), e.mul(e.sub(1, beta1), g)),
);
const BELIEF = defineKernel(
  'optim.belief.belief',
  { inputs: ['m', 's', 'g', 'nextM'], scalars: ['beta1', 'beta2', 'eps'] },
  ({ s, g, nextM, beta2, eps }) => nextBelief(s, g, nextM, beta2, eps),
);

const BELIEF_DIRECTION = defineKernel(
  'optim.belief.direction',
  { inputs: ['m', 's'], scalars: ['firstCorrection', 'secondCorrection', 'eps'] },
  ({ m, s, firstCorrection, secondCorrection, eps }) =>
    e.div(e.mul(m, firstCorrection), e.add(e.sqrt(e.mul(s, secondCorrection)), eps)),
);

/**
 * AdaBelief's rescaling: Adam with the second moment replaced by the variance of the gradient
 * around its moving average, so steps are large where the gradient agrees with its "belief".
 *
 * Update (t from 1; Algorithm 2 of the paper): m_t = β₁m_{t−1} + (1 − β₁)g;
 * s_t = β₂s_{t−1} + (1 − β₂)(g − m_t)² + ε; m̂ = m_t/(1 − β₁ᵗ), ŝ = s_t/(1 − β₂ᵗ);
 * out = m̂ / (√ŝ + ε). With `rectify`: out = r_t·m̂/(√ŝ + ε) when ρ_t > 4, else out = m_t, with
 * r_t = √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t)) as in RAdam.
 *
 * @param options - `betas` ([0.9, 0.999]), `eps` (1e-16), `rectify` (false).
 * @example
 * const tx = chain(scaleByBelief(), scaleByLearningRate(1e-3));
 * @see Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients" (NeurIPS 2020).
 */
export function scaleByBelief(options: ScaleByBeliefOptions = {}): GradientTransformation<ScaleByBeliefState> {
  const owner = 'scaleByBelief';
  checkOptionKeys(owner, options, ['betas', 'eps', 'rectify']);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-16);
  const rectify = checkBoolean(owner, 'rectify', options.rectify ?? false);
  const rhoInfinity = 2 / (1 - beta2) - 1;
  return finalKernelProducer(
    (params) => ({ count: 0, firstMoment: zerosTree(params), belief: zerosTree(params) }),
    (updates, state): FinalKernel<ScaleByBeliefState> => {
      checkStructure('scaleByBelief.update', state.firstMoment, updates, ['state.firstMoment', 'updates']);
      const count = state.count + 1;
      const firstCorrection = 1 / (1 - beta1 ** count);
      const secondCorrection = 1 / (1 - beta2 ** count);
      // Rectified: the adaptive step only once ρ_t > 4 (scaled by r_t), plain momentum before.
      const rho = rhoInfinity - (2 * count * beta2 ** count) / (1 - beta2 ** count);
      const adaptive = !rectify || rho > 4;
      const rectification =
        rectify && adaptive
          ? Math.sqrt(((rho - 4) * (rho - 2) * rhoInfinity) / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho))
          : 1;
      const fresh = {
        kernels: [FIRST_MOMENT],
        dependent: [BELIEF],
        sources: [state.firstMoment, state.belief, updates],
        scalars: [beta1, beta2, eps],
        state: ([firstMoment, belief]: readonly TensorTree[]): ScaleByBeliefState => ({
          count,
          firstMoment: firstMoment!,
          belief: belief!,
        }),
      };
      if (!adaptive)
        return {
          owner,
          kernel: SCALE,
          fresh: { ...fresh, selected: [{ output: 0 }] },
          scalars: [1],
          roundsOutput: true,
        };
      const scalars = [rectification * firstCorrection, secondCorrection, eps];
      return {
        owner,
        kernel: BELIEF_DIRECTION,
        fresh: { ...fresh, selected: [{ output: 0 }, { output: 1 }] },
        scalars,
        roundsOutput: true,
      };
    },
  );
}
