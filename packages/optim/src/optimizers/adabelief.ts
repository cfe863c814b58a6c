import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByBelief } from '../transforms/scale-by-belief.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import {
  checkBetas,
  checkBoolean,
  checkLearningRate,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
} from '../validation.js';

/** Options of {@link adabelief}. */
export interface AdabeliefOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-16, the paper's). */
  eps?: number;
  /** Weight decay λ ≥ 0 (default 0): decoupled, or L2 on the gradient. */
  weightDecay?: number | Schedule;
  /**
   * Decay the weights as AdamW does, θ ← θ − ηλθ (default true, AdaBelief's `weight_decouple=True`);
   * false adds λθ to the gradient before the moments (L2), AdaBelief's `weight_decouple=False`.
   */
  decoupledWeightDecay?: boolean;
  /** RAdam-style rectification, AdaBelief's `rectify` (default false); see {@link scaleByBelief}. */
  rectify?: boolean;
}

/**
 * AdaBelief: Adam with the second moment replaced by the moving variance of the gradient
 * around its moving average.
 *
 * Update (t from 1; Algorithm 2 of the paper): m_t = β₁m_{t−1} + (1 − β₁)g;
 * s_t = β₂s_{t−1} + (1 − β₂)(g − m_t)² + ε; θ ← θ − η(m_t/(1 − β₁ᵗ) / (√(s_t/(1 − β₂ᵗ)) + ε) + λθ).
 *
 * With `decoupledWeightDecay: false` the λθ is added to g instead (L2). With `rectify`, the step is
 * r_t·m̂/(√ŝ + ε) once ρ_t > 4 and the momentum step m_t before (see {@link scaleByBelief}).
 *
 * Chain: `belief: scaleByBelief` → `weightDecay` (decoupled) → `learningRate`; with
 * `decoupledWeightDecay: false`, `weightDecay` (L2) → `belief` → `learningRate`.
 *
 * @param options - `lr` (1e-3), `betas` ([0.9, 0.999]), `eps` (1e-16), `weightDecay` (0),
 *   `decoupledWeightDecay` (true), `rectify` (false).
 * @example
 * const optimizer = adabelief({ lr: 1e-3 });
 * @see Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients" (NeurIPS 2020).
 */
export function adabelief(options: AdabeliefOptions = {}) {
  const owner = 'adabelief';
  checkOptionKeys(owner, options, ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay', 'rectify']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-16);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  const decoupled = checkBoolean(owner, 'decoupledWeightDecay', options.decoupledWeightDecay ?? true);
  const rectify = checkBoolean(owner, 'rectify', options.rectify ?? false);
  // Two orders of the same stages (the default keeps the state layout of earlier versions, so
  // saved states still load): the decay after the belief step (decoupled) or before it (L2).
  const belief = scaleByBelief({ betas, eps, rectify });
  const chain = decoupled
    ? namedChain({ belief, weightDecay: addDecayedWeights(weightDecay), learningRate: scaleByLearningRate(lr) })
    : namedChain({ weightDecay: addDecayedWeights(weightDecay), belief, learningRate: scaleByLearningRate(lr) });
  return withInputChecks(owner, chain);
}
