import { withInputChecks } from '../input-checks.js';
import { tidy } from '@vane/tensor';
import type { AnyTransformation, GradientTransformation, StateOf, TensorTree } from '../transform.js';
import { runSequence } from './run-sequence.js';

/** State of {@link chain}: the states of its transforms, in order. */
export type ChainState<T extends readonly AnyTransformation[]> = { -readonly [K in keyof T]: StateOf<T[K]> };

/**
 * Composes transforms left to right: each one's output updates are the next one's input.
 *
 * Update: u ← T_n(…T_2(T_1(u))…), each T_k with its own state. State: an array of the
 * transforms' states, in order. Intermediate updates are disposed before `update` returns.
 * Affine transforms that follow a producer with fusion hooks (learning rate and decoupled
 * decay after `scaleByAdam`) are folded into its kernel; see `FusionHooks`.
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
  return withInputChecks('chain', {
    init: (params) => transforms.map((transform) => transform.init(params)) as ChainState<T>,
    update: (updates, state, params, extras) => {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw new Error(`chain.update: expected a state array of length ${transforms.length}, got ${describe(state)}`);
      }
      return tidy(() => {
        const [out, next] = runSequence(transforms, state as readonly unknown[], updates, params, extras);
        return [out, next as ChainState<T>] as [TensorTree, ChainState<T>];
      });
    },
    fusion: {
      updateWithMultiplier: (updates, state, params, extras, multiplier) => {
        if (!Array.isArray(state) || state.length !== transforms.length) {
          throw new Error(
            `chain.update: expected a state array of length ${transforms.length}, got ${describe(state)}`,
          );
        }
        return tidy(() => {
          const [out, next] = runSequence(transforms, state as readonly unknown[], updates, params, extras, multiplier);
          return [out, next as ChainState<T>] as [TensorTree, ChainState<T>];
        });
      },
    },
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
