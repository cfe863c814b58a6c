/**
 * Test support: bit-exact comparison of two state trees (tensors by dtype, shape and bytes;
 * numbers with Object.is, so NaN, -0 and undefined count), for the checkpoint round-trip tests.
 *
 * Source: `packages/nn/test/support/state-comparison.ts`.
 */
import { isTensor, type Tensor } from '@vane/tensor';

function bytesOf(value: Tensor): Uint8Array {
  const data = value.dataSync();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The first difference between `expected` and `actual` as `'<path>: <what>'`, or undefined
 * when they are the same tree bit for bit (same keys, same array lengths, same prototype kind).
 */
export function findStateDifference(expected: unknown, actual: unknown, path = '(root)'): string | undefined {
  if (isTensor(expected)) {
    if (!isTensor(actual)) return `${path}: expected a tensor, got ${typeof actual}`;
    if (expected.dtype !== actual.dtype) return `${path}: dtype ${actual.dtype}, expected ${expected.dtype}`;
    if (expected.shape.join(',') !== actual.shape.join(',') || expected.shape.length !== actual.shape.length)
      return `${path}: shape [${actual.shape.join(',')}], expected [${expected.shape.join(',')}]`;
    const [a, b] = [bytesOf(expected), bytesOf(actual)];
    if (a.length !== b.length) return `${path}: ${b.length} bytes, expected ${a.length}`;
    for (let index = 0; index < a.length; index += 1)
      if (a[index] !== b[index]) return `${path}: byte ${index} is ${b[index]}, expected ${a[index]}`;
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array`;
    if (expected.length !== actual.length) return `${path}: length ${actual.length}, expected ${expected.length}`;
    for (let index = 0; index < expected.length; index += 1) {
      const difference = findStateDifference(expected[index], actual[index], `${path}.${index}`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual) || isTensor(actual))
      return `${path}: expected an object`;
    const [keysA, keysB] = [Object.keys(expected), Object.keys(actual)];
    if (keysA.join('\u0000') !== keysB.join('\u0000'))
      return `${path}: keys [${keysB.join(', ')}], expected [${keysA.join(', ')}]`;
    for (const key of keysA) {
      const difference = findStateDifference(
        (expected as Record<string, unknown>)[key],
        (actual as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (difference) return difference;
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : `${path}: ${String(actual)}, expected ${String(expected)}`;
}
