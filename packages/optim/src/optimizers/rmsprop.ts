import { identity } from '../combinators/identity.js';
import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { maximizeStage } from '../maximize-stage.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByRms } from '../transforms/scale-by-rms.js';
import { trace } from '../transforms/trace.js';
import {
  checkBoolean,
  checkLearningRate,
  checkNonNegative,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
  checkUnitInterval,
} from '../validation.js';

/** Options of {@link rmsprop} (PyTorch's names and defaults). */
export interface RmspropOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-2). */
  lr?: number | Schedule;
  /** Smoothing constant α ∈ [0, 1) (default 0.99). */
  alpha?: number;
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
  weightDecay?: number | Schedule;
  /** Momentum μ ≥ 0 on the rescaled gradient (default 0). */
  momentum?: number;
  /** Normalise by the variance instead of the second moment (default false). */
  centered?: boolean;
  /** Ascend the objective: the gradient is negated before everything else, weight decay included (PyTorch's `maximize`; default false). */
  maximize?: boolean;
}

/**
 * RMSprop, step for step as PyTorch's `torch.optim.RMSprop` (ε outside the root, momentum on
 * the rescaled gradient).
 *
 * Update: g ← g + λθ; v_t = αv_{t−1} + (1 − α)g²; centered: ḡ_t = αḡ_{t−1} + (1 − α)g,
 * d = √(v_t − ḡ_t²) + ε, else d = √v_t + ε; with momentum b_t = μb_{t−1} + g/d and
 * θ ← θ − ηb_t, else θ ← θ − η·g/d.
 *
 * Chain: (`maximize: scale(−1)` when `maximize`) → `weightDecay` → `rms: scaleByRms` → `momentum: trace` (identity when μ = 0) → `learningRate`.
 *
 * @param options - `lr` (1e-2), `alpha` (0.99), `eps` (1e-8), `weightDecay` (0), `momentum` (0), `centered` (false), `maximize` (false).
 * @example
 * const optimizer = rmsprop({ lr: 1e-3, centered: true });
 * @see Tieleman & Hinton, Coursera lecture 6.5 (2012); Graves (2013) for the centered form.
 */
export function rmsprop(options: RmspropOptions = {}) {
  const owner = 'rmsprop';
  checkOptionKeys(owner, options, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize']);
  const maximize = checkBoolean(owner, 'maximize', options.maximize ?? false);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-2);
  const alpha = checkUnitInterval(owner, 'alpha', options.alpha ?? 0.99);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  const momentum = checkNonNegative(owner, 'momentum', options.momentum ?? 0);
  const centered = checkBoolean(owner, 'centered', options.centered ?? false);
  return withInputChecks(
    owner,
    namedChain({
      ...maximizeStage(maximize),
      weightDecay: addDecayedWeights(weightDecay),
      rms: scaleByRms({ decay: alpha, eps, centered }),
      momentum: momentum > 0 ? trace({ decay: momentum }) : identity(),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
