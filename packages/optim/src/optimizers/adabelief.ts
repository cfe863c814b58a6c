import { namedChain } from '../combinators/named-chain';
import { withInputChecks } from '../input-checks';
import type { Schedule } from '../schedules/index';
import { addDecayedWeights } from '../transforms/add-decayed-weights';
import { scaleByBelief } from '../transforms/scale-by-belief';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate';
import { checkBetas, checkLearningRate, checkNonNegativeOrSchedule, checkOptionKeys, checkPositive } from '../validation';

/** Options of {@link adabelief}. */
export interface AdabeliefOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-16, the paper's). */
  eps?: number;
  /** Decoupled weight decay λ ≥ 0 (default 0). */
  weightDecay?: number | Schedule;
}

/**
 * AdaBelief: Adam with the second moment replaced by the moving variance of the gradient
 * around its moving average.
 *
 * Update (t from 1; Algorithm 2 of the paper): m_t = β₁m_{t−1} + (1 − β₁)g;
 * s_t = β₂s_{t−1} + (1 − β₂)(g − m_t)² + ε; θ ← θ − η(m_t/(1 − β₁ᵗ) / (√(s_t/(1 − β₂ᵗ)) + ε) + λθ).
 *
 * Chain: `belief: scaleByBelief` → `weightDecay` (decoupled) → `learningRate`.
 *
 * @param options - `lr` (1e-3), `betas` ([0.9, 0.999]), `eps` (1e-16), `weightDecay` (0).
 * @example
 * const optimizer = adabelief({ lr: 1e-3 });
 * @see Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients" (NeurIPS 2020).
 */
export function adabelief(options: AdabeliefOptions = {}) {
  const owner = 'adabelief';
  checkOptionKeys(owner, options, ['lr', 'betas', 'eps', 'weightDecay']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-16);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  return withInputChecks(owner, namedChain({
    belief: scaleByBelief({ betas, eps }),
    weightDecay: addDecayedWeights(weightDecay),
    learningRate: scaleByLearningRate(lr),
  }));
}
