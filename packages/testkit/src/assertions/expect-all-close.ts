import { isTensor, tree, type Tree } from '@vane/tensor';

/** Tolerances of {@link expectAllClose}. */
export interface Tolerance {
  /** Absolute tolerance (default 1e-6, about eight float32 ulps at 1). */
  readonly absolute?: number;
  /** Relative tolerance (default 1e-5, about a hundred float32 ulps). */
  readonly relative?: number;
}

/**
 * Throws unless two trees have the same structure and every pair of leaves is close.
 *
 * Math: tensor leaves must share dtype-independent shape, and each element pair (a, b) must
 * satisfy |a − b| ≤ absolute + relative·|b| (NumPy's `allclose` rule, `b` the expected value);
 * two NaNs match, as do equal infinities. Number leaves use the same rule; any other leaf
 * (strings, booleans) must be `===`. The error names the first differing path and index.
 *
 * @param actual - the tree computed by the code under test.
 * @param expected - the reference tree.
 * @param tolerance - `absolute` (1e-6) and `relative` (1e-5); defaults suit float32 results of
 *   a few arithmetic operations.
 * @param label - prefix for the error message.
 * @example
 * expectAllClose(updates, { weight: tensor([0.1, -0.2]) }, { absolute: 1e-7 });
 */
export function expectAllClose(
  actual: Tree<unknown>,
  expected: Tree<unknown>,
  tolerance: Tolerance = {},
  label = 'expectAllClose',
): void {
  const difference = findDifference(actual, expected, tolerance);
  if (difference !== undefined) throw new Error(`${label}: ${difference}`);
}

/**
 * The first difference between two trees under `tolerance`, described in words, or
 * `undefined` when they are close everywhere (see {@link expectAllClose} for the rule).
 *
 * @example
 * findDifference({ a: tensor([1]) }, { a: tensor([1.5]) }); // "at 'a'[0]: 1 vs expected 1.5 ..."
 */
export function findDifference(
  actual: Tree<unknown>,
  expected: Tree<unknown>,
  tolerance: Tolerance = {},
): string | undefined {
  const absolute = tolerance.absolute ?? 1e-6;
  const relative = tolerance.relative ?? 1e-5;
  try {
    tree.assertSameStructure('structure', expected as Tree<any>, actual as Tree<any>, ['expected', 'actual']);
  } catch (error) {
    return (error as Error).message;
  }
  const actualEntries = new Map(tree.entries(actual as Tree<any>));
  for (const [path, expectedLeaf] of tree.entries(expected as Tree<any>)) {
    const actualLeaf: unknown = actualEntries.get(path);
    const where = `'${path || '(root)'}'`;
    if (isTensor(expectedLeaf) || isTensor(actualLeaf)) {
      if (!isTensor(expectedLeaf) || !isTensor(actualLeaf))
        return `at ${where}: one side is a tensor and the other is ${String(isTensor(expectedLeaf) ? actualLeaf : expectedLeaf)}`;
      if (expectedLeaf.shape.join(',') !== actualLeaf.shape.join(','))
        return `at ${where}: shape [${actualLeaf.shape.join(',')}] vs expected [${expectedLeaf.shape.join(',')}]`;
      const actualValues = actualLeaf.dataSync();
      const expectedValues = expectedLeaf.dataSync();
      for (let index = 0; index < expectedValues.length; index++) {
        const a = Number(actualValues[index]);
        const b = Number(expectedValues[index]);
        if (!close(a, b, absolute, relative))
          return `at ${where}[${index}]: ${a} vs expected ${b} (|difference| ${Math.abs(a - b)} > ${absolute} + ${relative}·|expected|)`;
      }
    } else if (typeof expectedLeaf === 'number' && typeof actualLeaf === 'number') {
      if (!close(actualLeaf, expectedLeaf, absolute, relative))
        return `at ${where}: ${actualLeaf} vs expected ${expectedLeaf}`;
    } else if (!Object.is(actualLeaf, expectedLeaf)) {
      return `at ${where}: ${String(actualLeaf)} vs expected ${String(expectedLeaf)}`;
    }
  }
  return undefined;
}

function close(a: number, b: number, absolute: number, relative: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= absolute + relative * Math.abs(b);
}
