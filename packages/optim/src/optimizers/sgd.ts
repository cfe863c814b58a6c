import { identity } from '../combinators/identity.js';
import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { maximizeStage } from '../maximize-stage.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { trace } from '../transforms/trace.js';
import {
  checkBoolean,
  checkClosedUnitInterval,
  checkLearningRate,
  checkNonNegative,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  failCombination,
} from '../validation.js';

/** Options of {@link sgd} (PyTorch's names and defaults). */
export interface SgdOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** Momentum μ ≥ 0 (default 0: plain SGD). */
  momentum?: number;
  /** Dampening d ∈ [0, 1] of the gradient in the momentum buffer (default 0). */
  dampening?: number;
  /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
  weightDecay?: number | Schedule;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Ascend the objective: the gradient is negated before everything else, weight decay included (PyTorch's `maximize`; default false). */
  maximize?: boolean;
}

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum, dampening and L2
 * weight decay, step for step as PyTorch's `torch.optim.SGD`.
 *
 * Update (t from 1): g ← g + λθ; b₁ = g, b_t = μb_{t−1} + (1 − d)g; with Nesterov
 * d_t = g + μb_t, else d_t = b_t (d_t = g when μ = 0); θ ← θ − η·d_t.
 *
 * Chain: (`maximize: scale(−1)` when `maximize`) → `weightDecay: addDecayedWeights(λ)` → `momentum: trace({ decay: μ, dampening, nesterov })`
 * (identity when μ = 0) → `learningRate: scaleByLearningRate(η)`.
 *
 * @param options - `lr` (1e-3), `momentum` (0), `dampening` (0), `weightDecay` (0), `nesterov` (false), `maximize` (false).
 * @example
 * const optimizer = sgd({ lr: 0.1, momentum: 0.9, nesterov: true });
 * @see Robbins & Monro, "A Stochastic Approximation Method" (1951); Sutskever et al. (ICML 2013) for momentum and Nesterov.
 */
export function sgd(options: SgdOptions = {}) {
  const owner = 'sgd';
  checkOptionKeys(owner, options, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize']);
  const maximize = checkBoolean(owner, 'maximize', options.maximize ?? false);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const momentum = checkNonNegative(owner, 'momentum', options.momentum ?? 0);
  const dampening = checkClosedUnitInterval(owner, 'dampening', options.dampening ?? 0);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  const nesterov = checkBoolean(owner, 'nesterov', options.nesterov ?? false);
  if (nesterov && (momentum <= 0 || dampening !== 0))
    failCombination(
      owner,
      'nesterov',
      'used with momentum > 0 and dampening 0',
      `momentum ${momentum}, dampening ${dampening}`,
    );
  return withInputChecks(
    owner,
    namedChain({
      ...maximizeStage(maximize),
      weightDecay: addDecayedWeights(weightDecay),
      momentum: momentum > 0 ? trace({ decay: momentum, dampening, nesterov }) : identity(),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
