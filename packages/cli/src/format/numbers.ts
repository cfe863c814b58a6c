/**
 * Number formatting for tables and file names.
 */

/** A learning rate as `1e-3`, `3e-4` or `1.6e-2`: short, and aligned by exponent in tables. */
export function formatRate(value: number): string {
  const exponent = Math.floor(Math.log10(value));
  const mantissa = value / 10 ** exponent;
  const rounded = Math.round(mantissa);
  return Math.abs(mantissa - rounded) < 1e-9
    ? `${rounded}e${exponent}`
    : `${Number(mantissa.toPrecision(3))}e${exponent}`;
}

/** A metric with a fixed number of decimals, `diverged` for NaN/Infinity. */
export function formatMetric(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'diverged';
}
