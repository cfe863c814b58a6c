import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ones, tensor, tree, zeros, type Tensor, type Tree } from './index.js';
import { values } from '../test/helpers.js';

/** Random trees of numbers: nested arrays and plain objects, with null/undefined holes. */
const { node: treeArbitrary } = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.constantFrom(null, undefined),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'weight', 'bias', 'layers', 'x1'), tie('node'), { maxKeys: 3 }),
  ),
}));

/** Leaves in depth-first, key-insertion order and their dotted paths, written from the definition. */
function naiveLeaves(node: unknown, path = ''): [string, unknown][] {
  if (node === null || node === undefined) return [];
  const join = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (Array.isArray(node)) return node.flatMap((child, index) => naiveLeaves(child, join(index)));
  if (typeof node === 'object') return Object.entries(node).flatMap(([key, child]) => naiveLeaves(child, join(key)));
  return [[path, node]];
}

describe('tree.flatten / tree.unflatten / tree.leaves / tree.paths', () => {
  it('flatten lists leaves depth-first in key order, paths are dotted, unflatten rebuilds the tree', () => {
    fc.assert(
      fc.property(treeArbitrary, (t) => {
        const expected = naiveLeaves(t);
        const { leaves, structure } = tree.flatten(t as Tree<number>);
        expect(leaves).toEqual(expected.map(([, leaf]) => leaf));
        expect(tree.leaves(t as Tree<number>)).toEqual(leaves);
        expect(tree.paths(t as Tree<number>)).toEqual(expected.map(([path]) => path));
        expect(tree.unflatten(structure, leaves)).toEqual(t);
        // Replacing the leaves keeps the structure.
        const doubled = tree.unflatten(
          structure,
          leaves.map((leaf) => leaf * 2),
        );
        expect(tree.leaves(doubled)).toEqual(leaves.map((leaf) => leaf * 2));
      }),
      { numRuns: 100 },
    );
  });

  it('names paths as layers.0.weight and treats tensors as leaves', () => {
    const params = {
      layers: [{ weight: zeros([2, 2]), bias: zeros([2]) }, { weight: ones([2, 1]) }],
      scale: tensor(1),
    };
    expect(tree.paths(params)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'scale']);
    expect(tree.leaves(params).map((leaf) => leaf.shape)).toEqual([[2, 2], [2], [2, 1], []]);
    expect(tree.paths(tensor(1))).toEqual(['']);
    expect(tree.entries(params).map(([path, leaf]) => `${path}:${leaf.size}`)).toEqual([
      'layers.0.weight:4',
      'layers.0.bias:2',
      'layers.1.weight:2',
      'scale:1',
    ]);
    expect(tree.describe(params)).toBe(
      '{ layers.0.weight: float32[2,2], layers.0.bias: float32[2], layers.1.weight: float32[2,1], scale: float32[] }',
    );
  });

  it('unflatten rejects the wrong number of leaves', () => {
    const { structure } = tree.flatten({ a: 1, b: [2, 3] });
    expect(() => tree.unflatten(structure, [1, 2])).toThrow(/tree.unflatten: structure needs more than 2 leaves/);
    expect(() => tree.unflatten(structure, [1, 2, 3, 4])).toThrow(/tree.unflatten: structure has 3 leaves, got 4/);
  });
});

