import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  broadcastTo,
  chunk,
  concat,
  contiguous,
  expand,
  flatten,
  flip,
  pad,
  permute,
  reshape,
  slice,
  split,
  squeeze,
  stack,
  tensor,
  tile,
  transpose,
  unsqueeze,
  type SliceSpec,
  type Tensor,
} from '../index.js';
import { flatIndex, indices, product, RUNS, shapeArbitrary, shapedExact, values } from '../../test/helpers.js';

/** A tensor whose element at each position is its flat index, so every move is visible. */
function iota(shape: number[]): Tensor {
  return tensor(
    Array.from({ length: product(shape) }, (_, i) => i),
    { shape, dtype: 'float64' },
  );
}

/** The indices a Python slice `start:stop:step` selects on an axis of `size` (CPython's rule). */
function pythonRange(size: number, start: number | undefined, stop: number | undefined, step: number): number[] {
  const lower = step > 0 ? 0 : -1;
  const upper = step > 0 ? size : size - 1;
  const clamp = (value: number | undefined, fallback: number) =>
    value === undefined ? fallback : value < 0 ? Math.max(value + size, lower) : Math.min(value, upper);
  const from = clamp(start, step > 0 ? lower : upper);
  const to = clamp(stop, step > 0 ? upper : lower);
  const result: number[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) result.push(i);
  return result;
}

/** A random permutation of 0..n−1. */
const permutationOf = (n: number) =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map((keys) =>
    keys
      .map((key, axis) => [key, axis] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, axis]) => axis),
  );

describe('reshape, flatten, squeeze, unsqueeze', () => {
  it('reshape round-trips and keeps row-major order; -1 is inferred', () => {
    fc.assert(
      fc.property(shapedExact(0, 4, 4), fc.integer({ min: 0, max: 3 }), ({ shape, data }, cut) => {
        const x = tensor(data, { shape });
        const size = data.length;
        const split = cut % (shape.length + 1);
        const target = [product(shape.slice(0, split)), -1];
        const y = reshape(x, target);
        expect(y.shape).toEqual([product(shape.slice(0, split)), size / Math.max(product(shape.slice(0, split)), 1)]);
        expect(values(y)).toEqual(values(x));
        const back = reshape(y, shape);
        expect(back.shape).toEqual(shape);
        expect(values(back)).toEqual(data.map(Math.fround));
      }),
      RUNS,
    );
  });

  it('reshape of contiguous data is a view; of a transposed one, a correct copy', () => {
    const x = iota([2, 3]);
    const view = reshape(x, [3, 2]);
    expect(view.storage).toBe(x.storage);
    const transposed = x.T;
    const copied = reshape(transposed, [6]);
    expect(values(copied)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(x.reshape([-1]).shape).toEqual([6]);
  });

  it('flatten merges an axis range; squeeze and unsqueeze add and drop size-1 axes', () => {
    const x = iota([2, 3, 4, 5]);
    expect(flatten(x).shape).toEqual([120]);
    expect(flatten(x, 1, 2).shape).toEqual([2, 12, 5]);
    expect(flatten(x, -2).shape).toEqual([2, 3, 20]);
    expect(x.flatten(1).shape).toEqual([2, 60]);
    expect(values(flatten(x, 1, 2))).toEqual(values(x));
    const y = iota([1, 3, 1, 2]);
    expect(squeeze(y).shape).toEqual([3, 2]);
    expect(squeeze(y, 2).shape).toEqual([1, 3, 2]);
    expect(squeeze(y, [0, -2]).shape).toEqual([3, 2]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 3, 4, 5]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 4, 5, 1]);
    expect(unsqueeze(x, 2).shape).toEqual([2, 3, 1, 4, 5]);
    expect(x.unsqueeze(-2).squeeze(-2).shape).toEqual([2, 3, 4, 5]);
    expect(flatten(tensor(7)).shape).toEqual([1]);
  });
});

describe('permute and transpose', () => {
  it('permute places x[index] at out[index permuted], and the inverse permutation undoes it', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(1, 5, 4).chain((shape) => fc.tuple(fc.constant(shape), permutationOf(shape.length))),
        ([shape, order]) => {
          const x = iota(shape);
          const y = permute(x, order);
          expect(y.shape).toEqual(order.map((axis) => shape[axis]!));
          expect(y.storage).toBe(x.storage);
          const expected = indices(y.shape).map((outIndex) => {
            const source = new Array<number>(shape.length);
            order.forEach((axis, position) => (source[axis] = outIndex[position]!));
            return flatIndex(shape, source);
          });
          expect(values(y)).toEqual(expected);
          const inverse = new Array<number>(order.length);
          order.forEach((axis, position) => (inverse[axis] = position));
          const back = permute(y, inverse);
          expect(back.shape).toEqual(shape);
          expect(values(back)).toEqual(values(x));
          expect(values(contiguous(back))).toEqual(values(x));
        },
      ),
      RUNS,
    );
  });

  it('transpose reverses all axes, or swaps two; .T is the full reversal', () => {
    const x = iota([2, 3, 4]);
    expect(transpose(x).shape).toEqual([4, 3, 2]);
    expect(x.T.shape).toEqual([4, 3, 2]);
    expect(transpose(x, 0, 2).shape).toEqual([4, 3, 2]);
    expect(transpose(x, 0, 1).shape).toEqual([3, 2, 4]);
    expect(transpose(x, -1, -2).shape).toEqual([2, 4, 3]);
    expect(values(transpose(transpose(x, 0, 1), 0, 1))).toEqual(values(x));
    const m = iota([2, 3]);
    expect(m.T.toArray()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });
});

