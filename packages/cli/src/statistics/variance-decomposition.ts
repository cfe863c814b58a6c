/**
 * How much of a grid's variance its rows explain versus its columns: the two-way analysis of
 * variance without replication, used on the M#D grid (rows = magnitude M, columns = direction D).
 */

/** The shares of the total sum of squares of a grid. */
export interface VarianceDecomposition {
  /** Σ over cells of (row mean − grand mean)², divided by the total sum of squares. */
  rows: number;
  /** The same for column means. */
  columns: number;
  /** The rest: interaction (1 − rows − columns). */
  residual: number;
  /** Σ over cells of (value − grand mean)². */
  totalSumOfSquares: number;
}

/**
 * Splits the variance of a complete grid into the shares explained by rows, by columns and
 * the residual (their interaction). With no variance at all every share is 0.
 *
 * @example
 * varianceDecomposition([[1, 1], [3, 3]]); // rows 1, columns 0: the rows explain everything
 */
export function varianceDecomposition(grid: readonly (readonly number[])[]): VarianceDecomposition {
  const rowCount = grid.length;
  const columnCount = grid[0]?.length ?? 0;
  if (rowCount < 2 || columnCount < 2 || grid.some((row) => row.length !== columnCount)) {
    throw new RangeError(
      `varianceDecomposition: needs a rectangular grid of at least 2×2, got ${grid.map((row) => row.length).join('/')} columns over ${rowCount} rows`,
    );
  }
  const values = grid.flat();
  if (values.some((value) => !Number.isFinite(value)))
    throw new RangeError('varianceDecomposition: every cell must be a finite number');
  const grand = values.reduce((a, b) => a + b, 0) / values.length;
  const rowMeans = grid.map((row) => row.reduce((a, b) => a + b, 0) / columnCount);
  const columnMeans = Array.from(
    { length: columnCount },
    (_, column) => grid.reduce((total, row) => total + row[column]!, 0) / rowCount,
  );
  const total = values.reduce((sum, value) => sum + (value - grand) ** 2, 0);
  if (total === 0) return { rows: 0, columns: 0, residual: 0, totalSumOfSquares: 0 };
  const rows = (columnCount * rowMeans.reduce((sum, value) => sum + (value - grand) ** 2, 0)) / total;
  const columns = (rowCount * columnMeans.reduce((sum, value) => sum + (value - grand) ** 2, 0)) / total;
  return { rows, columns, residual: Math.max(0, 1 - rows - columns), totalSumOfSquares: total };
}
