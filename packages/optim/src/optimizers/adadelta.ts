import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { maximizeStage } from '../maximize-stage.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { scaleByAdadelta } from '../transforms/scale-by-adadelta.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import {
  checkBoolean,
  checkClosedUnitInterval,
  checkLearningRate,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
} from '../validation.js';

/** Options of {@link adadelta} (PyTorch's names and defaults). */
export interface AdadeltaOptions {
  /** Learning rate η ≥ 0 or a schedule (default 1, the paper has none). */
  lr?: number | Schedule;
  /** Decay ρ ∈ [0, 1] (default 0.9). */
  rho?: number;
  /** ε > 0 (default 1e-6). */
  eps?: number;
  /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
  weightDecay?: number | Schedule;
  /** Ascend the objective: the gradient is negated before everything else, weight decay included (PyTorch's `maximize`; default false). */
  maximize?: boolean;
}

/**
 * AdaDelta, step for step as PyTorch's `torch.optim.Adadelta`.
 *
 * Update: g ← g + λθ; E[g²]_t = ρE[g²]_{t−1} + (1 − ρ)g²;
 * Δ = √(E[Δ²]_{t−1} + ε)/√(E[g²]_t + ε)·g; E[Δ²]_t = ρE[Δ²]_{t−1} + (1 − ρ)Δ²; θ ← θ − ηΔ.
 *
 * @param options - `lr` (1), `rho` (0.9), `eps` (1e-6), `weightDecay` (0), `maximize` (false).
 * @example
 * const optimizer = adadelta({ rho: 0.95 });
 * @see Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (2012).
 */
export function adadelta(options: AdadeltaOptions = {}) {
  const owner = 'adadelta';
  checkOptionKeys(owner, options, ['lr', 'rho', 'eps', 'weightDecay', 'maximize']);
  const maximize = checkBoolean(owner, 'maximize', options.maximize ?? false);
  const lr = checkLearningRate(owner, 'lr', options.lr ?? 1);
  const rho = checkClosedUnitInterval(owner, 'rho', options.rho ?? 0.9);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-6);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  return withInputChecks(
    owner,
    namedChain({
      ...maximizeStage(maximize),
      weightDecay: addDecayedWeights(weightDecay),
      adadelta: scaleByAdadelta({ rho, eps }),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
