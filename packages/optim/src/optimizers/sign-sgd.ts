import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { ema } from '../transforms/ema.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleBySign } from '../transforms/scale-by-sign.js';
import { checkLearningRate, checkNonNegativeOrSchedule, checkOptionKeys, checkUnitInterval } from '../validation.js';

/** Options of {@link signSgd}. */
export interface SignSgdOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** Decoupled weight decay λ ≥ 0 (default 0). */
  weightDecay?: number | Schedule;
}

/**
 * signSGD: steps of fixed size in the direction of the gradient's sign.
 *
 * Update (Algorithm 1 of the paper): θ ← θ − η(sign(g) + λθ).
 *
 * Chain: `sign: scaleBySign` → `weightDecay` → `learningRate`.
 *
 * @param options - `lr` (1e-3), `weightDecay` (0).
 * @example
 * const optimizer = signSgd({ lr: 1e-3 });
 * @see Bernstein, Wang, Azizzadenesheli, Anandkumar, "signSGD: Compressed Optimisation for Non-Convex Problems" (ICML 2018).
 */
export function signSgd(options: SignSgdOptions = {}) {
  const owner = 'signSgd';
  checkOptionKeys(owner, options, ['lr', 'weightDecay']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  return withInputChecks(
    owner,
    namedChain({
      sign: scaleBySign(),
      weightDecay: addDecayedWeights(weightDecay),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}

/** Options of {@link signum}. */
export interface SignumOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** Momentum β ∈ [0, 1) of the moving average (default 0.9). */
  momentum?: number;
  /** Decoupled weight decay λ ≥ 0 (default 0). */
  weightDecay?: number | Schedule;
}

/**
 * Signum: signSGD on a moving average of the gradients (sign momentum).
 *
 * Update (Algorithm 3 of the paper): m_t = βm_{t−1} + (1 − β)g (m₀ = 0);
 * θ ← θ − η(sign(m_t) + λθ).
 *
 * Chain: `momentum: ema(β, { debias: false })` → `sign: scaleBySign` → `weightDecay` → `learningRate`.
 *
 * @param options - `lr` (1e-3), `momentum` (0.9), `weightDecay` (0).
 * @example
 * const optimizer = signum({ lr: 1e-4, momentum: 0.9 });
 * @see Bernstein, Wang, Azizzadenesheli, Anandkumar, "signSGD: Compressed Optimisation for Non-Convex Problems" (ICML 2018).
 */
export function signum(options: SignumOptions = {}) {
  const owner = 'signum';
  checkOptionKeys(owner, options, ['lr', 'momentum', 'weightDecay']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const momentum = checkUnitInterval(owner, 'momentum', options.momentum ?? 0.9);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  return withInputChecks(
    owner,
    namedChain({
      momentum: ema(momentum, { debias: false }),
      sign: scaleBySign(),
      weightDecay: addDecayedWeights(weightDecay),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
