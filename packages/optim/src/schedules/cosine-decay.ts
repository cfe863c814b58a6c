import type { Schedule } from './schedule.js';
import { requireFinite, requireOptions, requirePositive, requirePositiveInteger, requireStep } from './validation.js';

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** Value at step 0. */
  init: number;
  /** Steps until the value reaches `alpha · init`; held there afterwards. A positive integer. */
  decaySteps: number;
  /** Final value as a fraction of `init` (default 0). */
  alpha?: number;
  /** Exponent applied to the cosine factor (default 1); a finite number greater than 0. */
  exponent?: number;
}

const COSINE_DECAY_KEYS = ['init', 'decaySteps', 'alpha', 'exponent'] as const;

/**
 * Half-cosine decay from `init` to `alpha · init` over `decaySteps`, then constant.
 *
 * Math: with c = min(t, decaySteps) and f = ½ · (1 + cos(π · c / decaySteps)),
 * η(t) = init · ((1 − alpha) · f^exponent + alpha).
 *
 * For t ≤ T_max, PyTorch's `CosineAnnealingLR(T_max, eta_min)` with base lr `b` is
 * `cosineDecay({ init: b, decaySteps: T_max, alpha: eta_min / b })`; past T_max torch's
 * curve rises again, while this schedule stays at its final value.
 *
 * Reference: Loshchilov & Hutter, 2017, "SGDR: Stochastic Gradient Descent with Warm
 * Restarts" (one cosine period); optax `cosine_decay_schedule`.
 *
 * @example
 * const schedule = cosineDecay({ init: 0.1, decaySteps: 100 });
 * schedule(0); // 0.1
 * schedule(50); // 0.05 (up to rounding)
 * schedule(100); // 0
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const owner = 'cosineDecay';
  requireOptions(owner, options, COSINE_DECAY_KEYS);
  const init = requireFinite(owner, 'init', options.init);
  const decaySteps = requirePositiveInteger(owner, 'decaySteps', options.decaySteps);
  const alpha = requireFinite(owner, 'alpha', options.alpha ?? 0);
  const exponent = requirePositive(owner, 'exponent', options.exponent ?? 1);
  return (step) => {
    requireStep(owner, step);
    const count = Math.min(step, decaySteps);
    const cosineFactor = 0.5 * (1 + Math.cos((Math.PI * count) / decaySteps));
    return init * ((1 - alpha) * cosineFactor ** exponent + alpha);
  };
}
