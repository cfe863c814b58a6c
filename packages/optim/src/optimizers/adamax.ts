import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { maximizeStage } from '../maximize-stage.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdamax } from '../transforms/scale-by-adamax.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import {
  checkBoolean,
  checkBetas,
  checkLearningRate,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
} from '../validation.js';

/** Options of {@link adamax} (PyTorch's names and defaults). */
export interface AdamaxOptions {
  /** Learning rate η ≥ 0 or a schedule (default 2e-3). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
  weightDecay?: number | Schedule;
  /** Ascend the objective: the gradient is negated before everything else, weight decay included (PyTorch's `maximize`; default false). */
  maximize?: boolean;
}

/**
 * Adamax, step for step as PyTorch's `torch.optim.Adamax`.
 *
 * Update (t from 1): g ← g + λθ; m_t = β₁m_{t−1} + (1 − β₁)g; u_t = max(β₂u_{t−1}, |g| + ε);
 * θ ← θ − η/(1 − β₁ᵗ) · m_t/u_t.
 *
 * Chain: (`maximize: scale(−1)` when `maximize`) → `weightDecay` → `adamax: scaleByAdamax` → `learningRate`.
 *
 * @param options - `lr` (2e-3), `betas` ([0.9, 0.999]), `eps` (1e-8), `weightDecay` (0), `maximize` (false).
 * @example
 * const optimizer = adamax({ lr: 2e-3 });
 * @see Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), section 7.1.
 */
export function adamax(options: AdamaxOptions = {}) {
  const owner = 'adamax';
  checkOptionKeys(owner, options, ['lr', 'betas', 'eps', 'weightDecay', 'maximize']);
  const maximize = checkBoolean(owner, 'maximize', options.maximize ?? false);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 2e-3);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  return withInputChecks(
    owner,
    namedChain({
      ...maximizeStage(maximize),
      weightDecay: addDecayedWeights(weightDecay),
      adamax: scaleByAdamax({ betas, eps }),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
