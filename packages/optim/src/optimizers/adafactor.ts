import { identity } from '../combinators/identity.js';
import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import type { Schedule } from '../schedules/index.js';
import { addDecayedWeights } from '../transforms/add-decayed-weights.js';
import { clipByBlockRms } from '../transforms/clip-by-block-rms.js';
import { ema } from '../transforms/ema.js';
import { scaleByFactoredRms } from '../transforms/scale-by-factored-rms.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { scaleByParameterScale } from '../transforms/scale-by-parameter-scale.js';
import {
  checkBoolean,
  checkLearningRate,
  checkNonNegative,
  checkNonNegativeOrSchedule,
  checkOptionKeys,
  checkPositive,
  checkUnitInterval,
  failOption,
} from '../validation.js';

/** Options of {@link adafactor}. */
export interface AdafactorOptions {
  /**
   * Learning rate ρ ≥ 0 or a schedule; by default the paper's relative step
   * ρ_t = min(10⁻², 1/√t).
   */
  lr?: number | Schedule;
  /** c in β̂₂ₜ = 1 − t^(−c) (default 0.8). */
  decayRate?: number;
  /** (ε₁, ε₂): added to g², and the smallest parameter scale (default [1e-30, 1e-3]). */
  eps?: readonly [number, number];
  /** d > 0: update clipping threshold on RMS(u) (default 1). */
  clipThreshold?: number;
  /** β₁ ∈ [0, 1): momentum on the clipped update (default none). */
  beta1?: number;
  /** Decoupled weight decay λ ≥ 0 (default 0). */
  weightDecay?: number | Schedule;
  /** Scale steps by max(ε₂, RMS(θ)) (default true: the paper's relative step). */
  multiplyByParameterScale?: boolean;
  /** Factor the second moment of matrices (default true). */
  factored?: boolean;
}

/** The paper's relative step size ρ_t = min(10⁻², 1/√t) for the t-th update (t from 1). */
export function relativeStepSize(step: number): number {
  return Math.min(1e-2, 1 / Math.sqrt(step + 1));
}

/**
 * Adafactor, as in the paper (which differs from PyTorch's `torch.optim.Adafactor`).
 *
 * Update (t from 1; Algorithms 4 and 5 with sections 6–8): β̂₂ₜ = 1 − t^(−c); V̂_t from
 * {@link scaleByFactoredRms} (factored for matrices); U_t = G_t/√V̂_t;
 * Û_t = U_t / max(1, RMS(U_t)/d); α_t = max(ε₂, RMS(θ_{t−1}))·ρ_t;
 * θ ← θ − α_t·Û_t (with β₁: Û replaced by its moving average; with λ: − ρ_tλθ).
 *
 * Chain: `factoredRms` → `clipping: clipByBlockRms(d)` → `parameterScale` → `momentum` →
 * `weightDecay` → `learningRate`.
 *
 * @param options - `lr` (relative step), `decayRate` (0.8), `eps` ([1e-30, 1e-3]),
 *   `clipThreshold` (1), `beta1` (none), `weightDecay` (0), `multiplyByParameterScale` (true), `factored` (true).
 * @example
 * const optimizer = adafactor(); // relative step sizes, no learning rate to tune
 * @see Shazeer & Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost" (ICML 2018).
 */
export function adafactor(options: AdafactorOptions = {}) {
  const owner = 'adafactor';
  checkOptionKeys(owner, options, [
    'lr',
    'decayRate',
    'eps',
    'clipThreshold',
    'beta1',
    'weightDecay',
    'multiplyByParameterScale',
    'factored',
  ]);
  const lr = options.lr === undefined ? relativeStepSize : checkLearningRate(owner, 'lr', options.lr);
  const decayRate = checkNonNegative(owner, 'decayRate', options.decayRate ?? 0.8);
  const eps = options.eps ?? [1e-30, 1e-3];
  if (!Array.isArray(eps) || eps.length !== 2) failOption(owner, 'eps', 'a pair [eps1, eps2]', eps);
  checkPositive(owner, 'eps[0]', eps[0]);
  checkNonNegative(owner, 'eps[1]', eps[1]);
  const clipThreshold = checkPositive(owner, 'clipThreshold', options.clipThreshold ?? 1);
  const beta1 = options.beta1 === undefined ? undefined : checkUnitInterval(owner, 'beta1', options.beta1);
  const weightDecay = checkNonNegativeOrSchedule(owner, 'weightDecay', options.weightDecay ?? 0);
  const multiplyByParameterScale = checkBoolean(
    owner,
    'multiplyByParameterScale',
    options.multiplyByParameterScale ?? true,
  );
  const factored = checkBoolean(owner, 'factored', options.factored ?? true);
  return withInputChecks(
    owner,
    namedChain({
      factoredRms: scaleByFactoredRms({ decayRate, eps: eps[0], factored }),
      clipping: clipByBlockRms(clipThreshold),
      parameterScale: multiplyByParameterScale ? scaleByParameterScale({ minScale: eps[1] }) : identity(),
      momentum: beta1 === undefined ? identity() : ema(beta1, { debias: false }),
      weightDecay: addDecayedWeights(weightDecay),
      learningRate: scaleByLearningRate(lr),
    }),
  );
}
