import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { maximizeStage } from '../maximize-stage.js';
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

/** Options of {@link adam} (PyTorch's names and defaults). */
export interface AdamOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** L2 penalty λ ≥ 0 added to the gradient, as PyTorch's Adam (default 0; see {@link adamw}). */
  weightDecay?: number | Schedule;
  /** Use AMSGrad's running maximum of the second moment (default false). */
  amsgrad?: boolean;
  /** Ascend the objective: the gradient is negated before everything else, weight decay included (PyTorch's `maximize`; default false). */
  maximize?: boolean;
}

/**
 * Adam, step for step as PyTorch's `torch.optim.Adam` (including `amsgrad` and its L2
 * `weight_decay`, which is added to the gradient and therefore rescaled by Adam).
 *
 * Update (t from 1): g ← g + λθ; m_t = β₁m_{t−1} + (1 − β₁)g; v_t = β₂v_{t−1} + (1 − β₂)g²;
 * (AMSGrad: v_t ← max(v_{t−1}^max, v_t)); θ ← θ − η·(m_t/(1 − β₁ᵗ)) / (√(v_t/(1 − β₂ᵗ)) + ε).
 *
 * Chain: (`maximize: scale(−1)` when `maximize`) → `weightDecay: addDecayedWeights(λ)` → `adam: scaleByAdam` → `learningRate`.
 *
 * @param options - `lr` (1e-3), `betas` ([0.9, 0.999]), `eps` (1e-8), `weightDecay` (0), `amsgrad` (false), `maximize` (false).
 * @example
 * const optimizer = adam({ lr: 3e-4 });
 * @see Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015).
 */
export function adam(options: AdamOptions = {}) {
  return buildAdam('adam', options, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize']);
}

function buildAdam(owner: string, options: AdamOptions, allowed: readonly string[]) {
  checkOptionKeys(owner, options, allowed);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  const amsgrad = checkBoolean(owner, 'amsgrad', options.amsgrad ?? false);
  const maximize = checkBoolean(owner, 'maximize', options.maximize ?? false);
  return withInputChecks(
    owner,
    namedChain({
      ...maximizeStage(maximize),
      weightDecay: addDecayedWeights(weightDecay),
      adam: scaleByAdam({ betas, eps, amsgrad }),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}

/**
 * AMSGrad: {@link adam} with `amsgrad: true` (PyTorch's `Adam(amsgrad=True)`).
 *
 * Update: as Adam with v̂ replaced by the running maximum max_{i≤t} v_i (bias-corrected
 * afterwards, as PyTorch).
 *
 * @param options - as {@link adam}, without `amsgrad`.
 * @example
 * const optimizer = amsgrad({ lr: 1e-3, betas: [0.9, 0.99] });
 * @see Reddi, Kale, Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018).
 */
export function amsgrad(options: Omit<AdamOptions, 'amsgrad'> = {}) {
  // `amsgrad: false` from untyped code would otherwise be overwritten without a word.
  if ((options as AdamOptions | undefined)?.amsgrad === false)
    throw new Error("amsgrad: option 'amsgrad' is false, but amsgrad() always keeps the running maximum; use adam()");
  return buildAdam('amsgrad', { ...options, amsgrad: true }, [
    'lr',
    'betas',
    'eps',
    'weightDecay',
    'amsgrad',
    'maximize',
  ]);
}
