import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByNadam } from '../transforms/scale-by-nadam.js';
import { identity } from '../combinators/identity.js';
import {
  checkBetas,
  checkBoolean,
  checkLearningRate,
  checkNonNegative,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
} from '../validation.js';

/** Options of {@link nadam} (PyTorch's names and defaults). */
export interface NadamOptions {
  /** Learning rate η ≥ 0 or a schedule (default 2e-3). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** Weight decay λ ≥ 0 (default 0): L2 on the gradient, or decoupled (see below). */
  weightDecay?: number | Schedule;
  /** ψ ≥ 0 of the momentum schedule (default 4e-3). */
  momentumDecay?: number;
  /** Decay the weights as AdamW does instead of adding λθ to the gradient (default false). */
  decoupledWeightDecay?: boolean;
}

/**
 * NAdam, step for step as PyTorch's `torch.optim.NAdam` (≥ 2.0; see {@link scaleByNadam}).
 *
 * Update (t from 1): g ← g + λθ (unless decoupled); μ_t = β₁(1 − ½·0.96^(tψ)); m_t, v_t as
 * Adam; d = √(v_t/(1 − β₂ᵗ)) + ε;
 * θ ← θ − η[(1 − μ_t)/(1 − Π_{i≤t}μ_i)·g/d + μ_{t+1}/(1 − Π_{i≤t+1}μ_i)·m_t/d]
 * (decoupled: θ ← θ − η(… + λθ)).
 *
 * @param options - `lr` (2e-3), `betas` ([0.9, 0.999]), `eps` (1e-8), `weightDecay` (0),
 *   `momentumDecay` (4e-3), `decoupledWeightDecay` (false).
 * @example
 * const optimizer = nadam({ lr: 2e-3 });
 * @see Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop).
 */
export function nadam(options: NadamOptions = {}) {
  const owner = 'nadam';
  checkOptionKeys(owner, options, ['lr', 'betas', 'eps', 'weightDecay', 'momentumDecay', 'decoupledWeightDecay']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 2e-3);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  const momentumDecay = checkNonNegative(owner, 'momentumDecay', options.momentumDecay ?? 4e-3);
  const decoupled = checkBoolean(owner, 'decoupledWeightDecay', options.decoupledWeightDecay ?? false);
  return withInputChecks(
    owner,
    namedChain({
      weightDecay: decoupled ? identity() : addDecayedWeights(weightDecay),
      nadam: scaleByNadam({ betas, eps, momentumDecay }),
      decoupledWeightDecay: decoupled ? addDecayedWeights(weightDecay) : identity(),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
