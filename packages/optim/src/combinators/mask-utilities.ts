/**
 * Masks over parameter trees, shared by `masked`, `partition` and `freeze`.
 *
 * A mask may be a full tree of booleans (or labels) shaped like the parameters, or a *prefix*
 * of it: a boolean (label) standing for a whole subtree, so `{ encoder: false, head: true }`
 * masks every leaf under `encoder` and `head` at once.
 */
import { isTensor, tree, type Tree } from '@vane/tensor';
import type { TensorTree } from '../transform.js';

function isContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || isTensor(value)) return false;
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Expands a (prefix) mask to one value per leaf of `target`, in `tree.flatten` order, and
 * checks it, naming the first path where it does not fit.
 */
export function expandMask<V extends boolean | string>(
  operation: string,
  mask: unknown,
  target: TensorTree,
  isValue: (value: unknown) => value is V,
  what: string,
): V[] {
  const values: V[] = [];
  const walk = (node: unknown, maskNode: unknown, path: string): void => {
    if (node === null || node === undefined) return;
    const where = path ? `at '${path}'` : 'at the root';
    if (isValue(maskNode)) {
      // A value standing for the whole subtree.
      for (let count = tree.leaves(node as Tree<unknown>).length; count > 0; count--) values.push(maskNode);
      return;
    }
    if (!isContainer(node))
      throw new Error(`${operation}: the mask ${where} must be ${what}, got ${describe(maskNode)}`);
    if (Array.isArray(node)) {
      if (!Array.isArray(maskNode) || maskNode.length !== node.length) {
        throw new Error(
          `${operation}: the mask ${where} must be ${what} or an array of length ${node.length}, got ${describe(maskNode)}`,
        );
      }
      node.forEach((child, index) => walk(child, maskNode[index], path ? `${path}.${index}` : String(index)));
      return;
    }
    if (!isContainer(maskNode) || Array.isArray(maskNode)) {
      throw new Error(`${operation}: the mask ${where} must be ${what} or an object, got ${describe(maskNode)}`);
    }
    for (const [key, child] of Object.entries(node)) {
      const childPath = path ? `${path}.${key}` : key;
      if (!(key in maskNode)) {
        if (child === null || child === undefined) continue;
        throw new Error(`${operation}: the mask has no entry for '${childPath}'`);
      }
      walk(child, (maskNode as Record<string, unknown>)[key], childPath);
    }
  };
  walk(target, mask, '');
  return values;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (isTensor(value)) return 'a tensor';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** `target` with the leaves whose `keep` flag is false replaced by null (empty subtrees). */
export function selectLeaves(target: TensorTree, keep: readonly boolean[]): TensorTree {
  const { leaves, structure } = tree.flatten(target);
  return tree.unflatten(
    structure,
    leaves.map((leaf, index) => (keep[index] ? leaf : null)),
  ) as TensorTree;
}

/**
 * `original` with each leaf whose `take` flag is true replaced by the leaf at the same path in
 * `replacement` (a tree returned by a transform that saw only those leaves).
 */
export function mergeLeaves(
  operation: string,
  original: TensorTree,
  replacement: TensorTree,
  take: readonly boolean[],
): TensorTree {
  const { leaves, structure } = tree.flatten(original);
  const paths = tree.paths(original);
  const byPath = new Map(tree.entries(replacement));
  const merged = leaves.map((leaf, index) => {
    if (!take[index]) return leaf;
    const path = paths[index]!;
    if (!byPath.has(path)) throw new Error(`${operation}: the inner transform returned no update for '${path}'`);
    return byPath.get(path)!;
  });
  return tree.unflatten(structure, merged) as TensorTree;
}
