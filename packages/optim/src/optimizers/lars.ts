import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import type { Schedule } from '../schedules/index.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByTrustRatio } from '../transforms/scale-by-trust-ratio.js';
import { trace } from '../transforms/trace.js';
import { identity } from '../combinators/identity.js';
import {
  checkBoolean,
  checkLearningRate,
  checkNonNegative,
  checkOptionKeys,
  checkPositive,
  failCombination,
} from '../validation.js';

/** Options of {@link lars}. */
export interface LarsOptions {
  /** Global learning rate γ ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** Momentum m ≥ 0 (default 0.9). */
  momentum?: number;
  /** Weight decay β ≥ 0, folded into the trust ratio as the paper does (default 0). */
  weightDecay?: number;
  /** Trust coefficient η > 0 (default 1e-3, the paper's). */
  trustCoefficient?: number;
  /** ε ≥ 0 added to the ratio's denominator (default 0). */
  eps?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

/**
 * LARS: SGD with momentum whose per-layer learning rate is scaled by the ratio of the
 * weights' norm to the gradient's norm.
 *
 * Update (Algorithm 1 of the paper): λ = η‖w‖/(‖g‖ + β‖w‖) (1 if ‖w‖ = 0 or the denominator
 * is 0); v_t = m·v_{t−1} + λ(g + βw) (v₁ = λ(g + βw)); w ← w − γv_t.
 * (The paper puts γ inside v; with a constant γ the two are the same.)
 *
 * Chain: `trustRatio: scaleByTrustRatio({ trustCoefficient, eps, weightDecay })` →
 * `momentum: trace({ decay: m, nesterov })` (identity when m = 0) → `learningRate`.
 *
 * @param options - `lr` (1e-3), `momentum` (0.9), `weightDecay` (0), `trustCoefficient` (1e-3), `eps` (0), `nesterov` (false).
 * @example
 * const optimizer = lars({ lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
 * @see You, Gitman, Ginsburg, "Large Batch Training of Convolutional Networks" (2017).
 */
export function lars(options: LarsOptions = {}) {
  const owner = 'lars';
  checkOptionKeys(owner, options, ['lr', 'momentum', 'weightDecay', 'trustCoefficient', 'eps', 'nesterov']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const momentum = checkNonNegative(owner, 'momentum', options.momentum ?? 0.9);
  const weightDecay = checkNonNegative(owner, 'weightDecay', options.weightDecay ?? 0);
  const trustCoefficient = checkPositive(owner, 'trustCoefficient', options.trustCoefficient ?? 1e-3);
  const eps = checkNonNegative(owner, 'eps', options.eps ?? 0);
  const nesterov = checkBoolean(owner, 'nesterov', options.nesterov ?? false);
  if (nesterov && momentum <= 0) failCombination(owner, 'nesterov', 'used with momentum > 0', `momentum ${momentum}`);
  return withInputChecks(
    owner,
    namedChain({
      trustRatio: scaleByTrustRatio({ trustCoefficient, eps, weightDecay }),
      momentum: momentum > 0 ? trace({ decay: momentum, nesterov }) : identity(),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
