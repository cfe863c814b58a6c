import type { Schedule } from './schedule.js';
import { describeValue, failArgument, requireNonNegativeInteger, requireStep } from './validation.js';

/**
 * Chains schedules: `schedules[i + 1]` takes over at `boundaries[i]` and is restarted there.
 *
 * Math: with b₀ ≤ b₁ ≤ … the boundaries, η(t) = s₀(t) for t < b₀, and
 * η(t) = s_{i+1}(t − b_i) for the largest i with b_i ≤ t. Each later schedule therefore sees
 * its own step count starting at 0. With equal boundaries the later schedule wins.
 *
 * Reference: optax `join_schedules`.
 *
 * @example
 * const schedule = joinSchedules([constant(0.1), linear({ init: 0.1, end: 0, transitionSteps: 10 })], [5]);
 * schedule(4); // 0.1
 * schedule(10); // 0.05, the linear schedule at its own step 5
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  const owner = 'joinSchedules';
  if (!Array.isArray(schedules) || schedules.length === 0) {
    failArgument(owner, 'schedules', 'a non-empty array of schedules', schedules);
  }
  schedules.forEach((schedule, index) => {
    if (typeof schedule !== 'function') failArgument(owner, `schedules[${index}]`, 'a function', schedule);
  });
  if (!Array.isArray(boundaries) || boundaries.length !== schedules.length - 1) {
    failArgument(
      owner,
      'boundaries',
      `an array with one entry fewer than 'schedules' (${schedules.length - 1})`,
      boundaries,
    );
  }
  boundaries.forEach((boundary, index) => {
    requireNonNegativeInteger(owner, `boundaries[${index}]`, boundary);
    if (index > 0 && boundary < boundaries[index - 1]) {
      throw new RangeError(`${owner}: 'boundaries' must be non-decreasing, got ${describeValue(boundaries)}`);
    }
  });
  const ownSchedules = [...schedules];
  const ownBoundaries = [...boundaries];
  return (step) => {
    requireStep(owner, step);
    // Walk back from the last boundary: the last one at or before `step` selects the schedule.
    for (let index = ownBoundaries.length - 1; index >= 0; index -= 1) {
      if (step >= ownBoundaries[index]) return ownSchedules[index + 1](step - ownBoundaries[index]);
    }
    return ownSchedules[0](step);
  };
}
