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

// The walks below are module functions rather than closures made per call: trees are walked
// on every optimizer step, and under tsx (which the benchmarks run) every named closure also
// costs a defineProperty for its name.

/** The structure and the leaves (in depth-first, key-insertion order) of a tree. */
export function flatten<L = Tensor>(tree: Tree<L>): { leaves: L[]; structure: TreeStructure } {
  const leaves: L[] = [];
  const structure = flattenNode(tree, leaves);
  return { leaves, structure };
}

function flattenNode(node: unknown, leaves: unknown[]): TreeStructure {
  if (node === null || node === undefined) return { kind: 'empty', value: node };
  // `map` keeps the holes of a sparse array (as holes of `children`), as it always did.
  if (Array.isArray(node)) return { kind: 'array', children: node.map((child) => flattenNode(child, leaves)) };
  if (isPlainObject(node)) {
    const keys = Object.keys(node);
    return { kind: 'object', keys, children: keys.map((key) => flattenNode(node[key], leaves)) };
  }
  leaves.push(node);
  return { kind: 'leaf' };
}

/** Rebuilds a tree from a structure and leaves in `flatten` order. */
export function unflatten<L = Tensor>(structure: TreeStructure, leaves: readonly L[]): Tree<L> {
  const cursor = { position: 0 };
  const tree = buildNode(structure, leaves, cursor);
  if (cursor.position !== leaves.length)
    throw new Error(`tree.unflatten: structure has ${cursor.position} leaves, got ${leaves.length}`);
  return tree as Tree<L>;
}

function buildNode(node: TreeStructure, leaves: readonly unknown[], cursor: { position: number }): unknown {
  switch (node.kind) {
    case 'leaf':
      if (cursor.position >= leaves.length)
        throw new Error(`tree.unflatten: structure needs more than ${leaves.length} leaves`);
      return leaves[cursor.position++];
    case 'empty':
      return node.value;
    case 'array':
      return node.children.map((child) => buildNode(child, leaves, cursor));
    case 'object':
      return Object.fromEntries(node.keys.map((key, index) => [key, buildNode(node.children[index]!, leaves, cursor)]));
  }
}

/** The leaves of a tree, in `flatten` order. */
export function leaves<L = Tensor>(tree: Tree<L>): L[] {
  // One walk without the structure objects `flatten` builds: optimizers ask for the leaves of
  // every tree on every step. Holes in sparse arrays are skipped, as `Array.map` skips them.
  const result: L[] = [];
  collectLeaves(tree, result);
  return result;
}

function collectLeaves(node: unknown, into: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++) if (index in node) collectLeaves(node[index], into);
  } else if (isPlainObject(node)) for (const key of Object.keys(node)) collectLeaves(node[key], into);
  else into.push(node);
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
  // The walk of `paths` keeping the leaf too, instead of two walks (and `flatten`'s structure).
  const result: [string, L][] = [];
  collectEntries(tree, '', result as [string, unknown][]);
  return result;
}

function collectEntries(node: unknown, path: string, into: [string, unknown][]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++)
      if (index in node) collectEntries(node[index], path ? `${path}.${index}` : String(index), into);
  } else if (isPlainObject(node))
    for (const key of Object.keys(node)) collectEntries(node[key], path ? `${path}.${key}` : key, into);
  else into.push([path, node]);
}

/** What kind of node `assertSameStructure` sees: a leaf, empty, an array or an object. */
function nodeKind(node: unknown): 'leaf' | 'empty' | 'array' | 'object' {
  if (node === null || node === undefined) return 'empty';
  if (Array.isArray(node)) return 'array';
  return isPlainObject(node) ? 'object' : 'leaf';
}

/**
 * Whether `a` and `b` certainly have the same structure (what `assertSameStructure` accepts),
 * in one walk without allocating. False also for what it does not decide (sparse arrays): the
 * caller then runs the full comparison, which names the difference.
 */
