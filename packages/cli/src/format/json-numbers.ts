/**
 * JSON with non-finite numbers. JSON has no NaN or Infinity (`JSON.stringify` turns them into
 * null, which loses the difference between "diverged" and "missing"), so Vane's result files
 * write them as the strings "NaN", "Infinity" and "-Infinity" and read those strings back as
 * numbers.
 */

const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/** The JSON text of `value`, with non-finite numbers written as strings, indented by two. */
export function stringifyWithNonFinite(value: unknown): string {
  return JSON.stringify(
    value,
    (_, item: unknown) => (typeof item === 'number' && !Number.isFinite(item) ? String(item) : item),
    2,
  );
}

/**
 * Parses JSON written by {@link stringifyWithNonFinite}: the strings "NaN", "Infinity" and
 * "-Infinity" become numbers again. Throws `SyntaxError` on malformed text.
 */
export function parseWithNonFinite(text: string): unknown {
  return JSON.parse(text, (_, item: unknown) =>
    typeof item === 'string' && item in NON_FINITE ? NON_FINITE[item] : item,
  );
}

/** `value` with non-finite numbers replaced by their strings (for JSON stored inside other files). */
export function encodeNonFinite<T>(value: T): unknown {
  return JSON.parse(stringifyWithNonFinite(value));
}

/** The inverse of {@link encodeNonFinite}. */
export function decodeNonFinite(value: unknown): unknown {
  return parseWithNonFinite(JSON.stringify(value));
}
