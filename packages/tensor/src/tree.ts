/**
 * Trees: nested plain objects and arrays whose leaves are tensors (or other values).
 *
 * Optimizers, layers and autodiff all pass parameters around as trees. Containers are arrays
 * and plain objects; `null` and `undefined` are empty subtrees (kept in place, never visited);
 * everything else is a leaf. Paths are dotted: `layers.0.weight`.
 */
import { formatShape } from './shape.js';
import { isTensor, type Tensor } from './tensor.js';
import { zerosLike as zerosLikeTensor } from './ops/creation.js';
import { describeValue } from './validation/option-keys.js';

/** A tree of values of type `L`. */
export type Tree<L = Tensor> = L | null | undefined | readonly Tree<L>[] | { readonly [key: string]: Tree<L> };

/** The shape of a tree without its leaves, for rebuilding it with `unflatten`. */
export type TreeStructure =
  | { kind: 'leaf' }
  | { kind: 'empty'; value: null | undefined }
  | { kind: 'array'; children: TreeStructure[] }
  | { kind: 'object'; keys: string[]; children: TreeStructure[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || isTensor(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The structure and the leaves (in depth-first, key-insertion order) of a tree. */
export function flatten<L = Tensor>(tree: Tree<L>): { leaves: L[]; structure: TreeStructure } {
  const leaves: L[] = [];
  const walk = (node: unknown): TreeStructure => {
    if (node === null || node === undefined) return { kind: 'empty', value: node };
    if (Array.isArray(node)) return { kind: 'array', children: node.map(walk) };
    if (isPlainObject(node)) {
      const keys = Object.keys(node);
      return { kind: 'object', keys, children: keys.map((key) => walk(node[key])) };
    }
    leaves.push(node as L);
    return { kind: 'leaf' };
  };
  const structure = walk(tree);
  return { leaves, structure };
}

/** Rebuilds a tree from a structure and leaves in `flatten` order. */
export function unflatten<L = Tensor>(structure: TreeStructure, leaves: readonly L[]): Tree<L> {
  let position = 0;
  const build = (node: TreeStructure): unknown => {
    switch (node.kind) {
      case 'leaf':
        if (position >= leaves.length)
          throw new Error(`tree.unflatten: structure needs more than ${leaves.length} leaves`);
        return leaves[position++];
      case 'empty':
        return node.value;
      case 'array':
        return node.children.map(build);
      case 'object':
        return Object.fromEntries(node.keys.map((key, index) => [key, build(node.children[index]!)]));
    }
  };
  const tree = build(structure);
  if (position !== leaves.length)
    throw new Error(`tree.unflatten: structure has ${position} leaves, got ${leaves.length}`);
  return tree as Tree<L>;
}

/** The leaves of a tree, in `flatten` order. */
export function leaves<L = Tensor>(tree: Tree<L>): L[] {
  return flatten(tree).leaves;
}

/** The dotted path of every leaf, in `flatten` order (`''` for a tree that is one leaf). */
export function paths(tree: Tree<unknown>): string[] {
  const result: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) node.forEach((child, index) => walk(child, path ? `${path}.${index}` : String(index)));
    else if (isPlainObject(node)) for (const key of Object.keys(node)) walk(node[key], path ? `${path}.${key}` : key);
    else result.push(path);
  };
  walk(tree, '');
  return result;
}

/** `[path, leaf]` pairs, in `flatten` order. */
export function entries<L = Tensor>(tree: Tree<L>): [string, L][] {
  const list = leaves(tree);
  return paths(tree).map((path, index) => [path, list[index]!]);
}

function describeStructure(node: TreeStructure): string {
  switch (node.kind) {
    case 'leaf':
      return 'a leaf';
    case 'empty':
      return String(node.value);
    case 'array':
      return `an array of length ${node.children.length}`;
    case 'object':
      return `an object with keys {${node.keys.join(', ')}}`;
  }
}

/**
 * Throws unless the trees have the same structure, naming the first path where they differ.
 *
 * @example
 * assertSameStructure('adam.update', params, grads)
 */
export function assertSameStructure(
  op: string,
  reference: Tree<unknown>,
  other: Tree<unknown>,
  names: [string, string] = ['reference', 'other'],
): void {
  const compare = (a: TreeStructure, b: TreeStructure, path: string): void => {
    const where = path ? `at '${path}'` : 'at the root';
    const fail = () => {
      throw new Error(
        `${op}: tree structures differ ${where}: '${names[0]}' has ${describeStructure(a)}, '${names[1]}' has ${describeStructure(b)}`,
      );
    };
    if (a.kind !== b.kind) fail();
    if (a.kind === 'array' && b.kind === 'array') {
      if (a.children.length !== b.children.length) fail();
      a.children.forEach((child, index) =>
        compare(child, b.children[index]!, path ? `${path}.${index}` : String(index)),
      );
    }
    if (a.kind === 'object' && b.kind === 'object') {
      const missing = a.keys.filter((key) => !b.keys.includes(key));
      const extra = b.keys.filter((key) => !a.keys.includes(key));
      if (missing.length || extra.length) {
        throw new Error(
          `${op}: tree structures differ ${where}: '${names[1]}' ${missing.length ? `lacks ${missing.map((k) => `'${path ? `${path}.` : ''}${k}'`).join(', ')}` : ''}${missing.length && extra.length ? ' and ' : ''}${extra.length ? `has extra ${extra.map((k) => `'${path ? `${path}.` : ''}${k}'`).join(', ')}` : ''}`,
        );
      }
      a.keys.forEach((key, index) =>
        compare(a.children[index]!, b.children[b.keys.indexOf(key)]!, path ? `${path}.${key}` : key),
      );
    }
  };
  compare(flatten(reference).structure, flatten(other).structure, '');
}

/**
 * Applies `fn` to every leaf of `tree` together with the matching leaves of `others` (which
 * must have the same structure) and the leaf's path.
 *
 * @example
 * tree.map((p, g) => p.sub(g.mul(0.1)), params, grads)
 */
export function map<L, R>(fn: (leaf: L, ...rest: any[]) => R, tree: Tree<L>, ...others: Tree<any>[]): Tree<R> {
  if (typeof fn !== 'function') throw new Error(`tree.map: 'fn' must be a function, got ${describeValue(fn)}`);
  others.forEach((other, index) => assertSameStructure('tree.map', tree, other, ['tree', `others[${index}]`]));
  const { leaves: mainLeaves, structure } = flatten(tree);
  const leafPaths = paths(tree);
  const otherLeaves = others.map((other) => {
    // Match by path so that key order differences between objects do not matter.
    const byPath = new Map(entries(other as Tree<unknown>));
    return leafPaths.map((path) => byPath.get(path));
  });
  const results = mainLeaves.map((leaf, index) =>
    fn(leaf, ...otherLeaves.map((list) => list[index]), leafPaths[index]),
  );
  return unflatten(structure, results);
}

/** A tree of zero tensors shaped like `tree`'s tensor leaves. */
export function zerosLike(tree: Tree<Tensor>): Tree<Tensor> {
  return map((leaf: Tensor) => zerosLikeTensor(leaf), tree);
}

/** A one-line summary of a tree's tensor leaves: `{ layer.weight: float32[2,3], ... }`. */
export function describe(tree: Tree<unknown>): string {
  return `{ ${entries(tree)
    .map(
      ([path, leaf]) =>
        `${path || '(root)'}: ${isTensor(leaf) ? `${leaf.dtype}${formatShape(leaf.shape)}` : String(leaf)}`,
    )
    .join(', ')} }`;
}
