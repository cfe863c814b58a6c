import { tidy, tree, type Tree } from '@vane/tensor';
import type { AnyTransformation, GradientTransformation, StateOf, TensorTree } from '../transform.js';
import { checkTransformation } from './chain.js';
import { expandMask, mergeLeaves, selectLeaves } from './mask-utilities.js';

/** Labels of the leaves: a (prefix) tree of strings, or a function of the params returning one. */
export type LabelSpecification = Tree<string> | ((params: TensorTree) => Tree<string>);

/** State of {@link partition}: each group's state under its label. */
export type PartitionState<T extends Record<string, AnyTransformation>> = { -readonly [K in keyof T]: StateOf<T[K]> };

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * Parameter groups: every leaf gets a label, and each label's transform is applied to its
 * leaves only (PyTorch's `param_groups`, each group with its own optimizer and
 * hyperparameters).
 *
 * Update: u_i ← T_{label(i)}(u restricted to that label)_i. State: `{ [label]: state }`.
 *
 * @param transforms - a transform per label.
 * @param labels - a (prefix) tree of labels shaped like the params, or a function returning one.
 * @example
 * const tx = partition(
 *   { decayed: adamw({ lr: 1e-3, weightDecay: 0.1 }), plain: adam({ lr: 1e-3 }) },
 *   (params) => tree.map((p) => (p.ndim >= 2 ? 'decayed' : 'plain'), params),
 * );
 * @see optax `partition` (formerly `multi_transform`).
 */
export function partition<const T extends Record<string, AnyTransformation>>(
  transforms: T,
  labels: LabelSpecification,
): GradientTransformation<PartitionState<T>> {
  const names = Object.keys(transforms);
  for (const name of names) checkTransformation('partition', name, transforms[name]);
  const resolve = (operation: string, target: TensorTree): string[] => {
    const value = typeof labels === 'function' ? labels(target) : labels;
    const expanded = expandMask(operation, value, target, isString, 'a label');
    expanded.forEach((label, index) => {
      if (!(label in transforms)) {
        throw new Error(
          `${operation}: the label '${label}' of '${pathAt(target, index)}' has no transform; labels are ${names.map((n) => `'${n}'`).join(', ')}`,
        );
      }
    });
    return expanded;
  };
  return {
    init: (params) => {
      const leafLabels = resolve('partition.init', params);
      return Object.fromEntries(
        names.map((name) => [
          name,
          transforms[name]!.init(
            selectLeaves(
              params,
              leafLabels.map((label) => label === name),
            ),
          ),
        ]),
      ) as PartitionState<T>;
    },
    update: (updates, state, params, extras) =>
      tidy(() => {
        const leafLabels = resolve('partition.update', updates);
        let merged = updates;
        const next: Record<string, unknown> = {};
        for (const name of names) {
          const flags = leafLabels.map((label) => label === name);
          if (!(name in (state as object))) throw new Error(`partition.update: the state has no group '${name}'`);
          const [groupUpdates, groupState] = transforms[name]!.update(
            selectLeaves(updates, flags),
            (state as Record<string, unknown>)[name],
            params === undefined ? undefined : selectLeaves(params, flags),
            extras,
          );
          merged = mergeLeaves('partition.update', merged, groupUpdates, flags);
          next[name] = groupState;
        }
        return [merged, next as PartitionState<T>] as [TensorTree, PartitionState<T>];
      }),
  };
}

function pathAt(target: TensorTree, index: number): string {
  return tree.paths(target)[index] || '(root)';
}
