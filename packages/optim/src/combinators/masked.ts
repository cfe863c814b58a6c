import { checkTransformation } from './chain.js';
import { tidy, type Tree } from '@vane/tensor';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { expandMask, mergeLeaves, selectLeaves } from './mask-utilities.js';

/**
 * Which leaves a wrapper acts on: a tree of booleans shaped like the parameters (or a prefix
 * of it, a boolean standing for a subtree), or a function of the parameters returning one.
 * Functions are called with the params in `init` and with the updates in `update`.
 */
export type MaskSpecification = Tree<boolean> | ((params: TensorTree) => Tree<boolean>);

/** State of {@link masked}: the inner state, built on the masked leaves only. */
export interface MaskedState<S> {
  inner: S;
}

const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

/** The per-leaf flags of a mask specification for `target`. */
export function resolveMask(operation: string, mask: MaskSpecification, target: TensorTree): boolean[] {
  const value = typeof mask === 'function' ? mask(target) : mask;
  return expandMask(operation, value, target, isBoolean, 'a boolean');
}

/**
 * Applies `inner` only to the leaves selected by `mask`; the other updates pass through
 * unchanged and the inner state holds nothing for them (masked-out leaves are `null` in it).
 *
 * Update: u_i ← inner(u)_i where mask_i, u_i elsewhere. State: `{ inner }`.
 *
 * @param inner - any transform.
 * @param mask - a (prefix) tree of booleans or a function returning one.
 * @example
 * // Decay matrices, not biases or norms.
 * const decay = masked(addDecayedWeights(0.01), (params) => tree.map((p) => p.ndim >= 2, params));
 * @see optax `masked`.
 */
export function masked<S>(
  inner: GradientTransformation<S>,
  mask: MaskSpecification,
): GradientTransformation<MaskedState<S>> {
  if (typeof mask !== 'function' && (mask === null || typeof mask !== 'object') && typeof mask !== 'boolean') {
    throw new TypeError(`masked: 'mask' must be a tree of booleans or a function, got ${String(mask)}`);
  }
  checkTransformation('masked', 'inner', inner);
  return {
    init: (params) => {
      const flags = resolveMask('masked.init', mask, params);
      return { inner: inner.init(selectLeaves(params, flags)) };
    },
    update: (updates, state, params, extras) =>
      tidy(() => {
        const flags = resolveMask('masked.update', mask, updates);
        const [innerUpdates, innerState] = inner.update(
          selectLeaves(updates, flags),
          state.inner,
          params === undefined ? undefined : selectLeaves(params, flags),
          extras,
        );
        return [mergeLeaves('masked.update', updates, innerUpdates, flags), { inner: innerState }] as [
          TensorTree,
          MaskedState<S>,
        ];
      }),
  };
}
