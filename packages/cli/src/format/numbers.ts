/**
 * Number formatting for tables and file names.
 */

/** A learning rate or batch-size-like number as `1e-3`, `3e-4` or `0.05`. */
export function formatRate(value: number): string {
  const exponent = Math.floor(Math.log10(value));
  const mantissa = value / 10 ** exponent;
  const rounded = Math.round(mantissa);
  return Math.abs(mantissa - rounded) < 1e-9 ? `${rounded}e${exponent}` : value.toPrecision(3);
}

/** A metric with a fixed number of decimals, `diverged` for NaN/Infinity. */
export function formatMetric(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'diverged';
}
