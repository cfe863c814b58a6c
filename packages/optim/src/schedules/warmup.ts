import { cosineDecay } from './cosine-decay.js';
import { exponentialDecay } from './exponential-decay.js';
import { joinSchedules } from './join-schedules.js';
import { linear } from './polynomial.js';
import type { Schedule } from './schedule.js';
import {
  failArgument,
  requireBoolean,
  requireFinite,
  requireNonNegativeInteger,
  requireOptions,
  requirePositive,
  requirePositiveInteger,
  requireStep,
} from './validation.js';

/** Options of {@link warmupCosineDecay}. */
export interface WarmupCosineDecayOptions {
  /** Value at step 0 (default 0). */
  init?: number;
  /** Value reached at the end of the warm-up, step `warmupSteps`. */
  peak: number;
  /** Length of the linear warm-up; a non-negative integer (0 means no warm-up). */
  warmupSteps: number;
  /** Total length of warm-up plus cosine decay; an integer greater than `warmupSteps`. */
  decaySteps: number;
  /** Value at and after step `decaySteps` (default 0). */
  end?: number;
}

/** Options of {@link warmupExponentialDecay}. */
export interface WarmupExponentialDecayOptions {
  /** Value at step 0 (default 0). */
  init?: number;
  /** Value reached at the end of the warm-up, step `warmupSteps`. */
  peak: number;
  /** Length of the linear warm-up; a non-negative integer (0 means no warm-up). */
  warmupSteps: number;
  /** Steps per factor of `decayRate` after the warm-up; a positive integer. */
  transitionSteps: number;
  /** Factor applied every `transitionSteps` steps after the warm-up; greater than 0. */
  decayRate: number;
  /** When true the decay exponent is floored (step-wise decay). */
  staircase?: boolean;
  /** Bound the decay may not cross (lower when `decayRate < 1`, upper otherwise). */
  end?: number;
}

const WARMUP_COSINE_KEYS = ['init', 'peak', 'warmupSteps', 'decaySteps', 'end'] as const;
const WARMUP_EXPONENTIAL_KEYS = [
  'init',
  'peak',
  'warmupSteps',
  'transitionSteps',
  'decayRate',
  'staircase',
  'end',
] as const;

/**
 * Linear warm-up from `init` to `peak`, then cosine decay from `peak` to `end`.
 *
 * Math: for t < W (W = warmupSteps), η(t) = init + (peak − init) · t / W;
 * for t ≥ W, η(t) = cosineDecay({ init: peak, decaySteps: D − W, alpha: end / peak })(t − W)
 * = end + (peak − end) · ½ · (1 + cos(π · min(t − W, D − W) / (D − W))), D = decaySteps.
 * (alpha is 0 when peak is 0, as in optax.)
 *
 * Reference: Loshchilov & Hutter, 2017, "SGDR" (cosine decay); Goyal et al., 2017,
 * "Accurate, Large Minibatch SGD" (linear warm-up); optax `warmup_cosine_decay_schedule`.
 *
 * @example
 * const schedule = warmupCosineDecay({ peak: 1, warmupSteps: 10, decaySteps: 110, end: 0.1 });
 * schedule(5); // 0.5, half-way through the warm-up
 * schedule(10); // 1, the peak
 * schedule(110); // 0.1
 */
export function warmupCosineDecay(options: WarmupCosineDecayOptions): Schedule {
  const owner = 'warmupCosineDecay';
  requireOptions(owner, options, WARMUP_COSINE_KEYS);
  const init = requireFinite(owner, 'init', options.init ?? 0);
  const peak = requireFinite(owner, 'peak', options.peak);
  const warmupSteps = requireNonNegativeInteger(owner, 'warmupSteps', options.warmupSteps);
  const decaySteps = requirePositiveInteger(owner, 'decaySteps', options.decaySteps);
  if (decaySteps <= warmupSteps) {
    failArgument(owner, 'decaySteps', `an integer greater than 'warmupSteps' (${warmupSteps})`, decaySteps);
  }
  const end = requireFinite(owner, 'end', options.end ?? 0);
  const decay = cosineDecay({ init: peak, decaySteps: decaySteps - warmupSteps, alpha: peak === 0 ? 0 : end / peak });
  return withLinearWarmup(owner, init, peak, warmupSteps, decay);
}

/**
 * Linear warm-up from `init` to `peak`, then exponential decay of `peak`.
 *
 * Math: for t < W (W = warmupSteps), η(t) = init + (peak − init) · t / W;
 * for t ≥ W, η(t) = exponentialDecay({ init: peak, decayRate, transitionSteps, staircase, end })(t − W),
 * that is peak · decayRate^((t − W) / transitionSteps), floored exponent when `staircase`,
 * clipped at `end`.
 *
 * Reference: Goyal et al., 2017, "Accurate, Large Minibatch SGD" (linear warm-up); optax
 * `warmup_exponential_decay_schedule`.
 *
 * @example
 * const schedule = warmupExponentialDecay({ peak: 1, warmupSteps: 4, transitionSteps: 10, decayRate: 0.5 });
 * schedule(2); // 0.5
 * schedule(4); // 1
 * schedule(24); // 0.25
 */
export function warmupExponentialDecay(options: WarmupExponentialDecayOptions): Schedule {
  const owner = 'warmupExponentialDecay';
  requireOptions(owner, options, WARMUP_EXPONENTIAL_KEYS);
  const init = requireFinite(owner, 'init', options.init ?? 0);
  const peak = requireFinite(owner, 'peak', options.peak);
  const warmupSteps = requireNonNegativeInteger(owner, 'warmupSteps', options.warmupSteps);
  // Checked here as well as in exponentialDecay so the error names this schedule.
  const transitionSteps = requirePositiveInteger(owner, 'transitionSteps', options.transitionSteps);
  const decayRate = requirePositive(owner, 'decayRate', options.decayRate);
  const staircase = requireBoolean(owner, 'staircase', options.staircase ?? false);
  const end = options.end === undefined ? undefined : requireFinite(owner, 'end', options.end);
  const decay = exponentialDecay({ init: peak, decayRate, transitionSteps, staircase, end });
  return withLinearWarmup(owner, init, peak, warmupSteps, decay);
}

function withLinearWarmup(owner: string, init: number, peak: number, warmupSteps: number, decay: Schedule): Schedule {
  // optax would run a constant `init` schedule for zero warm-up steps, but with the boundary
  // at 0 it is never used, so the decay alone is the same schedule.
  const joined =
    warmupSteps === 0
      ? decay
      : joinSchedules([linear({ init, end: peak, transitionSteps: warmupSteps }), decay], [warmupSteps]);
  return (step) => {
    // Checked here so a bad step is reported under this schedule's name, not an inner one.
    requireStep(owner, step);
    return joined(step);
  };
}
