/**
 * Argument checks shared by the dataset functions.
 *
 * Every check throws an `Error` whose message starts with the calling function's name, then
 * names the argument and shows the offending value, so a bad call is diagnosable from the
 * message alone (e.g. `twoSpirals: count must be a positive integer, got -3`).
 *
 * @module
 */
import { checkOptionKeys } from '@vane/tensor';

/**
 * Renders a value for an error message: strings quoted, typed arrays by type and length,
 * other arrays and objects as JSON cut to 80 characters.
 *
 * @example
 * describeValue('sort'); // "'sort'"
 * describeValue(new Float32Array(3)); // 'Float32Array(length 3)'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name}(length ${(value as unknown as ArrayLike<number>).length})`;
  }
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Requires an integer `≥ minimum` (default 1).
 *
 * @example
 * requireInteger('twoSpirals', 'count', 100); // returns 100
 * requireInteger('twoSpirals', 'count', 0);   // throws: twoSpirals: count must be an integer ≥ 1, got 0
 */
export function requireInteger(functionName: string, argumentName: string, value: unknown, minimum = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new Error(`${functionName}: ${argumentName} must be an integer ≥ ${minimum}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Requires a finite number `≥ minimum` (default 0); used for noise levels and standard deviations.
 *
 * @example
 * requireNonNegative('twoSpirals', 'noise', 0.1); // returns 0.1
 */
export function requireNonNegative(functionName: string, argumentName: string, value: unknown, minimum = 0): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
    throw new Error(
      `${functionName}: ${argumentName} must be a finite number ≥ ${minimum}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Requires a seed: any safe integer (negative values are allowed and wrap to 32 bits).
 *
 * @example
 * requireSeed('gaussianBlobs', 'seed', 42); // returns 42
 */
export function requireSeed(functionName: string, argumentName: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new Error(`${functionName}: ${argumentName} must be a safe integer, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Requires a non-null object argument (the options bag of most functions here).
 *
 * @example
 * requireObject('twoSpirals', 'options', { count: 10 });
 */
export function requireObject<T extends object>(functionName: string, argumentName: string, value: T | undefined): T {
  if (typeof value !== 'object' || value === null) {
    throw new Error(`${functionName}: ${argumentName} must be an object, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Requires an options object whose keys all lie in `allowed`. The key check is
 * `@vane/tensor`'s `checkOptionKeys`, the one unknown-option check in Vane: a misspelt option
 * (`batch_size`, `shufle`) would otherwise be ignored and its default silently used.
 *
 * @example
 * requireOptions('DataLoader', { batchSize: 32, shufle: true }, ['batchSize', 'shuffle', 'seed', 'dropLast']);
 * // throws: DataLoader: unknown option 'shufle'; expected one of 'batchSize', 'shuffle', 'seed', 'dropLast'
 */
export function requireOptions<T extends object>(
  functionName: string,
  value: T | undefined,
  allowed: readonly string[],
): T {
  requireObject(functionName, 'options', value);
  checkOptionKeys(functionName, value, allowed);
  return value as T;
}
