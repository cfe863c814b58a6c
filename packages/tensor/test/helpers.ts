/**
 * Test helpers for @vane/tensor: tolerance checks, naive reference computations over flat
 * row-major arrays, fast-check arbitraries, and the PyTorch fixture loader.
 *
 * The naive references here are deliberately the simplest possible loops, written from the
 * definitions, so that they share no code (and no bugs) with the kernels under test.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { expect } from 'vitest';
import { tensor, type DType, type Tensor } from '../src/index.js';

/** Flat values of a tensor as plain numbers. */
export function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Tolerances of {@link expectClose}: |actual − expected| ≤ atol + rtol·|expected|. */
export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/**
 * Element-by-element closeness, NaN matching NaN and infinities matching exactly. Reports the
 * first offending index.
 */
export function expectClose(
  actual: Tensor | ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance = {},
  label = '',
): void {
  const { rtol = 1e-12, atol = 1e-12 } = tolerance;
  const got = isTensorValue(actual) ? values(actual) : Array.from(actual);
  expect(got.length, `${label} length`).toBe(expected.length);
  for (let index = 0; index < got.length; index++) {
    const a = got[index]!;
    const e = expected[index]!;
    const ok = Number.isNaN(e)
      ? Number.isNaN(a)
      : !Number.isFinite(e)
        ? a === e
        : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) {
      expect.fail(`${label} index ${index}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

function isTensorValue(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && (value as { isTensor?: unknown }).isTensor === true;
}

// --- Naive row-major helpers ----------------------------------------------------------------

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

/** Product of dimensions. */
export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Every multi-index of a shape, in row-major order. */
export function indices(shape: readonly number[]): number[][] {
  const result: number[][] = [];
  const total = product(shape);
  for (let flat = 0; flat < total; flat++) {
    const index: number[] = [];
    let rest = flat;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      index.unshift(rest % shape[axis]!);
      rest = Math.floor(rest / shape[axis]!);
    }
    result.push(index);
  }
  return result;
}

/** Flat position of a multi-index. */
export function flatIndex(shape: readonly number[], index: readonly number[]): number {
  let flat = 0;
  for (let axis = 0; axis < shape.length; axis++) flat = flat * shape[axis]! + index[axis]!;
  return flat;
}

/** NumPy broadcasting of two shapes, written from the rule (or null if incompatible). */
export function naiveBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const da = a[a.length - rank + axis] ?? 1;
    const db = b[b.length - rank + axis] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(Math.max(da, db) === 1 ? Math.min(da, db) : Math.max(da, db));
  }
  return out;
}

/** The element of a row-major array of `shape` that broadcasts to `outIndex`. */
export function broadcastRead(data: ArrayLike<number>, shape: readonly number[], outIndex: readonly number[]): number {
  const offset = outIndex.length - shape.length;
  const index = shape.map((dimension, axis) => (dimension === 1 ? 0 : outIndex[axis + offset]!));
  return data[flatIndex(shape, index)]!;
}

// --- Arbitraries ----------------------------------------------------------------------------

/** A shape with `minRank..maxRank` axes of size `1..maxSize`. */
export function shapeArbitrary(minRank = 0, maxRank = 4, maxSize = 4): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: maxSize }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Values that are exact in float32 and whose sums and products of a few terms stay exact:
 * multiples of 1/4 in [−8, 8].
 */
export function exactValues(length: number): fc.Arbitrary<number[]> {
  return fc.array(
    fc.integer({ min: -32, max: 32 }).map((v) => v / 4),
    { minLength: length, maxLength: length },
  );
}

/** Finite doubles in [−range, range] (no NaN, no −0 surprises beyond what arithmetic gives). */
export function doubleValues(length: number, range = 10): fc.Arbitrary<number[]> {
  return fc.array(fc.double({ min: -range, max: range, noNaN: true, noDefaultInfinity: true }), {
    minLength: length,
    maxLength: length,
  });
}

/** A shape together with exact values filling it. */
export function shapedExact(minRank = 0, maxRank = 4, maxSize = 4): fc.Arbitrary<{ shape: number[]; data: number[] }> {
  return shapeArbitrary(minRank, maxRank, maxSize).chain((shape) =>
    exactValues(product(shape)).map((data) => ({ shape, data })),
  );
}

/** Property-test settings that keep the whole suite fast. */
export const RUNS = { numRuns: 60 } as const;

// --- PyTorch / NumPy fixtures ---------------------------------------------------------------

/** A tensor as stored in the fixture JSON. */
export interface Dumped {
  shape: number[];
  data: (number | string)[];
}

function decode(value: number | string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  throw new Error(`fixture: unknown encoded number ${value}`);
}

/** The flat numbers of a fixture tensor. */
export function numbers(dumped: Dumped): number[] {
  return dumped.data.map(decode);
}

/** A Vane tensor built from a fixture tensor. */
export function fromFixture(dumped: Dumped, dtype: DType = 'float64'): Tensor {
  return tensor(numbers(dumped), { shape: dumped.shape, dtype });
}

/**
 * The reference values generated by `test/fixtures/generate_fixtures.py` with PyTorch 1.13
 * and NumPy. Typed loosely: each test reads the section it needs.
 */
export const fixtures: any = JSON.parse(
  readFileSync(new URL('./fixtures/torch-reference.json', import.meta.url), 'utf8'),
);
