import { describe, expect, it } from 'vitest';
import { mean, spread, standardDeviation } from './summary-statistics.js';
import { varianceDecomposition } from './variance-decomposition.js';

describe('summary statistics', () => {
  it('computes mean, spread and sample standard deviation', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(spread([0.91, 0.85, 0.97])).toBeCloseTo(0.12, 12);
    expect(standardDeviation([1, 2, 6])).toBeCloseTo(Math.sqrt(7), 12);
    expect(standardDeviation([5])).toBe(0);
  });

  it('makes a spread with a diverged value unbounded instead of small', () => {
    expect(spread([0.2, NaN, 0.3])).toBe(Infinity);
    expect(spread([0.2, Infinity])).toBe(Infinity);
  });
});

describe('varianceDecomposition', () => {
  it('gives everything to the rows when only the rows differ, and to the columns when only they do', () => {
    expect(
      varianceDecomposition([
        [1, 1],
        [3, 3],
      ]),
    ).toMatchObject({ rows: 1, columns: 0, residual: 0 });
    expect(
      varianceDecomposition([
        [1, 3],
        [1, 3],
      ]),
    ).toMatchObject({ rows: 0, columns: 1, residual: 0 });
  });

  it('splits an additive grid by its effects and puts interaction in the residual', () => {
    // value = row effect (0, 2, 4) + column effect (0, 1, 2): SS_rows = 3·8 = 24, SS_columns = 3·2 = 6.
    const additive = [0, 2, 4].map((r) => [0, 1, 2].map((c) => r + c));
    const shares = varianceDecomposition(additive);
    expect(shares.rows).toBeCloseTo(24 / 30, 12);
    expect(shares.columns).toBeCloseTo(6 / 30, 12);
    expect(shares.residual).toBeCloseTo(0, 12);
    // A pure interaction (checkerboard) has no row or column effect at all.
    expect(
      varianceDecomposition([
        [1, -1],
        [-1, 1],
      ]),
    ).toMatchObject({ rows: 0, columns: 0, residual: 1 });
  });

  it('returns zero shares for a constant grid and rejects ragged or non-finite grids', () => {
    expect(
      varianceDecomposition([
        [2, 2],
        [2, 2],
      ]).rows,
    ).toBe(0);
    expect(() => varianceDecomposition([[1, 2], [3]])).toThrow(/rectangular grid/);
    expect(() =>
      varianceDecomposition([
        [1, NaN],
        [3, 4],
      ]),
    ).toThrow(/finite/);
  });
});
