import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { maximizeStage } from '../maximize-stage.js';
import type { MaskSpecification } from '../combinators/masked.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdam } from '../transforms/scale-by-adam.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import {
  checkBetas,
  checkBoolean,
  checkLearningRate,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
} from '../validation.js';

/** Options of {@link adamw} (PyTorch's names and defaults). */
export interface AdamwOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay λ ≥ 0, or a schedule (default 1e-2). */
  weightDecay?: number | Schedule;
  /** AMSGrad's running maximum (default false). */
  amsgrad?: boolean;
  /** Which leaves to decay (default all); see {@link masked}. */
  mask?: MaskSpecification;
  /** Ascend the objective: the gradient is negated before Adam (the decoupled decay still shrinks θ; PyTorch's `maximize`; default false). */
  maximize?: boolean;
}

/**
 * AdamW: Adam with decoupled weight decay, step for step as PyTorch's `torch.optim.AdamW`.
 *
 * Update (t from 1): m_t, v_t and the Adam direction û_t as in {@link adam} (on the raw
 * gradient); θ ← θ − η(û_t + λθ)  (PyTorch: θ ← θ(1 − ηλ), then the Adam step).
 *
 * Chain: (`maximize: scale(−1)` when `maximize`) → `adam: scaleByAdam` → `weightDecay: addDecayedWeights(λ, mask)` → `learningRate`.
 *
 * @param options - `lr` (1e-3), `betas` ([0.9, 0.999]), `eps` (1e-8), `weightDecay` (1e-2),
 *   `amsgrad` (false), `mask` (all leaves), `maximize` (false).
 * @example
 * const optimizer = adamw({ lr: 3e-4, weightDecay: 0.1, mask: (params) => tree.map((p) => p.ndim >= 2, params) });
 * @see Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).
 */
export function adamw(options: AdamwOptions = {}) {
  return withInputChecks('adamw', namedChain(adamwStages(options)));
}

/**
 * The checked, named stages of {@link adamw}, for wrappers that replace one of them (as
 * `activeAdamw` puts its gain on the `adam` stage alone, to leave the decay unscaled).
 *
 * @param options - the {@link adamw} options; errors name `adamw`.
 * @returns `{ maximize?, adam, weightDecay, learningRate }`, in chain order.
 * @example
 * const stages = adamwStages({ lr: 1e-3 });
 * const same = namedChain(stages); // adamw({ lr: 1e-3 }) without its entry-point checks
 */
export function adamwStages(options: AdamwOptions = {}) {
  const owner = 'adamw';
  checkOptionKeys(owner, options, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'mask', 'maximize']);
  const maximize = checkBoolean(owner, 'maximize', options.maximize ?? false);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 1e-2);
  const amsgrad = checkBoolean(owner, 'amsgrad', options.amsgrad ?? false);
  return {
    ...maximizeStage(maximize),
    adam: scaleByAdam({ betas, eps, amsgrad }),
    weightDecay: addDecayedWeights(weightDecay, options.mask),
    learningRate: scaleByLearningRate(lr),
  };
}
