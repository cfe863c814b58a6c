import { withInputChecks } from '../input-checks.js';
import { tidy } from '@vane/tensor';
import type {
  AnyTransformation,
  ElementwiseStep,
  GradientTransformation,
  StateOf,
  TensorTree,
  UpdateExtras,
} from '../transform.js';
import { foldAffineRun, runSequence } from './run-sequence.js';

/** State of {@link chain}: the states of its transforms, in order. */
export type ChainState<T extends readonly AnyTransformation[]> = { -readonly [K in keyof T]: StateOf<T[K]> };

/**
 * Composes transforms left to right: each one's output updates are the next one's input.
 *
 * Update: u ← T_n(…T_2(T_1(u))…), each T_k with its own state. State: an array of the
 * transforms' states, in order. Intermediate updates are disposed before `update` returns.
 * Affine stages that follow a producer stated as its final kernel (learning rate and decoupled
 * decay after `scaleByAdam`) are composed into that kernel; see `GradientTransformation.finalKernel`
 * and `run-sequence.ts`. The chain offers that composition point itself, so a wrapper
 * (`active`) composes its gain after the chain's last kernel, and a chain nested in a chain
 * composes as its stages would (unless its last kernel already carries an epilogue: then the
 * stages after it are their own pass, so no rounding moves).
 *
 * @param transforms - the transforms, first applied first.
 * @example
 * const adamw = chain(scaleByAdam(), addDecayedWeights(0.01), scaleByLearningRate(1e-3));
 * @see optax `chain`.
 */
export function chain<const T extends readonly AnyTransformation[]>(
  ...transforms: T
): GradientTransformation<ChainState<T>> {
  transforms.forEach((transform, index) => checkTransformation('chain', `transforms[${index}]`, transform));
  const checkState = (state: unknown): readonly unknown[] => {
    if (!Array.isArray(state) || state.length !== transforms.length) {
      throw new Error(`chain.update: expected a state array of length ${transforms.length}, got ${describe(state)}`);
    }
    return state;
  };
  return withInputChecks('chain', {
    init: (params) => transforms.map((transform) => transform.init(params)) as ChainState<T>,
    update: (updates, state, params, extras) =>
      tidy(() => {
        const [outcome, next] = runSequence(transforms, checkState(state), updates, params, extras);
        return [outcome.updates!, next as ChainState<T>] as [TensorTree, ChainState<T>];
      }),
    finalKernel: (updates, state, params, extras) =>
      composedStep(transforms, checkState(state), updates, params, extras) as ElementwiseStep<ChainState<T>>,
  });
}

/**
 * The composition point of a sequence (`chain`, `namedChain`), with its states in order:
 * - with the incoming updates not yet computed, an affine stage when every transform is one
 *   (their coefficients multiplied out), else `undefined`;
 * - else the sequence run with its tail left unrun where it ends with a producer and the affine
 *   run after it (a {@link FinalKernel} with that run as its epilogue), or computed. The states
 *   come back as an array, in order.
 */
export function composedStep(
  transforms: readonly AnyTransformation[],
  states: readonly unknown[],
  updates: TensorTree | undefined,
  params: TensorTree | undefined,
  extras: UpdateExtras | undefined,
): ElementwiseStep<unknown[]> | undefined {
  if (updates === undefined) {
    const { end, coefficients, foldedStates } = foldAffineRun(transforms, states, 0, params, extras);
    return end === transforms.length ? { epilogue: coefficients, state: foldedStates } : undefined;
  }
  return tidy(() => {
    const [outcome, next] = runSequence(transforms, states, updates, params, extras, true);
    return outcome.pending ?? { updates: outcome.updates, state: next };
  });
}

/** Throws unless `value` has `init` and `update` functions. */
export function checkTransformation(owner: string, name: string, value: unknown): void {
  const candidate = value as Partial<GradientTransformation> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.init !== 'function' ||
    typeof candidate.update !== 'function'
  ) {
    throw new TypeError(
      `${owner}: '${name}' must be a gradient transformation (an object with init and update), got ${describe(value)}`,
    );
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
