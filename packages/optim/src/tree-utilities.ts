/**
 * Tree helpers shared by the transforms: structure checks whose errors name the transform
 * and the first differing parameter path, and per-leaf maps over several same-shaped trees.
 */
import { fullLike, isTensor, tree, zerosLike, type Tensor, type Tree } from '@vane/tensor';
import type { TensorTree } from './transform.js';

/**
 * Throws unless `actual` has the structure of `expected`, naming the operation and the first
 * parameter path where they differ.
 *
 * @example
 * checkStructure('scaleByAdam.update', state.mu, updates, ['state', 'updates']);
 * // Error: scaleByAdam.update: tree structures differ at 'layer.bias': 'state' has a leaf, 'updates' has null
 */
export function checkStructure(
  operation: string,
  expected: Tree<unknown>,
  actual: Tree<unknown>,
  names: [string, string],
): void {
  tree.assertSameStructure(operation, expected, actual, names);
}

/**
 * Maps `fn` over the tensor leaves of `first` and the matching leaves of `rest` (already
 * checked to share its structure), passing the leaf path last. Empty subtrees stay in place.
 */
export function mapTensors<R>(
  fn: (...leavesAndPath: any[]) => R,
  first: Tree<unknown>,
  ...rest: Tree<unknown>[]
): Tree<R> {
  return tree.map(fn, first as Tree<any>, ...rest);
}

/** Tensor leaves of a tree in flatten order (non-tensor leaves are skipped). */
export function tensorLeaves(value: Tree<unknown>): Tensor[] {
  return tree.leaves(value as Tree<any>).filter(isTensor);
}

/** Zeros shaped and typed like every leaf of `params`. */
export function zerosTree(params: TensorTree): TensorTree {
  return tree.map((leaf: Tensor) => zerosLike(leaf), params);
}

/** A constant shaped and typed like every leaf of `params`. */
export function fullTree(params: TensorTree, value: number): TensorTree {
  return tree.map((leaf: Tensor) => fullLike(leaf, value), params);
}

/** Requires `params` in an update, naming the transform that needs them. */
export function requireParams(operation: string, params: TensorTree | undefined): TensorTree {
  if (params === undefined)
    throw new Error(`${operation}: this transform needs 'params'; call update(updates, state, params)`);
  return params;
}
