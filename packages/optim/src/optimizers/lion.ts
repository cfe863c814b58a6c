import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByLion } from '../transforms/scale-by-lion.js';
import { checkBetas, checkLearningRate, checkNonNegativeOrSchedule, checkOptionKeys } from '../validation.js';

/** Options of {@link lion}. */
export interface LionOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1e-4; Lion wants 3–10× less than AdamW). */
  lr?: number | Schedule;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.99]). */
  betas?: readonly [number, number];
  /** Decoupled weight decay λ ≥ 0 (default 0). */
  weightDecay?: number | Schedule;
}

/**
 * Lion (EvoLved Sign Momentum).
 *
 * Update (Program 1 of the paper): c = β₁m_{t−1} + (1 − β₁)g; θ ← θ − η(sign(c) + λθ);
 * m_t = β₂m_{t−1} + (1 − β₂)g.
 *
 * Chain: `lion: scaleByLion` → `weightDecay` (decoupled) → `learningRate`.
 *
 * @param options - `lr` (1e-4), `betas` ([0.9, 0.99]), `weightDecay` (0).
 * @example
 * const optimizer = lion({ lr: 3e-5, weightDecay: 1 });
 * @see Chen et al., "Symbolic Discovery of Optimization Algorithms" (NeurIPS 2023).
 */
export function lion(options: LionOptions = {}) {
  const owner = 'lion';
  checkOptionKeys(owner, options, ['lr', 'betas', 'weightDecay']);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1e-4);
  const betas = checkBetas(owner, options.betas ?? [0.9, 0.99]);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  return withInputChecks(
    owner,
    namedChain({
      lion: scaleByLion({ betas }),
      weightDecay: addDecayedWeights(weightDecay),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