describe('expand and broadcastTo', () => {
  it('read each output position from the broadcast source without copying', () => {
    const x = iota([3, 1]);
    const y = expand(x, [2, 3, 4]);
    expect(y.storage).toBe(x.storage);
    expect(y.strides).toEqual([0, 1, 0]);
    expect(values(y)).toEqual(indices([2, 3, 4]).map(([, row]) => row!));
    expect(expand(x, [-1, 5]).shape).toEqual([3, 5]);
    expect(values(broadcastTo(tensor([1, 2]), [2, 2]))).toEqual([1, 2, 1, 2]);
    expect(x.broadcastTo([3, 2]).shape).toEqual([3, 2]);
  });
});

describe('slice', () => {
  const sliceSpec = (size: number): fc.Arbitrary<SliceSpec> =>
    fc.oneof(
      fc.constant(null),
      fc.integer({ min: -size, max: size - 1 }),
      fc.record(
        {
          start: fc.integer({ min: -size - 2, max: size + 2 }),
          stop: fc.integer({ min: -size - 2, max: size + 2 }),
          step: fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
        },
        { requiredKeys: [] },
      ),
    );

  it('follows Python slicing (start/stop/step, negative indices, clamping) on every axis', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(1, 4, 5).chain((shape) => fc.tuple(fc.constant(shape), fc.tuple(...shape.map(sliceSpec)))),
        ([shape, specs]) => {
          const x = iota(shape);
          const out = slice(x, specs);
          expect(out.storage).toBe(x.storage);
          const chosen = specs.map((spec, axis) => {
            const size = shape[axis]!;
            if (spec === null) return { keep: true, list: pythonRange(size, undefined, undefined, 1) };
            if (typeof spec === 'number') return { keep: false, list: [spec < 0 ? spec + size : spec] };
            return { keep: true, list: pythonRange(size, spec.start, spec.stop, spec.step ?? 1) };
          });
          expect(out.shape).toEqual(chosen.filter((c) => c.keep).map((c) => c.list.length));
          const keptAxes = chosen.flatMap((c, axis) => (c.keep ? [axis] : []));
          const expected = indices(out.shape).map((outIndex) => {
            const source = chosen.map((c) => c.list[0]!);
            keptAxes.forEach((axis, position) => (source[axis] = chosen[axis]!.list[outIndex[position]!]!));
            return flatIndex(shape, source);
          });
          expect(values(out)).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('missing trailing specs take the whole axis; slices of slices compose', () => {
    const x = iota([4, 5]);
    expect(slice(x, [{ start: 1 }]).shape).toEqual([3, 5]);
    const inner = slice(slice(x, [{ step: -1 }, { start: 1, step: 2 }]), [{ start: 1, stop: 3 }, -1]);
    expect(values(inner)).toEqual([2 * 5 + 3, 1 * 5 + 3]);
    expect(x.slice([0]).shape).toEqual([5]);
    expect(values(x.slice([-1, -1]))).toEqual([19]);
  });
});

describe('concat, stack, split, chunk: inverses of one another', () => {
  it('split then concat gives back x; the pieces are the matching slices', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(1, 3, 5).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.integer({ min: 0, max: shape.length - 1 }),
            fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
          ),
        ),
        ([shape, axis, cuts]) => {
          const x = iota(shape);
          const size = shape[axis]!;
          const bounds = [0, ...cuts.map((c) => Math.min(c, size)).sort((a, b) => a - b), size];
          const sizes = bounds.slice(1).map((b, i) => b - bounds[i]!);
          const pieces = split(x, sizes, axis);
          expect(pieces.map((p) => p.shape[axis])).toEqual(sizes);
          pieces.forEach((piece, i) => {
            const specs = shape.map((): SliceSpec => null);
            specs[axis] = { start: bounds[i], stop: bounds[i + 1] };
            expect(values(piece)).toEqual(values(slice(x, specs)));
          });
          const joined = concat(pieces, axis);
          expect(joined.shape).toEqual(shape);
          expect(values(joined)).toEqual(values(x));
        },
      ),
      RUNS,
    );
  });

  it('concat then slice recovers each part, and negative axes work', () => {
    fc.assert(
      fc.property(shapeArbitrary(1, 3, 4), fc.integer({ min: 1, max: 3 }), fc.nat(), (shape, extra, which) => {
        const axis = which % shape.length;
        const otherShape = shape.map((d, a) => (a === axis ? extra : d));
        const a = iota(shape);
        const b = iota(otherShape).add(1000);
        const joined = concat([a, b], axis - shape.length);
        const first = shape.map((): SliceSpec => null);
        first[axis] = { stop: shape[axis] };
        const second = shape.map((): SliceSpec => null);
        second[axis] = { start: shape[axis] };
        expect(values(slice(joined, first))).toEqual(values(a));
        expect(values(slice(joined, second))).toEqual(values(b));
      }),
      RUNS,
    );
  });

  it('concat promotes dtypes; stack adds an axis; chunk sizes follow PyTorch', () => {
    const joined = concat([tensor([1, 2], { dtype: 'int32' }), tensor([0.5])]);
    expect(joined.dtype).toBe('float32');
    expect(joined.toArray()).toEqual([1, 2, 0.5]);
    const a = iota([2, 3]);
    const b = iota([2, 3]).neg();
    for (const axis of [0, 1, 2, -1]) {
      const s = stack([a, b], axis);
      const position = axis < 0 ? axis + 3 : axis;
      expect(s.shape).toEqual([2, 3].toSpliced(position, 0, 2));
      const specs = s.shape.map((): SliceSpec => null);
      specs[position] = 1;
      expect(values(slice(s, specs))).toEqual(values(b));
    }
    expect(chunk(iota([5]), 3).map((p) => p.shape[0])).toEqual([2, 2, 1]);
    expect(chunk(iota([6]), 4).map((p) => p.shape[0])).toEqual([2, 2, 2]);
    expect(
      iota([4, 6])
        .chunk(2, 1)
        .map((p) => p.shape),
    ).toEqual([
      [4, 3],
      [4, 3],
    ]);
    expect(split(iota([6]), 3).map(values)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(
      iota([2, 4])
        .split([1, 3], 1)
        .map((p) => p.shape),
    ).toEqual([
      [2, 1],
      [2, 3],
    ]);
  });
});

