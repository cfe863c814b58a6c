/**
 * Small statistics for the study tables: mean, spread (max − min) and sample standard deviation.
 */

/** The arithmetic mean (NaN for an empty list or if any value is NaN). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((total, value) => total + value, 0) / values.length;
}

/**
 * The spread max − min: how far a final metric moves across learning rates. Infinity when a
 * value is not finite (a diverged run makes the spread unbounded rather than silently small).
 *
 * @example
 * spread([0.91, 0.85, 0.97]); // 0.12
 */
export function spread(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  if (values.some((value) => !Number.isFinite(value))) return Infinity;
  return Math.max(...values) - Math.min(...values);
}

/** The sample standard deviation (n − 1 in the denominator; 0 for a single value). */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const average = mean(values);
  return Math.sqrt(values.reduce((total, value) => total + (value - average) ** 2, 0) / (values.length - 1));
}
