/**
 * A learning-rate schedule: maps the update step to a value.
 *
 * `step` counts updates from 0 (the first update uses `schedule(0)`) and must be a
 * non-negative integer; every schedule in this folder throws otherwise. Schedules are pure:
 * the same step always gives the same value, so a training run can be resumed by step number
 * alone. The only stateful schedule, {@link reduceOnPlateau}, is an object with checkpointable
 * state instead of a function.
 *
 * Math: a schedule is a function η: ℕ → ℝ.
 *
 * Reference: the same convention as optax (`optax.Schedule`, a function of the update count).
 *
 * @example
 * const schedule: Schedule = (step) => 0.1 * 0.5 ** Math.floor(step / 10);
 * schedule(25); // 0.025
 */
export type Schedule = (step: number) => number;
