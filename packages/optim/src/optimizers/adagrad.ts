import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { maximizeStage } from '../maximize-stage.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByRss } from '../transforms/scale-by-rss.js';
import {
  checkBoolean,
  checkLearningRate,
  checkNonNegative,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
  valueAt,
} from '../validation.js';

/** Options of {@link adagrad} (PyTorch's names and defaults). */
export interface AdagradOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-2). */
  lr?: number | Schedule;
  /** Learning-rate decay κ ≥ 0: η_t = η/(1 + (t − 1)κ) (default 0). */
  lrDecay?: number;
  /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
  weightDecay?: number | Schedule;
  /** Starting value G₀ ≥ 0 of the sum of squares (default 0). */
  initialAccumulatorValue?: number;
  /** ε > 0 (default 1e-10). */
  eps?: number;
  /** Ascend the objective: the gradient is negated before everything else, weight decay included (PyTorch's `maximize`; default false). */
  maximize?: boolean;
}

/**
 * AdaGrad, step for step as PyTorch's `torch.optim.Adagrad`.
 *
 * Update (t from 1): g ← g + λθ; G_t = G_{t−1} + g²; θ ← θ − η/(1 + (t − 1)κ) · g/(√G_t + ε).
 *
 * Chain: (`maximize: scale(−1)` when `maximize`) → `weightDecay` → `adagrad: scaleByRss` → `learningRate` (scheduled when κ > 0).
 *
 * @param options - `lr` (1e-2), `lrDecay` (0), `weightDecay` (0), `initialAccumulatorValue` (0), `eps` (1e-10), `maximize` (false).
 * @example
 * const optimizer = adagrad({ lr: 0.1, initialAccumulatorValue: 0.1 });
 * @see Duchi, Hazan, Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization" (JMLR 2011).
 */
export function adagrad(options: AdagradOptions = {}) {
  const owner = 'adagrad';
  checkOptionKeys(owner, options, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize']);
  const maximize = checkBoolean(owner, 'maximize', options.maximize ?? false);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-2);
  const lrDecay = checkNonNegative(owner, 'lrDecay', options.lrDecay ?? 0);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  const initialAccumulatorValue = checkNonNegative(
    owner,
    'initialAccumulatorValue',
    options.initialAccumulatorValue ?? 0,
  );
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-10);
  const rate: number | Schedule = lrDecay === 0 ? lr : (step: number) => valueAt(lr, step) / (1 + step * lrDecay);
  return withInputChecks(
    owner,
    namedChain({
      ...maximizeStage(maximize),
      weightDecay: addDecayedWeights(weightDecay),
      adagrad: scaleByRss({ initialAccumulatorValue, eps }),
      learningRate: scaleByLearningRate(rate),
    }),
  );
}
