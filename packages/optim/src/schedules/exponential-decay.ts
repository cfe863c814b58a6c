import type { Schedule } from './schedule.js';
import {
  requireBoolean,
  requireFinite,
  requireNonNegativeInteger,
  requireOptions,
  requirePositive,
  requirePositiveInteger,
  requireStep,
} from './validation.js';

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** Value at and before step `transitionBegin`. */
  init: number;
  /** Factor applied every `transitionSteps` steps; a finite number greater than 0. */
  decayRate: number;
  /** Steps per factor of `decayRate`; a positive integer. */
  transitionSteps: number;
  /** When true the exponent is floored, so the value changes only every `transitionSteps` steps. */
  staircase?: boolean;
  /** Step at which the decay starts (default 0). */
  transitionBegin?: number;
  /**
   * Bound the value may not cross: a lower bound when `decayRate < 1`, an upper bound
   * otherwise. Unbounded when omitted.
   */
  end?: number;
}

const EXPONENTIAL_DECAY_KEYS = ['init', 'decayRate', 'transitionSteps', 'staircase', 'transitionBegin', 'end'] as const;

/**
 * Exponential decay (or growth, for `decayRate > 1`) of `init`.
 *
 * Math: with d = t − transitionBegin and p = d / transitionSteps (⌊p⌋ when `staircase`),
 * η(t) = init for d ≤ 0, else init · decayRate^p, then clipped at `end`:
 * max(η, end) when decayRate < 1, min(η, end) otherwise.
 *
 * PyTorch equivalents with base lr `b`: `ExponentialLR(gamma)` is
 * `exponentialDecay({ init: b, decayRate: gamma, transitionSteps: 1 })` and
 * `StepLR(step_size, gamma)` is
 * `exponentialDecay({ init: b, decayRate: gamma, transitionSteps: step_size, staircase: true })`.
 *
 * Reference: optax `exponential_decay`; torch.optim.lr_scheduler.ExponentialLR and StepLR.
 *
 * @example
 * const schedule = exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 10, staircase: true });
 * schedule(9); // 1
 * schedule(10); // 0.5
 * schedule(25); // 0.25
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const owner = 'exponentialDecay';
  requireOptions(owner, options, EXPONENTIAL_DECAY_KEYS);
  const init = requireFinite(owner, 'init', options.init);
  // 0 would make every later value 0 and a negative rate has no real fractional powers.
  const decayRate = requirePositive(owner, 'decayRate', options.decayRate);
  const transitionSteps = requirePositiveInteger(owner, 'transitionSteps', options.transitionSteps);
  const staircase = requireBoolean(owner, 'staircase', options.staircase ?? false);
  const transitionBegin = requireNonNegativeInteger(owner, 'transitionBegin', options.transitionBegin ?? 0);
  const end = options.end === undefined ? undefined : requireFinite(owner, 'end', options.end);
  return (step) => {
    requireStep(owner, step);
    const decayedCount = step - transitionBegin;
    let value = init;
    if (decayedCount > 0) {
      const exponent = staircase ? Math.floor(decayedCount / transitionSteps) : decayedCount / transitionSteps;
      value = init * decayRate ** exponent;
    }
    if (end !== undefined) value = decayRate < 1 ? Math.max(value, end) : Math.min(value, end);
    return value;
  };
}
