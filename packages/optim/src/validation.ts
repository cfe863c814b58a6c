/**
 * Hyperparameter checks, run when a transform or optimizer is built so that a bad value fails
 * at construction with a message naming the optimizer, the option and the value, in the form
 * `adam: 'betas[1]' must be in [0, 1), got 1.5` (the same form as the schedules use).
 */
import { checkOptionKeys as checkSharedOptionKeys } from '@vane/tensor';
import type { Schedule } from './schedules/index.js';

/** A number, or a schedule giving the value at each update step. */
export type ScalarOrSchedule = number | Schedule;

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Throws `<owner>: '<name>' must be <requirement>, got <value>`. */
export function failOption(owner: string, name: string, requirement: string, value: unknown): never {
  throw new RangeError(`${owner}: '${name}' must be ${requirement}, got ${describe(value)}`);
}

/** Throws `<owner>: '<name>' must be <requirement>, got <description>` (description unquoted). */
export function failCombination(owner: string, name: string, requirement: string, description: string): never {
  throw new RangeError(`${owner}: '${name}' must be ${requirement}, got ${description}`);
}

/**
 * Rejects option keys outside `allowed`: the likeliest cause is a snake_case name copied from
 * PyTorch (`weight_decay`) that would otherwise be silently ignored. The check itself is
 * `@vane/tensor`'s, shared by every options object in Vane.
 */
export function checkOptionKeys(owner: string, options: object | undefined, allowed: readonly string[]): void {
  checkSharedOptionKeys(owner, options, allowed);
}

/** A finite number. */
export function checkFinite(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) failOption(owner, name, 'a finite number', value);
  return value;
}

/** A finite number ≥ 0. */
export function checkNonNegative(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    failOption(owner, name, 'a finite number ≥ 0', value);
  return value;
}

/** A finite number > 0. */
export function checkPositive(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    failOption(owner, name, 'a finite number > 0', value);
  return value;
}

/** A number in [0, 1): decay rates and betas. */
export function checkUnitInterval(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) failOption(owner, name, 'in [0, 1)', value);
  return value;
}

/** A number in [0, 1]. */
export function checkClosedUnitInterval(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) failOption(owner, name, 'in [0, 1]', value);
  return value;
}

/** A positive integer. */
export function checkPositiveInteger(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    failOption(owner, name, 'a positive integer', value);
  return value;
}

/** A boolean. */
export function checkBoolean(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') failOption(owner, name, 'true or false', value);
  return value;
}

/** `betas`: a pair of numbers, each in [0, 1). */
export function checkBetas(owner: string, value: unknown, name = 'betas'): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) failOption(owner, name, 'a pair [beta1, beta2]', value);
  checkUnitInterval(owner, `${name}[0]`, value[0]);
  checkUnitInterval(owner, `${name}[1]`, value[1]);
  return [value[0], value[1]];
}

/**
 * A schedule whose every value is checked when it is used: a value that is not a finite
 * number ≥ 0 (a warmup written with the wrong sign, a decay past its end) throws at the step
 * where it happens, `adamw: 'lr' schedule returned -1 at step 3; it must be a finite number ≥ 0`,
 * exactly as the same number given as a constant `lr: -1` is refused at construction.
 */
function checkedSchedule(owner: string, name: string, schedule: Schedule): Schedule {
  return (step: number) => {
    const value = schedule(step);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `${owner}: '${name}' schedule returned ${describe(value)} at step ${step}; it must be a finite number ≥ 0`,
      );
    }
    return value;
  };
}

/**
 * A learning rate: a finite number ≥ 0, or a schedule (checked at step 0 here, and at every
 * later step when it is used: see `checkedSchedule`).
 */
export function checkLearningRate(owner: string, name: string, value: unknown): ScalarOrSchedule {
  if (typeof value === 'function') {
    const first = (value as Schedule)(0);
    if (typeof first !== 'number' || Number.isNaN(first))
      failOption(owner, name, 'a schedule returning numbers', `a schedule returning ${describe(first)} at step 0`);
    return checkedSchedule(owner, name, value as Schedule);
  }
  return checkNonNegative(owner, name, value);
}

/** A non-negative number or a schedule (weight decay, for example), checked at every step it is used. */
export function checkNonNegativeOrSchedule(owner: string, name: string, value: unknown): ScalarOrSchedule {
  if (typeof value === 'function') return checkedSchedule(owner, name, value as Schedule);
  return checkNonNegative(owner, name, value);
}

/** Evaluates a number-or-schedule at an update step. */
export function valueAt(value: ScalarOrSchedule, step: number): number {
  return typeof value === 'function' ? value(step) : value;
}
