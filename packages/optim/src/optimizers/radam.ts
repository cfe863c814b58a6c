import { identity } from '../combinators/identity.js';
import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByRadam } from '../transforms/scale-by-radam.js';
import {
  checkBetas,
  checkBoolean,
  checkLearningRate,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
} from '../validation.js';

/** Options of {@link radam} (PyTorch's names and defaults). */
export interface RadamOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** Weight decay λ ≥ 0 (default 0): L2 on the gradient, or decoupled. */
  weightDecay?: number | Schedule;
  /** Decay the weights as AdamW does instead of adding λθ to the gradient (default false). */
  decoupledWeightDecay?: boolean;
  /**
   * Step with the previous step's moments m_{t−1}, v_{t−1}, as the ActiveLR authors' RAdam files
   * do (a one-step lag; the first update is 0). Default false: PyTorch's RAdam. See {@link scaleByRadam}.
   */
  laggedMoments?: boolean;
}

/**
 * RAdam, step for step as PyTorch's `torch.optim.RAdam`.
 *
 * Update (t from 1): g ← g + λθ (unless decoupled); m_t, v_t as Adam; ρ_∞ = 2/(1 − β₂) − 1,
 * ρ_t = ρ_∞ − 2tβ₂ᵗ/(1 − β₂ᵗ); if ρ_t > 5: θ ← θ − η·m̂_t·r_t·√(1 − β₂ᵗ)/(√v_t + ε) with
 * r_t = √((ρ_t − 4)(ρ_t − 2)ρ_∞/((ρ_∞ − 4)(ρ_∞ − 2)ρ_t)); else θ ← θ − η·m̂_t.
 *
 * @param options - `lr` (1e-3), `betas` ([0.9, 0.999]), `eps` (1e-8), `weightDecay` (0),
 *   `decoupledWeightDecay` (false), `laggedMoments` (false: no lag).
 * @example
 * const optimizer = radam({ lr: 1e-3 });
 * @see Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (ICLR 2020).
 */
export function radam(options: RadamOptions = {}) {
  const owner = 'radam';
  checkOptionKeys(owner, options, ['lr', 'betas', 'eps', 'weightDecay', 'decoupledWeightDecay', 'laggedMoments']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  const decoupled = checkBoolean(owner, 'decoupledWeightDecay', options.decoupledWeightDecay ?? false);
  return withInputChecks(
    owner,
    namedChain({
      weightDecay: decoupled ? identity() : addDecayedWeights(weightDecay),
      radam: scaleByRadam({
        betas,
        eps,
        laggedMoments: checkBoolean(owner, 'laggedMoments', options.laggedMoments ?? false),
      }),
      decoupledWeightDecay: decoupled ? addDecayedWeights(weightDecay) : identity(),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
