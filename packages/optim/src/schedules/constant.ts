import type { Schedule } from './schedule.js';
import { requireFinite, requireStep } from './validation.js';

/**
 * A schedule that returns the same value at every step.
 *
 * Math: η(t) = value.
 *
 * Reference: optax `constant_schedule`.
 *
 * @example
 * const schedule = constant(0.01);
 * schedule(0); // 0.01
 * schedule(1000); // 0.01
 */
export function constant(value: number): Schedule {
  const checkedValue = requireFinite('constant', 'value', value);
  return (step) => {
    requireStep('constant', step);
    return checkedValue;
  };
}