function sameStructure(a: unknown, b: unknown): boolean {
  const kind = nodeKind(a);
  if (kind !== nodeKind(b)) return false;
  if (kind === 'array') {
    const left = a as unknown[];
    const right = b as unknown[];
    if (left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) {
      if (!(index in left) || !(index in right) || !sameStructure(left[index], right[index])) return false;
    }
  } else if (kind === 'object') {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = Object.keys(left);
    if (keys.length !== Object.keys(right).length) return false;
    for (const key of keys) {
      if (!Object.prototype.propertyIsEnumerable.call(right, key) || !sameStructure(left[key], right[key]))
        return false;
    }
  }
  return true;
}

/**
 * What `map` needs of `tree` and `others` in one walk (the structure, the leaves of each tree
 * matched by position, the paths), or `undefined` where matching by position might not be
 * matching by path: structures that differ, sparse arrays, and keys that are empty, dotted or
 * `__proto__` (two leaves could share a path, or rebuilding would set a prototype). `map` then
 * takes its full path, which reports the difference or matches by path as it always did.
 */
function gatherForMap(
  tree: unknown,
  others: readonly unknown[],
): { structure: TreeStructure; leaves: unknown[][]; paths: string[] } | undefined {
  const gathered: unknown[][] = [[], ...others.map(() => [])];
  const leafPaths: string[] = [];
  const structure = gatherNode(tree, others, '', gathered, leafPaths);
  return structure === undefined ? undefined : { structure, leaves: gathered, paths: leafPaths };
}

/** One node of {@link gatherForMap}'s walk: its structure, or undefined to take the full path. */
function gatherNode(
  node: unknown,
  matching: readonly unknown[],
  path: string,
  gathered: unknown[][],
  leafPaths: string[],
): TreeStructure | undefined {
  const kind = nodeKind(node);
  for (const other of matching) if (nodeKind(other) !== kind) return undefined;
  switch (kind) {
    case 'empty':
      return { kind: 'empty', value: node as null | undefined };
    case 'leaf':
      gathered[0]!.push(node);
      for (let index = 0; index < matching.length; index++) gathered[index + 1]!.push(matching[index]);
      leafPaths.push(path);
      return { kind: 'leaf' };
    case 'array': {
      const list = node as unknown[];
      for (const other of matching) if ((other as unknown[]).length !== list.length) return undefined;
      const children: TreeStructure[] = [];
      for (let index = 0; index < list.length; index++) {
        if (!(index in list)) return undefined;
        for (const other of matching) if (!(index in (other as unknown[]))) return undefined;
        const child = gatherNode(
          list[index],
          matching.map((other) => (other as unknown[])[index]),
          path ? `${path}.${index}` : String(index),
          gathered,
          leafPaths,
        );
        if (child === undefined) return undefined;
        children.push(child);
      }
      return { kind: 'array', children };
    }
    case 'object': {
      const object = node as Record<string, unknown>;
      const keys = Object.keys(object);
      for (const other of matching) if (Object.keys(other as object).length !== keys.length) return undefined;
      const children: TreeStructure[] = [];
      for (const key of keys) {
        if (key === '' || key === '__proto__' || key.includes('.')) return undefined;
        for (const other of matching) if (!Object.prototype.propertyIsEnumerable.call(other, key)) return undefined;
        const child = gatherNode(
          object[key],
          matching.map((other) => (other as Record<string, unknown>)[key]),
          path ? `${path}.${key}` : key,
          gathered,
          leafPaths,
        );
        if (child === undefined) return undefined;
        children.push(child);
      }
      return { kind: 'object', keys, children };
    }
  }
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
  // The common case, equal structures, in one walk; the full comparison only to name a difference.
  if (sameStructure(reference, other)) return;
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
  const gathered = gatherForMap(tree, others);
  if (gathered !== undefined) {
    // Same structures, every leaf matched by position (which is by path here): one walk.
    const [mainLeaves, ...otherLeaves] = gathered.leaves;
    const results = mainLeaves!.map((leaf, index) =>
      fn(leaf as L, ...otherLeaves.map((list) => list[index]), gathered.paths[index]),
    );
    return unflatten(gathered.structure, results);
  }
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