describe('pad, flip, tile', () => {
  it('pad places x inside a constant border, and slicing the border off gives x back', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(1, 3, 3).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), {
              minLength: 1,
              maxLength: shape.length,
            }),
          ),
        ),
        fc.integer({ min: -3, max: 3 }),
        ([shape, pads], value) => {
          const x = iota(shape).add(10);
          const out = pad(x, pads, value);
          const full = shape.map((_, axis) => pads[axis] ?? [0, 0]);
          expect(out.shape).toEqual(shape.map((d, axis) => d + full[axis]![0] + full[axis]![1]));
          const expected = indices(out.shape).map((index) => {
            const source = index.map((i, axis) => i - full[axis]![0]);
            return source.every((i, axis) => i >= 0 && i < shape[axis]!) ? flatIndex(shape, source) + 10 : value;
          });
          expect(values(out)).toEqual(expected);
          const inner = slice(
            out,
            full.map(([before], axis) => ({ start: before, stop: before + shape[axis]! })),
          );
          expect(values(inner)).toEqual(values(x));
        },
      ),
      RUNS,
    );
  });

  it('flip reverses the chosen axes (a view), and flipping twice is the identity', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(1, 4, 4).chain((shape) => fc.tuple(fc.constant(shape), fc.subarray(shape.map((_, a) => a)))),
        ([shape, axes]) => {
          const x = iota(shape);
          const y = flip(x, axes);
          expect(y.storage).toBe(x.storage);
          const expected = indices(shape).map((index) =>
            flatIndex(
              shape,
              index.map((i, axis) => (axes.includes(axis) ? shape[axis]! - 1 - i : i)),
            ),
          );
          expect(values(y)).toEqual(expected);
          expect(values(flip(y, axes))).toEqual(values(x));
          // Views with negative strides feed other ops correctly.
          expect(values(y.add(0))).toEqual(expected);
        },
      ),
      RUNS,
    );
    expect(values(flip(iota([3])))).toEqual([2, 1, 0]);
  });

  it('tile repeats like numpy.tile, with reps shorter or longer than the rank', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(1, 3, 3),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        (shape, reps) => {
          const x = iota(shape);
          const out = tile(x, reps);
          const rank = Math.max(shape.length, reps.length);
          const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
          const fullReps = [...new Array<number>(rank - reps.length).fill(1), ...reps];
          expect(out.shape).toEqual(padded.map((d, axis) => d * fullReps[axis]!));
          const expected = indices(out.shape).map((index) =>
            flatIndex(
              padded,
              index.map((i, axis) => i % padded[axis]!),
            ),
          );
          expect(values(out)).toEqual(expected);
        },
      ),
      RUNS,
    );
    expect(tensor([1, 2]).tile([2]).toArray()).toEqual([1, 2, 1, 2]);
  });
});
