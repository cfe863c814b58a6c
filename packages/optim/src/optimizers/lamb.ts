import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import type { MaskSpecification } from '../combinators/masked.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdam } from '../transforms/scale-by-adam.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByTrustRatio } from '../transforms/scale-by-trust-ratio.js';
import {
  checkBetas,
  checkLearningRate,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
} from '../validation.js';

/** Options of {@link lamb}. */
export interface LambOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-3). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-6, the paper's). */
  eps?: number;
  /** Decoupled weight decay λ ≥ 0 (default 0). */
  weightDecay?: number | Schedule;
  /** Which leaves to decay (default all). */
  mask?: MaskSpecification;
}

/**
 * LAMB: Adam's direction plus decoupled weight decay, rescaled per layer by a trust ratio.
 *
 * Update (Algorithm 2 of the paper, φ = identity): m_t, v_t as Adam;
 * r_t = (m_t/(1 − β₁ᵗ)) / (√(v_t/(1 − β₂ᵗ)) + ε); d = r_t + λθ;
 * θ ← θ − η·(‖θ‖/‖d‖)·d, per parameter tensor (ratio 1 if either norm is 0).
 *
 * Chain: `adam: scaleByAdam` → `weightDecay` → `trustRatio: scaleByTrustRatio()` → `learningRate`.
 *
 * @param options - `lr` (1e-3), `betas` ([0.9, 0.999]), `eps` (1e-6), `weightDecay` (0), `mask`.
 * @example
 * const optimizer = lamb({ lr: 1e-3, weightDecay: 0.01 });
 * @see You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes" (ICLR 2020).
 */
export function lamb(options: LambOptions = {}) {
  const owner = 'lamb';
  checkOptionKeys(owner, options, ['lr', 'betas', 'eps', 'weightDecay', 'mask']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-3);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-6);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  return withInputChecks(
    owner,
    namedChain({
      adam: scaleByAdam({ betas, eps }),
      weightDecay: addDecayedWeights(weightDecay, options.mask),
      trustRatio: scaleByTrustRatio(),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
