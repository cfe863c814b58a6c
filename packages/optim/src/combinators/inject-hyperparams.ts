import type { GradientTransformation, TensorTree } from '../transform.js';
import type { Schedule } from '../schedules/index.js';

/** A hyperparameter's stored value: a number, or a tuple of numbers such as `betas`. */
export type HyperparameterValue = number | readonly number[];

/** Hyperparameters as given to {@link injectHyperparams}: numeric options may be schedules. */
export type InjectableOptions<O> = { [K in keyof O]: O[K] | (Extract<O[K], number> extends never ? never : Schedule) };

/** State of {@link injectHyperparams}. */
export interface InjectHyperparamsState<S> {
  /** Updates applied so far (schedules are evaluated at this step). */
  count: number;
  /**
   * The numeric hyperparameters in force for the next update, by option name. Edit them
   * (with {@link setHyperparams} or by building a new state) to change, say, the learning rate
   * mid-run; scheduled ones are overwritten from their schedule at every update.
   */
  hyperparams: Record<string, HyperparameterValue>;
  /** The state of the wrapped optimizer. */
  inner: S;
}

function isHyperparameterValue(value: unknown): value is HyperparameterValue {
  return (
    typeof value === 'number' ||
    (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number'))
  );
}

/**
 * Makes an optimizer's numeric options part of its state, so they can be read and changed
 * during training (the current learning rate, for logging or for a hand-made schedule), and
 * so schedules can drive any of them.
 *
 * Update: at the t-th update (t from 0) each scheduled option takes its schedule's value
 * at t, the optimizer `factory({ ...static options, ...state.hyperparams })` is built and its
 * update applied with `state.inner`. Numbers are stored as given (JavaScript doubles), so
 * the result is bit-identical to the un-injected optimizer with the same values.
 *
 * @param factory - a function from options to a transform, e.g. `adamw`.
 * @returns a function taking the options (numbers, number tuples, schedules, or static values
 *   such as booleans) and returning the transform. The factory runs once at once, so bad
 *   options fail here.
 * @example
 * const optimizer = injectHyperparams(adamw)({ lr: warmupCosineDecay({ ... }), weightDecay: 0.05 });
 * let state = optimizer.init(params);
 * state.hyperparams.lr;                       // the learning rate of the next update
 * state = setHyperparams(state, { weightDecay: 0.1 });
 * @see optax `inject_hyperparams`.
 */
export function injectHyperparams<O extends object, S>(
  factory: (options: O) => GradientTransformation<S>,
): (options: InjectableOptions<O>) => GradientTransformation<InjectHyperparamsState<S>> {
  if (typeof factory !== 'function')
    throw new TypeError(`injectHyperparams: 'factory' must be a function, got ${String(factory)}`);
  return (options) => {
    const entries = Object.entries(options as Record<string, unknown>);
    const schedules = new Map<string, Schedule>();
    const initial: Record<string, HyperparameterValue> = {};
    const fixed: Record<string, unknown> = {};
    for (const [name, value] of entries) {
      if (typeof value === 'function') schedules.set(name, value as Schedule);
      else if (isHyperparameterValue(value)) initial[name] = Array.isArray(value) ? [...value] : value;
      else fixed[name] = value;
    }
    const valuesAt = (step: number, stored: Record<string, HyperparameterValue>) => {
      const values: Record<string, HyperparameterValue> = { ...stored };
      for (const [name, schedule] of schedules) values[name] = schedule(step);
      return values;
    };
    const build = (values: Record<string, HyperparameterValue>) => factory({ ...fixed, ...values } as O);
    // Build once now so that bad options fail at construction.
    const first = valuesAt(0, initial);
    build(first);
    return {
      init: (params: TensorTree) => ({ count: 0, hyperparams: first, inner: build(first).init(params) }),
      update: (updates, state, params, extras) => {
        const values = valuesAt(state.count, state.hyperparams);
        const [out, inner] = build(values).update(updates, state.inner, params, extras);
        return [out, { count: state.count + 1, hyperparams: valuesAt(state.count + 1, values), inner }];
      },
    };
  };
}

/**
 * Returns a copy of an {@link injectHyperparams} state with some hyperparameters replaced
 * (the tensors are shared, not copied). Names must already be in the state.
 *
 * @example
 * state = setHyperparams(state, { lr: 1e-4 });
 */
export function setHyperparams<S>(
  state: InjectHyperparamsState<S>,
  values: Record<string, HyperparameterValue>,
): InjectHyperparamsState<S> {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in state.hyperparams)) {
      throw new RangeError(
        `setHyperparams: '${name}' is not an injected hyperparameter; the state has ${Object.keys(state.hyperparams)
          .map((key) => `'${key}'`)
          .join(', ')}`,
      );
    }
    if (!isHyperparameterValue(value))
      throw new TypeError(`setHyperparams: '${name}' must be a number or an array of numbers, got ${String(value)}`);
  }
  return { ...state, hyperparams: { ...state.hyperparams, ...values } };
}
