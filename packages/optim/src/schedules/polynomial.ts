import type { Schedule } from './schedule.js';
import {
  requireFinite,
  requireNonNegativeInteger,
  requireOptions,
  requirePositive,
  requirePositiveInteger,
  requireStep,
} from './validation.js';

/** Options of {@link linear}. */
export interface LinearOptions {
  /** Value at and before step `transitionBegin`. */
  init: number;
  /** Value at and after step `transitionBegin + transitionSteps`. */
  end: number;
  /** Number of steps over which the value moves from `init` to `end`; a positive integer. */
  transitionSteps: number;
  /** Step at which the transition starts (default 0). */
  transitionBegin?: number;
}

/** Options of {@link polynomial}. */
export interface PolynomialOptions extends LinearOptions {
  /** Exponent of the decay; a finite number greater than 0 (1 is linear). */
  power: number;
}

const LINEAR_KEYS = ['init', 'end', 'transitionSteps', 'transitionBegin'] as const;
const POLYNOMIAL_KEYS = [...LINEAR_KEYS, 'power'] as const;

/**
 * Polynomial interpolation from `init` to `end`, held constant outside the transition.
 *
 * Math: with c = clamp(t − transitionBegin, 0, transitionSteps),
 * η(t) = (init − end) · (1 − c / transitionSteps)^power + end.
 *
 * PyTorch's `PolynomialLR(total_iters, power)` with base lr `b` is
 * `polynomial({ init: b, end: 0, power, transitionSteps: total_iters })`.
 *
 * Reference: optax `polynomial_schedule`; torch.optim.lr_scheduler.PolynomialLR.
 *
 * @example
 * const schedule = polynomial({ init: 0.1, end: 0, power: 2, transitionSteps: 40 });
 * schedule(20); // 0.025 = 0.1 · (1 − 20/40)²
 * schedule(40); // 0
 */
export function polynomial(options: PolynomialOptions): Schedule {
  return makePolynomial('polynomial', options, POLYNOMIAL_KEYS, true);
}

/**
 * Linear interpolation from `init` to `end`, held constant outside the transition.
 *
 * Math: with c = clamp(t − transitionBegin, 0, transitionSteps),
 * η(t) = init + (end − init) · c / transitionSteps (written as the power-1 polynomial).
 *
 * PyTorch's `LinearLR(start_factor, end_factor, total_iters)` with base lr `b` is
 * `linear({ init: b · start_factor, end: b · end_factor, transitionSteps: total_iters })`.
 *
 * Reference: optax `linear_schedule`; torch.optim.lr_scheduler.LinearLR.
 *
 * @example
 * const schedule = linear({ init: 0, end: 1, transitionSteps: 4, transitionBegin: 2 });
 * schedule(0); // 0
 * schedule(3); // 0.25
 * schedule(10); // 1
 */
export function linear(options: LinearOptions): Schedule {
  return makePolynomial('linear', options, LINEAR_KEYS, false);
}

function makePolynomial(
  owner: string,
  options: LinearOptions | PolynomialOptions,
  allowedKeys: readonly string[],
  hasPower: boolean,
): Schedule {
  requireOptions(owner, options, allowedKeys);
  const init = requireFinite(owner, 'init', options.init);
  const end = requireFinite(owner, 'end', options.end);
  const transitionSteps = requirePositiveInteger(owner, 'transitionSteps', options.transitionSteps);
  const transitionBegin = requireNonNegativeInteger(owner, 'transitionBegin', options.transitionBegin ?? 0);
  // A power of 0 or below would not move from `init` (0) or would diverge at the end (< 0).
  const power = hasPower ? requirePositive(owner, 'power', (options as PolynomialOptions).power) : 1;
  return (step) => {
    requireStep(owner, step);
    const count = Math.min(Math.max(step - transitionBegin, 0), transitionSteps);
    // (init − end) + end need not round back to init, so return the endpoints exactly.
    if (count === 0) return init;
    if (count === transitionSteps) return end;
    const remaining = 1 - count / transitionSteps;
    return (init - end) * remaining ** power + end;
  };
}
