import { withInputChecks } from '../input-checks.js';
import { tidy } from '@vane/tensor';
import {
  mapStepState,
  type AnyTransformation,
  type GradientTransformation,
  type StateOf,
  type TensorTree,
} from '../transform.js';
import { runSequence } from './run-sequence.js';
import { checkTransformation, composedStep } from './chain.js';

/** State of {@link namedChain}: each transform's state under its name. */
export type NamedChainState<T extends Record<string, AnyTransformation>> = { -readonly [K in keyof T]: StateOf<T[K]> };

/**
 * Like {@link chain}, but the state is an object keyed by the names you give, so that a part of
 * it can be found by name (`state.adam.firstMoment`) instead of by position.
 *
 * Update: u ← T_n(…T_1(u)…) in the order of the names. State: `{ [name]: state }`.
 *
 * @param transforms - an object of named transforms (applied in insertion order; names
 *   that look like array indices are rejected because JavaScript reorders them), or an array
 *   of `[name, transform]` pairs.
 * @example
 * const tx = namedChain({ clipping: clipByGlobalNorm(1), adam: scaleByAdam(), learningRate: scaleByLearningRate(1e-3) });
 * const state = tx.init(params);
 * state.adam.count; // 0
 * @see optax `named_chain`.
 */
export function namedChain<const T extends Record<string, AnyTransformation>>(
  transforms: T | readonly (readonly [string, AnyTransformation])[],
): GradientTransformation<NamedChainState<T>> {
  const entries: [string, AnyTransformation][] = Array.isArray(transforms)
    ? transforms.map(([name, transform]) => [name, transform])
    : Object.entries(transforms as Record<string, AnyTransformation>);
  const seen = new Set<string>();
  for (const [name, transform] of entries) {
    if (typeof name !== 'string' || name === '')
      throw new TypeError(`namedChain: names must be non-empty strings, got ${String(name)}`);
    if (/^(0|[1-9]\d*)$/.test(name))
      throw new RangeError(
        `namedChain: the name '${name}' looks like an array index; JavaScript would reorder it, so use a word`,
      );
    if (seen.has(name)) throw new RangeError(`namedChain: the name '${name}' is used twice`);
    seen.add(name);
    checkTransformation('namedChain', name, transform);
  }
  const sequence = entries.map(([, transform]) => transform);
  const statesOf = (state: NamedChainState<T>): unknown[] =>
    entries.map(([name]) => {
      if (state === null || typeof state !== 'object' || !(name in state))
        throw new Error(`namedChain.update: the state has no entry '${name}'`);
      return (state as Record<string, unknown>)[name];
    });
  const named = (states: readonly unknown[]) =>
    Object.fromEntries(entries.map(([name], index) => [name, states[index]])) as NamedChainState<T>;
  return withInputChecks('namedChain', {
    init: (params) =>
      Object.fromEntries(entries.map(([name, transform]) => [name, transform.init(params)])) as NamedChainState<T>,
    update: (updates, state, params, extras) =>
      tidy(() => {
        const [outcome, next] = runSequence(sequence, statesOf(state), updates, params, extras);
        return [outcome.updates!, named(next)] as [TensorTree, NamedChainState<T>];
      }),
    finalKernel: (updates, state, params, extras) => {
      const step = composedStep(sequence, statesOf(state), updates, params, extras);
      return step === undefined ? undefined : mapStepState(step, named);
    },
  });
}
