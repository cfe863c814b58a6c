import { fusedMap, tidy, type Tensor } from '@vane/tensor';
import { SCALE } from '../kernels.js';
import type { Schedule } from '../schedules/index.js';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { mapTensors } from '../tree-utilities.js';
import { checkBoolean, checkLearningRate, checkOptionKeys } from '../validation.js';

/** State of a scheduled {@link scaleByLearningRate} or of {@link scaleBySchedule}. */
export interface ScheduleState {
  /** Updates applied so far: the next update uses `schedule(count)`. */
  count: number;
}

/** Options of {@link scaleByLearningRate}. */
export interface ScaleByLearningRateOptions {
  /** Negate, turning a descent direction into a parameter update (default true). */
  flipSign?: boolean;
}

/**
 * Scales updates by a (possibly scheduled) learning rate and, by default, flips their sign:
 * this is the one place where a descent direction becomes a step to add to the parameters.
 *
 * Update: u ← −η_t·u, with η_t = `learningRate` or `learningRate(t)` for the t-th update
 * (t from 0). State: `{}` for a constant rate, `{ count }` for a schedule.
 *
 * @param learningRate - η ≥ 0, or a schedule `(step) => η`.
 * @param options - `flipSign` (default true).
 * @example
 * const sgdLike = chain(trace({ decay: 0.9 }), scaleByLearningRate(cosineDecay({ init: 0.1, decaySteps: 1000 })));
 * @see optax `scale_by_learning_rate`.
 */
export function scaleByLearningRate(
  learningRate: number | Schedule,
  options: ScaleByLearningRateOptions = {},
): GradientTransformation<EmptyState | ScheduleState> {
  const owner = 'scaleByLearningRate';
  checkOptionKeys(owner, options, ['flipSign']);
  const rate = checkLearningRate(owner, 'learningRate', learningRate);
  const sign = checkBoolean(owner, 'flipSign', options.flipSign ?? true) ? -1 : 1;
  if (typeof rate === 'number') return scale(sign * rate) as GradientTransformation<EmptyState | ScheduleState>;
  return scheduled(rate, sign) as GradientTransformation<EmptyState | ScheduleState>;
}

/**
 * Multiplies updates by a schedule's value (no sign flip).
 *
 * Update: u ← s(t)·u for the t-th update (t from 0). State: `{ count }`.
 *
 * @param schedule - `(step) => factor`.
 * @example
 * const warmup = scaleBySchedule(linear({ init: 0, end: 1, transitionSteps: 100 }));
 * @see optax `scale_by_schedule`.
 */
export function scaleBySchedule(schedule: Schedule): GradientTransformation<ScheduleState> {
  if (typeof schedule !== 'function')
    throw new TypeError(`scaleBySchedule: 'schedule' must be a function, got ${String(schedule)}`);
  return scheduled(schedule, 1);
}

function scale(factor: number): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [tidy(() => mapTensors((u: Tensor) => fusedMap(SCALE, [u], [factor]), updates)), state],
    finalKernel: (_updates, state) => ({ epilogue: { updateScale: factor, paramScale: 0 }, state }),
  };
}

function scheduled(schedule: Schedule, sign: number): GradientTransformation<ScheduleState> {
  return {
    init: () => ({ count: 0 }),
    update: (updates, state) => {
      const factor = sign * schedule(state.count);
      return [
        tidy(() => mapTensors((u: Tensor) => fusedMap(SCALE, [u], [factor]), updates)),
        { count: state.count + 1 },
      ];
    },
    finalKernel: (_updates, state) => ({
      epilogue: { updateScale: sign * schedule(state.count), paramScale: 0 },
      state: { count: state.count + 1 },
    }),
  };
}
