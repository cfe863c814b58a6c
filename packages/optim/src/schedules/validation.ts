/**
 * Argument checks shared by the schedules.
 *
 * Every failure throws a RangeError whose message names the schedule and the argument, in the
 * form `cosineDecay: 'decaySteps' must be a positive integer, got -3`, so a bad configuration
 * is reported where it is made rather than as a NaN learning rate many steps later.
 */
import { checkOptionKeys } from '@vane/tensor';

/**
 * Formats a received value for an error message: strings quoted, everything else as `String`.
 *
 * Math: none.
 *
 * Reference: none; formatting only.
 *
 * @example
 * describeValue('abc'); // '"abc"'
 * describeValue(-3); // '-3'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'function') return 'a function';
  if (value !== null && typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return 'an object';
    }
  }
  return String(value);
}

/**
 * Throws the standard argument error: `<owner>: '<name>' must be <requirement>, got <value>`.
 *
 * Math: none.
 *
 * Reference: none; error formatting only.
 *
 * @example
 * failArgument('cosineDecay', 'decaySteps', 'a positive integer', -3);
 * // throws RangeError("cosineDecay: 'decaySteps' must be a positive integer, got -3")
 */
export function failArgument(owner: string, name: string, requirement: string, value: unknown): never {
  throw new RangeError(`${owner}: '${name}' must be ${requirement}, got ${describeValue(value)}`);
}

/**
 * Checks that `options` is a plain object whose keys are all in `allowedKeys`.
 *
 * A schedule's options are required (there is no schedule without its numbers), so `undefined`
 * is rejected here; the key check itself is `@vane/tensor`'s `checkOptionKeys`, the one
 * unknown-option check shared by every options object in Vane. Unknown keys are rejected
 * because the likeliest cause is a misspelt or snake_case option (`decay_steps` copied from
 * PyTorch) that would otherwise be silently ignored.
 *
 * Math: none.
 *
 * Reference: none.
 *
 * @example
 * requireOptions('linear', { init: 1, end: 0, transitionSteps: 5 }, ['init', 'end', 'transitionSteps']);
 */
export function requireOptions(owner: string, options: unknown, allowedKeys: readonly string[]): void {
  if (options === undefined) throw new TypeError(`${owner}: options must be an object, got undefined`);
  checkOptionKeys(owner, options, allowedKeys);
}

/**
 * Returns `value` if it is a finite number, otherwise throws.
 *
 * Math: value ∈ ℝ (not NaN, not ±∞).
 *
 * Reference: none.
 *
 * @example
 * requireFinite('constant', 'value', 0.1); // 0.1
 */
export function requireFinite(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) failArgument(owner, name, 'a finite number', value);
  return value;
}

/**
 * Returns `value` if it is a finite number greater than 0, otherwise throws.
 *
 * Math: value ∈ (0, ∞).
 *
 * Reference: none.
 *
 * @example
 * requirePositive('oneCycle', 'maxLr', 0.1); // 0.1
 */
export function requirePositive(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    failArgument(owner, name, 'a finite number greater than 0', value);
  }
  return value;
}

/**
 * Returns `value` if it is a finite number greater than or equal to 0, otherwise throws.
 *
 * Math: value ∈ [0, ∞).
 *
 * Reference: none.
 *
 * @example
 * requireNonNegative('reduceOnPlateau', 'threshold', 1e-4); // 1e-4
 */
export function requireNonNegative(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    failArgument(owner, name, 'a finite number greater than or equal to 0', value);
  }
  return value;
}

/**
 * Returns `value` if it is a safe integer greater than 0, otherwise throws.
 *
 * Math: value ∈ {1, 2, …}.
 *
 * Reference: none.
 *
 * @example
 * requirePositiveInteger('cosineDecay', 'decaySteps', 100); // 100
 */
export function requirePositiveInteger(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    failArgument(owner, name, 'a positive integer', value);
  }
  return value;
}

/**
 * Returns `value` if it is a safe integer greater than or equal to 0, otherwise throws.
 *
 * Math: value ∈ {0, 1, 2, …}.
 *
 * Reference: none.
 *
 * @example
 * requireNonNegativeInteger('linear', 'transitionBegin', 0); // 0
 */
export function requireNonNegativeInteger(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    failArgument(owner, name, 'a non-negative integer', value);
  }
  return value;
}

/**
 * Returns `value` if it is a boolean, otherwise throws.
 *
 * Math: none.
 *
 * Reference: none.
 *
 * @example
 * requireBoolean('exponentialDecay', 'staircase', true); // true
 */
export function requireBoolean(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') failArgument(owner, name, 'a boolean', value);
  return value;
}

/**
 * Returns `value` if it is one of `choices`, otherwise throws.
 *
 * Math: none.
 *
 * Reference: none.
 *
 * @example
 * requireChoice('oneCycle', 'annealStrategy', 'cos', ['cos', 'linear'] as const); // 'cos'
 */
export function requireChoice<T extends string>(owner: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    failArgument(owner, name, `one of ${choices.map((choice) => `'${choice}'`).join(', ')}`, value);
  }
  return value as T;
}

/**
 * Checks the `step` passed to a schedule: a non-negative safe integer.
 *
 * Math: step ∈ {0, 1, 2, …}; step 0 is the first update.
 *
 * Reference: optax schedules take the integer update count.
 *
 * @example
 * requireStep('constant', 3); // 3
 */
export function requireStep(owner: string, step: unknown): number {
  return requireNonNegativeInteger(owner, 'step', step);
}
