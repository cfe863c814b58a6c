/**
 * fast-check arbitraries for gradient tests: shapes (broadcastable ones included) and tensor
 * values kept away from the kinks and jumps where finite differences are meaningless.
 *
 * Arbitraries produce plain {@link TensorSpec}s; {@link materialize} turns them into float64
 * tensors inside the property, so generation and shrinking never allocate tensors.
 */
import fc from 'fast-check';
import { tensor, type DType, type Tensor } from '@vane/tensor';

/** A tensor to be created: shape, row-major values and dtype. */
export class TensorSpec {
  constructor(
    readonly shape: readonly number[],
    readonly values: readonly number[],
    readonly dtype: DType = 'float64',
  ) {}

  toString(): string {
    return `${this.dtype}[${this.shape.join(',')}](${this.values.map((v) => Number(v.toPrecision(5))).join(', ')})`;
  }
}

/** Replaces every TensorSpec in a value (arrays and plain objects are walked) by a tensor. */
export function materialize(value: unknown): unknown {
  if (value instanceof TensorSpec)
    return tensor(Float64Array.from(value.values), { shape: value.shape, dtype: value.dtype });
  if (Array.isArray(value)) return value.map(materialize);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, materialize(item)]));
  }
  return value;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Dimensions 1–3 and ranks 0–3 keep every check to a few dozen elements. */
export function shapes(minRank = 0, maxRank = 3, maxDimension = 3): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: maxDimension }), { minLength: minRank, maxLength: maxRank });
}

/**
 * `count` shapes that broadcast together: a full shape, and per operand a suffix of it with
 * some dimensions set to 1 (NumPy's rules, exercising both leading and size-1 broadcasting).
 */
export function broadcastableShapes(count: number, maxRank = 3): fc.Arbitrary<number[][]> {
  return shapes(0, maxRank).chain((full) =>
    fc.tuple(
      ...Array.from({ length: count }, () =>
        fc
          .tuple(
            fc.integer({ min: 0, max: full.length }),
            fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
          )
          .map(([dropped, ones]) =>
            full.slice(dropped).map((dimension, axis) => (ones[axis + dropped] ? 1 : dimension)),
          ),
      ),
    ),
  );
}

/**
 * How values are drawn: `smooth` in [−2, 2]; `unit` in [−1, 1]; `positive` in [0.5, 3];
 * `nonzero` with 0.2 ≤ |x| ≤ 2 (away from the kinks of abs/relu at 0); `offInteger` at
 * k + [0.15, 0.35] (away from the jumps of floor/ceil at integers and of round at halves);
 * `distinct` a shuffled grid with spacing 0.3 (no ties for max/min/maxPool);
 * `gridLow`/`gridHigh` on the grids 0.5k + 0.1 and 0.5k + 0.35, which never come closer than
 * 0.25 (no ties between maximum/minimum operands under any broadcasting).
 */
export type ValueKind =
  'smooth' | 'unit' | 'positive' | 'nonzero' | 'offInteger' | 'distinct' | 'gridLow' | 'gridHigh' | 'aboveMinusHalf';

function double(min: number, max: number): fc.Arbitrary<number> {
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** `size` values of the given kind. */
export function valuesOf(size: number, kind: ValueKind): fc.Arbitrary<number[]> {
  const list = (item: fc.Arbitrary<number>) => fc.array(item, { minLength: size, maxLength: size });
  switch (kind) {
    case 'smooth':
      return list(double(-2, 2));
    case 'unit':
      return list(double(-1, 1));
    case 'positive':
      return list(double(0.5, 3));
    case 'aboveMinusHalf':
      return list(double(-0.5, 2));
    case 'nonzero':
      return list(
        fc.tuple(fc.boolean(), double(0.2, 2)).map(([negative, magnitude]) => (negative ? -magnitude : magnitude)),
      );
    case 'offInteger':
      return list(
        fc.tuple(fc.integer({ min: -3, max: 3 }), double(0.15, 0.35)).map(([whole, fraction]) => whole + fraction),
      );
    case 'distinct': {
      const grid = Array.from({ length: size }, (_, index) => index);
      return fc
        .tuple(fc.shuffledSubarray(grid, { minLength: size, maxLength: size }), double(-1, 1))
        .map(([order, shift]) => order.map((position) => position * 0.3 + shift));
    }
    case 'gridLow':
      return list(fc.integer({ min: -4, max: 4 }).map((k) => 0.5 * k + 0.1));
    case 'gridHigh':
      return list(fc.integer({ min: -4, max: 4 }).map((k) => 0.5 * k + 0.35));
  }
}

/** A float64 tensor spec of a shape (or shape arbitrary) with values of `kind`. */
export function tensorOf(
  shape: readonly number[] | fc.Arbitrary<readonly number[]>,
  kind: ValueKind = 'smooth',
): fc.Arbitrary<TensorSpec> {
  const shapeArbitrary = Array.isArray(shape)
    ? fc.constant(shape as readonly number[])
    : (shape as fc.Arbitrary<readonly number[]>);
  return shapeArbitrary.chain((s) => valuesOf(sizeOf(s), kind).map((values) => new TensorSpec(s, values)));
}

/** An int32 tensor spec with entries in [0, high). */
export function indicesOf(shape: readonly number[], high: number): fc.Arbitrary<TensorSpec> {
  return fc
    .array(fc.integer({ min: 0, max: high - 1 }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
    .map((values) => new TensorSpec(shape, values, 'int32'));
}

/** A bool tensor spec. */
export function maskOf(shape: readonly number[]): fc.Arbitrary<TensorSpec> {
  return fc
    .array(fc.boolean(), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
    .map((values) => new TensorSpec(shape, values.map(Number), 'bool'));
}

/** A subset of the axes of a rank (sorted), or `undefined` for "all axes". */
export function axesOf(rank: number): fc.Arbitrary<number[] | undefined> {
  const all = Array.from({ length: rank }, (_, axis) => axis);
  return fc.oneof(fc.constant(undefined), fc.subarray(all));
}

/** One axis of a rank ≥ 1, sometimes negative (counting from the end). */
export function axisOf(rank: number): fc.Arbitrary<number> {
  return fc.integer({ min: -rank, max: rank - 1 });
}

/** A helper for the op-case table: tensors get created, so the generic type is loose. */
export type Inputs = readonly unknown[];
/** A function of materialized inputs returning the op's (non-scalar) output. */
export type Apply = (...inputs: never[]) => Tensor;