describe('tree.map', () => {
  it('applies fn to every leaf and keeps the structure', () => {
    fc.assert(
      fc.property(treeArbitrary, (t) => {
        const mapped = tree.map((leaf: number) => leaf + 1, t as Tree<number>);
        expect(tree.paths(mapped)).toEqual(tree.paths(t as Tree<number>));
        expect(tree.leaves(mapped)).toEqual(tree.leaves(t as Tree<number>).map((leaf) => leaf + 1));
      }),
      { numRuns: 100 },
    );
  });

  it('zips leaves of several trees by path (key order may differ) and passes the path last', () => {
    const params = { w: tensor([1, 2]), b: [tensor([3])] };
    const grads = { b: [tensor([30])], w: tensor([10, 20]) };
    const seen: string[] = [];
    const updated = tree.map(
      (p: Tensor, g: Tensor, path: string) => {
        seen.push(path);
        return p.sub(g.mul(0.1));
      },
      params,
      grads,
    ) as { w: Tensor; b: Tensor[] };
    expect(seen).toEqual(['w', 'b.0']);
    expect(values(updated.w)).toEqual(
      [0, 0].map((_, i) => Math.fround(Math.fround([1, 2][i]!) - Math.fround([10, 20][i]! * Math.fround(0.1)))),
    );
    expect(values(updated.b[0]!)).toEqual([0]);
  });

  it('zips random trees with their key-reversed copies by path, as a lookup by path would', () => {
    const reversed = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(reversed);
      if (node === null || typeof node !== 'object') return typeof node === 'number' ? node * 10 : node;
      return Object.fromEntries(
        Object.entries(node)
          .reverse()
          .map(([key, child]) => [key, reversed(child)]),
      );
    };
    fc.assert(
      fc.property(treeArbitrary, (t) => {
        const other = reversed(t);
        const byPath = new Map(tree.entries(other as Tree<number>));
        const calls: unknown[][] = [];
        const mapped = tree.map(
          (leaf: number, partner: number, path: string) => (calls.push([leaf, partner, path]), leaf + partner),
          t as Tree<number>,
          other as Tree<number>,
        );
        expect(calls).toEqual(tree.entries(t as Tree<number>).map(([path, leaf]) => [leaf, byPath.get(path), path]));
        expect(mapped).toEqual(
          tree.unflatten(
            tree.flatten(t as Tree<number>).structure,
            calls.map(([a, b]) => (a as number) + (b as number)),
          ),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('matches by path where keys are dotted or empty, as before the one-walk path', () => {
    // {'a.b': x} and {a: {b: y}} share the path 'a.b': the later leaf of the other tree wins.
    const first = { 'a.b': 1, a: { b: 2 } };
    const second = { 'a.b': 10, a: { b: 20 } };
    expect(tree.map((x: number, y: number) => x + y, first, second)).toEqual({ 'a.b': 21, a: { b: 22 } });
    expect(tree.map((x: number, y: number, path: string) => `${x}${y}${path}`, { '': 1 }, { '': 2 })).toEqual({
      '': '12',
    });
    // Sparse arrays: holes are skipped, as Array.map skips them.
    // eslint-disable-next-line no-sparse-arrays
    expect(tree.leaves([1, , 3] as Tree<number>)).toEqual([1, 3]);
    expect(tree.entries({ a: [null, 2], b: undefined })).toEqual([['a.1', 2]]);
  });

  it('rejects trees of different structure, naming the first differing path', () => {
    expect(() => tree.map((a: number) => a, { a: [1, 2] }, { a: [1] })).toThrow(
      /tree.map: tree structures differ at 'a': 'tree' has an array of length 2, 'others\[0\]' has an array of length 1/,
    );
    expect(() => tree.map((a: number) => a, { a: 1, b: 2 }, { a: 1 })).toThrow(
      /tree.map: tree structures differ at the root: 'others\[0\]' lacks 'b'/,
    );
    expect(() => tree.map((a: number) => a, { a: { c: 1 } }, { a: { c: 1, d: 2 } })).toThrow(/has extra 'a.d'/);
  });
});

describe('tree.zerosLike', () => {
  it('gives zeros with the shape and dtype of every tensor leaf', () => {
    const params = {
      layers: [{ weight: ones([2, 3]), steps: tensor([4], { dtype: 'int32' }) }],
      bias: tensor([1.5], { dtype: 'float64' }),
      empty: null,
    };
    const zero = tree.zerosLike(params) as typeof params;
    expect(tree.paths(zero)).toEqual(tree.paths(params));
    expect(zero.empty).toBeNull();
    tree.leaves(params).forEach((leaf, i) => {
      const z = tree.leaves(zero as Tree<Tensor>)[i]!;
      expect(z.shape).toEqual(leaf.shape);
      expect(z.dtype).toBe(leaf.dtype);
      expect(z).not.toBe(leaf);
      expect(values(z).every((v) => v === 0)).toBe(true);
    });
  });
});
