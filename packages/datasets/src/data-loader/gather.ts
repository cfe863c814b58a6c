import type { ExampleArray } from '../dataset.js';

/**
 * Copies the examples at `indices` (each `exampleSize` values long) into a new array of the
 * same type, in the order given.
 *
 * @example
 * gatherExamples(Float32Array.of(1, 2, 3, 4, 5, 6), 2, Int32Array.of(2, 0)); // Float32Array [5, 6, 1, 2]
 */
export function gatherExamples<T extends ExampleArray>(source: T, exampleSize: number, indices: ArrayLike<number>): T {
  const Constructor = source.constructor as new (length: number) => T;
  const gathered = new Constructor(indices.length * exampleSize);
  for (let position = 0; position < indices.length; position += 1) {
    const start = indices[position] * exampleSize;
    gathered.set(source.subarray(start, start + exampleSize), position * exampleSize);
  }
  return gathered;
}
