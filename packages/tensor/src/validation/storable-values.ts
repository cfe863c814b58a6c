/**
 * Storing JavaScript numbers in a dtype without silently changing them. A number beyond the
 * int32 range would wrap around (3e9 becomes −1294967296), and NaN or ±∞ would become 0, so
 * these are errors, as in PyTorch (`value cannot be converted to type int32_t without
 * overflow`). A fractional number stored as int32 truncates toward zero, as PyTorch's
 * `torch.tensor([1.9], dtype=torch.int32)` does; a number beyond the float32 range becomes ±∞,
 * also as PyTorch. Both are documented in docs/tensor.md ("Errors and strict options").
 */
import { allocateArray, type DType, type TypedArray } from '../dtype.js';
import { describeValue } from './option-keys.js';

/** The smallest and largest int32. */
export const INT32_RANGE = [-2147483648, 2147483647] as const;

/**
 * Throws unless `value` can be stored as `dtype` without wrapping around or becoming 0.
 *
 * @param op - the public op, for the message.
 * @param label - what holds the value, as the message should say it (`'data' holds`, `'value' is`).
 * @example
 * checkStorable('full', "'value' is", 'int32', 3e9)
 * // full: 'value' is 3000000000, out of range for int32 [-2147483648, 2147483647]
 */
export function checkStorable(op: string, label: string, dtype: DType, value: number): void {
  if (dtype !== 'int32') return;
  if (!Number.isFinite(value))
    throw new RangeError(`${op}: ${label} ${describeValue(value)}, which cannot be stored as int32`);
  // Truncation toward zero happens on store, so the truncated value is what must fit.
  const stored = Math.trunc(value);
  if (stored < INT32_RANGE[0] || stored > INT32_RANGE[1]) {
    throw new RangeError(
      `${op}: ${label} ${describeValue(value)}, out of range for int32 [${INT32_RANGE[0]}, ${INT32_RANGE[1]}]`,
    );
  }
}

/**
 * A new storage array of `dtype` holding `values`, each checked with {@link checkStorable}
 * (bool stores non-zero as 1).
 */
export function storeValues(op: string, label: string, dtype: DType, values: ArrayLike<number>): TypedArray {
  const stored = allocateArray(dtype, values.length);
  if (dtype === 'bool') {
    for (let index = 0; index < values.length; index++) stored[index] = values[index] !== 0 ? 1 : 0;
  } else {
    if (dtype === 'int32')
      for (let index = 0; index < values.length; index++) checkStorable(op, label, dtype, values[index]!);
    stored.set(values);
  }
  return stored;
}
