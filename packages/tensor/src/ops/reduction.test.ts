import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  all,
  any,
  argmax,
  argmin,
  cumsum,
  logsumexp,
  max,
  mean,
  min,
  norm,
  permute,
  prod,
  std,
  sum,
  tensor,
  variance,
  zeros,
  type Tensor,
} from '../index.js';
import {
  expectClose,
  fixtures,
  fromFixture,
  indices,
  numbers,
  product,
  RUNS,
  shapedExact,
  values,
} from '../../test/helpers.js';

/** A naive reduction: fold every element into the bucket of its index with `axes` dropped. */
function naiveReduce(
  data: readonly number[],
  shape: readonly number[],
  axes: readonly number[],
  initial: number,
  fold: (accumulator: number, value: number) => number,
): number[] {
  const kept = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const outShape = kept.map((axis) => shape[axis]!);
  const out = new Array<number>(product(outShape)).fill(initial);
  indices(shape).forEach((index, flat) => {
    let target = 0;
    for (const axis of kept) target = target * shape[axis]! + index[axis]!;
    out[target] = fold(out[target]!, data[flat]!);
  });
  return out;
}

/** A random tensor with a random subset of its axes (possibly none given: all axes). */
const reductionCase = shapedExact(1, 4, 4).chain(({ shape, data }) =>
  fc.tuple(
    fc.constant(shape),
    fc.constant(data),
    fc.subarray(
      shape.map((_, axis) => axis),
      { minLength: 1 },
    ),
    fc.boolean(),
    fc.boolean(),
  ),
);

const REDUCTIONS: [
  string,
  (x: Tensor, axes: number[], keepdims: boolean) => Tensor,
  number,
  (a: number, v: number) => number,
][] = [
  ['sum', (x, axes, keepdims) => sum(x, axes, keepdims), 0, (a, v) => a + v],
  ['prod', (x, axes, keepdims) => prod(x, axes, { keepdims }), 1, (a, v) => a * v],
  ['max', (x, axes, keepdims) => max(x, axes, keepdims), -Infinity, Math.max],
  ['min', (x, axes, keepdims) => min(x, axes, keepdims), Infinity, Math.min],
];

describe('reductions against naive loops', () => {
  for (const [name, reduce, initial, fold] of REDUCTIONS) {
    it(`${name} over random axes, keepdims or not, contiguous or transposed`, () => {
      fc.assert(
        fc.property(reductionCase, ([shape, data, axes, keepdims, transposed]) => {
          let x = tensor(data, { shape, dtype: 'float64' });
          const axisList = axes;
          let referenceShape = shape;
          let referenceData = data;
          if (transposed) {
            // Reduce a reversed-axes view: same numbers, strided layout.
            const reversed = shape.map((_, axis) => shape.length - 1 - axis);
            x = permute(x, reversed);
            referenceShape = reversed.map((axis) => shape[axis]!);
            referenceData = indices(referenceShape).map((index) => {
              const original = reversed.map(() => 0);
              reversed.forEach((source, axis) => (original[source] = index[axis]!));
              let flat = 0;
              for (let axis = 0; axis < shape.length; axis++) flat = flat * shape[axis]! + original[axis]!;
              return data[flat]!;
            });
          }
          const out = reduce(x, axisList, keepdims);
          const expectedShape = referenceShape.flatMap((d, axis) =>
            axisList.includes(axis) ? (keepdims ? [1] : []) : [d],
          );
          expect(out.shape).toEqual(expectedShape);
          const expected = naiveReduce(referenceData, referenceShape, axisList, initial, fold);
          expectClose(out, expected, { rtol: 1e-12, atol: 1e-12 }, name);
        }),
        RUNS,
      );
    });
  }

  it('sum and mean over all axes by default, and negative axes count from the end', () => {
    fc.assert(
      fc.property(shapedExact(1, 4, 5), ({ shape, data }) => {
        const x = tensor(data, { shape });
        const total = data.reduce((a, b) => a + b, 0);
        expect(sum(x).shape).toEqual([]);
        expect(sum(x).item()).toBe(total);
        expectClose(mean(x), [total / data.length], { rtol: 1e-6, atol: 1e-6 });
        expect(values(sum(x, -1))).toEqual(values(sum(x, shape.length - 1)));
      }),
      RUNS,
    );
  });

  it('all and any against naive loops; result is bool', () => {
    fc.assert(
      fc.property(reductionCase, ([shape, data, axes, keepdims]) => {
        const x = tensor(
          data.map((v) => (v > 4 ? 0 : v)),
          { shape },
        );
        const raw = values(x);
        const allOut = all(x, axes, keepdims);
        const anyOut = any(x, axes, keepdims);
        expect(allOut.dtype).toBe('bool');
        expect(values(allOut)).toEqual(naiveReduce(raw, shape, axes, 1, (a, v) => (a && v !== 0 ? 1 : 0)));
        expect(values(anyOut)).toEqual(naiveReduce(raw, shape, axes, 0, (a, v) => (a || v !== 0 ? 1 : 0)));
      }),
      RUNS,
    );
  });

  it('float32 sums accumulate accurately (a million 0.1s)', () => {
    const x = tensor(new Float32Array(1_000_000).fill(0.1));
    // Naive float32 accumulation would drift by ~1%; the float64 accumulator stays within 1e-6.
    expect(Math.abs(sum(x).item() - 1e5 * Math.fround(0.1) * 10) / 1e5).toBeLessThan(1e-6);
  });

  it('result dtypes: int32 sums stay int32, bool sums count, means are float', () => {
    const ints = tensor([1, 2, 3], { dtype: 'int32' });
    expect(sum(ints).dtype).toBe('int32');
    expect(sum(tensor([true, true, false])).item()).toBe(2);
    expect(sum(tensor([true, true, false])).dtype).toBe('int32');
    expect(mean(ints).dtype).toBe('float32');
    expect(mean(ints).item()).toBe(2);
    expect(max(ints).dtype).toBe('int32');
  });

  it('empty reductions: sum is 0, prod is 1, max throws', () => {
    const empty = zeros([0, 3]);
    expect(values(sum(empty, 0))).toEqual([0, 0, 0]);
    expect(values(prod(empty, 0))).toEqual([1, 1, 1]);
    expect(() => max(empty, 0)).toThrow(/max: cannot reduce an empty axis/);
  });

  it('max and min propagate NaN', () => {
    const x = tensor([
      [1, Number.NaN, 3],
      [4, 5, 6],
    ]);
    expect(values(max(x, 1)).map(String)).toEqual(['NaN', '6']);
    expect(values(min(x, 1)).map(String)).toEqual(['NaN', '4']);
  });

  it('reduction methods exist on Tensor and agree with the functions', () => {
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    );
    expect(values(x.sum(0))).toEqual([4, 6]);
    expect(values(x.mean(1))).toEqual([1.5, 3.5]);
    expect(values(x.max(0, true))).toEqual([3, 4]);
    expect(x.max(0, true).shape).toEqual([1, 2]);
    expect(x.prod().item()).toBe(24);
    expect(x.min().item()).toBe(1);
    expect(values(x.argmax(1))).toEqual([1, 1]);
    expect(values(x.argmin(0))).toEqual([0, 0]);
    expect(values(x.cumsum(1))).toEqual([1, 3, 3, 7]);
    expect(x.norm(1).item()).toBe(10);
    expect(x.variance(undefined, { correction: 0 }).item()).toBe(1.25);
    expect(x.std(undefined, { correction: 0 }).item()).toBe(Math.sqrt(1.25));
    expect(x.logsumexp().item()).toBeCloseTo(Math.log(Math.E + Math.E ** 2 + Math.E ** 3 + Math.E ** 4), 12);
    expect(x.all().item()).toBe(1);
    expect(x.any().item()).toBe(1);
  });
});

describe('argmax and argmin', () => {
  it('return the first occurrence of ties, as NumPy (and torch on CPU)', () => {
    const section = fixtures.reductions.arg;
    const x = fromFixture(section.x);
    expect(values(argmax(x, 0))).toEqual(numbers(section.argmaxAxis0));
    expect(values(argmax(x, 1))).toEqual(numbers(section.argmaxAxis1));
    expect(values(argmax(x, 1))).toEqual(numbers(section.torchArgmaxAxis1));
    expect(values(argmin(x, 0))).toEqual(numbers(section.argminAxis0));
    expect(values(argmin(x, 1))).toEqual(numbers(section.argminAxis1));
    expect(argmax(x).item()).toBe(section.argmaxAll);
    expect(argmin(x).item()).toBe(section.argminAll);
    expect(argmax(x).dtype).toBe('int32');
    expect(argmax(x, 1, true).shape).toEqual([3, 1]);
    expect(argmax(x, undefined, true).shape).toEqual([1, 1]);
  });

  it('agree with a naive first-occurrence scan along any axis', () => {
    fc.assert(
      fc.property(
        shapedExact(1, 3, 4).chain(({ shape, data }) =>
          fc.tuple(fc.constant(shape), fc.constant(data), fc.integer({ min: 0, max: shape.length - 1 })),
        ),
        ([shape, data, axis]) => {
          // Coarse values make ties frequent.
          const coarse = data.map((v) => Math.round(v / 4));
          const x = tensor(coarse, { shape });
          const outShape = shape.filter((_, a) => a !== axis);
          const expectedMax = indices(outShape).map((outIndex) => {
            let best = -Infinity;
            let bestAt = -1;
            for (let i = 0; i < shape[axis]!; i++) {
              const index = [...outIndex.slice(0, axis), i, ...outIndex.slice(axis)];
              let flat = 0;
              for (let a = 0; a < shape.length; a++) flat = flat * shape[a]! + index[a]!;
              if (coarse[flat]! > best) {
                best = coarse[flat]!;
                bestAt = i;
              }
            }
            return bestAt;
          });
          expect(values(argmax(x, axis))).toEqual(expectedMax);
          expect(values(argmin(x.neg(), axis))).toEqual(expectedMax);
        },
      ),
      RUNS,
    );
  });
});

describe('variance and std', () => {
  it('match torch.var / torch.std for corrections 0, 1, 2 over several axes (rtol 1e-12)', () => {
    const section = fixtures.reductions;
    const x = fromFixture(section.x);
    for (const c of section.variance) {
      const axis = c.axis === null ? undefined : c.axis;
      const options = { correction: c.correction, keepdims: c.keepdims };
      const label = `axis ${JSON.stringify(c.axis)} correction ${c.correction} keepdims ${c.keepdims}`;
      const v = variance(x, axis, options);
      expect(v.shape, label).toEqual(c.variance.shape);
      expectClose(v, numbers(c.variance), { rtol: 1e-12 }, `variance ${label}`);
      expectClose(std(x, axis, options), numbers(c.std), { rtol: 1e-12 }, `std ${label}`);
    }
  });

  it('default to the unbiased estimate (correction 1), as PyTorch', () => {
    expect(variance(tensor([1, 2, 3, 4], { dtype: 'float64' })).item()).toBeCloseTo(5 / 3, 14);
    expect(std(tensor([1, 2, 3, 4], { dtype: 'float64' }), 0, true).shape).toEqual([1]);
  });
});

describe('logsumexp', () => {
  it('matches torch.logsumexp for inputs near ±1e4 in float64 and float32', () => {
    const section = fixtures.reductions.logsumexp;
    const x = fromFixture(section.x);
    expectClose(logsumexp(x, 1), numbers(section.float64Axis1), { rtol: 1e-15 }, 'float64 axis 1');
    expectClose(logsumexp(x, 0), numbers(section.float64Axis0), { rtol: 1e-15 }, 'float64 axis 0');
    const single = fromFixture(section.x, 'float32');
    const out = logsumexp(single, 1);
    expect(out.dtype).toBe('float32');
    expectClose(out, numbers(section.float32Axis1), { rtol: 1e-6 }, 'float32 axis 1');
  });

  it('is shift-equivariant and finite far beyond exp overflow: lse(x + c) = lse(x) + c', () => {
    fc.assert(
      fc.property(shapedExact(1, 3, 4), fc.constantFrom(1e4, -1e4, 800, -800), ({ shape, data }, shift) => {
        const x = tensor(data, { shape, dtype: 'float64' });
        const base = values(logsumexp(x, -1));
        const moved = logsumexp(x.add(shift), -1);
        expect(values(moved).every(Number.isFinite)).toBe(true);
        expectClose(
          moved,
          base.map((v) => v + shift),
          { rtol: 1e-13, atol: 1e-9 },
        );
      }),
      RUNS,
    );
  });

  it('equals log Σ exp on moderate inputs and keeps −∞ rows at −∞', () => {
    fc.assert(
      fc.property(shapedExact(1, 3, 4), ({ shape, data }) => {
        const x = tensor(data, { shape, dtype: 'float64' });
        const expected = naiveReduce(data, shape, [shape.length - 1], 0, (a, v) => a + Math.exp(v)).map(Math.log);
        expectClose(logsumexp(x, -1), expected, { rtol: 1e-13, atol: 1e-13 });
      }),
      RUNS,
    );
    expect(
      values(
        logsumexp(
          tensor([
            [-Infinity, -Infinity],
            [0, -Infinity],
          ]),
          1,
        ),
      ),
    ).toEqual([-Infinity, 0]);
  });
});

describe('norm', () => {
  it('matches torch.linalg.vector_norm for ord 1, 2 and Infinity', () => {
    const section = fixtures.reductions.norm;
    const x = fromFixture(section.x);
    for (const [name, ord] of [
      ['1', 1],
      ['2', 2],
      ['Infinity', Infinity],
    ] as const) {
      expectClose(norm(x, ord), numbers(section[name].all), { rtol: 1e-13 }, `ord ${name} all`);
      expectClose(norm(x, ord, 1), numbers(section[name].axis1), { rtol: 1e-13 }, `ord ${name} axis 1`);
      const kept = norm(x, ord, [0, 2], true);
      expect(kept.shape).toEqual(section[name].axis02keep.shape);
      expectClose(kept, numbers(section[name].axis02keep), { rtol: 1e-13 }, `ord ${name} axes [0,2]`);
    }
    expect(norm(tensor([3, 4])).item()).toBe(5);
  });

  it('rejects other orders', () => {
    expect(() => norm(tensor([1]), 3 as 2)).toThrow(/norm: 'ord' must be 1, 2 or Infinity/);
  });
});

describe('prod, mean and cumsum against PyTorch', () => {
  it('prod over one axis and mean over two', () => {
    const section = fixtures.reductions;
    const x = fromFixture(section.x);
    expectClose(prod(x, 1), numbers(section.prodAxis1), { rtol: 1e-13 }, 'prod');
    expectClose(mean(x, [0, 2]), numbers(section.meanAxes02), { rtol: 1e-13, atol: 1e-15 }, 'mean');
  });

  it('cumsum along every axis', () => {
    const section = fixtures.reductions;
    const x = fromFixture(section.x);
    for (const c of section.cumsum) {
      const out = cumsum(x, c.axis);
      expect(out.shape).toEqual(c.out.shape);
      expectClose(out, numbers(c.out), { rtol: 1e-13, atol: 1e-14 }, `cumsum axis ${c.axis}`);
    }
  });

  it('cumsum of a strided view: its last slice is the sum, and its differences give back x', () => {
    fc.assert(
      fc.property(
        shapedExact(1, 3, 4).chain(({ shape, data }) =>
          fc.tuple(fc.constant(shape), fc.constant(data), fc.integer({ min: 0, max: shape.length - 1 })),
        ),
        ([shape, data, axis]) => {
          const x = permute(
            tensor(data, { shape }),
            shape.map((_, a) => shape.length - 1 - a),
          );
          const reversedAxis = shape.length - 1 - axis;
          const running = cumsum(x, reversedAxis);
          const last = running.slice(running.shape.map((d, a) => (a === reversedAxis ? d - 1 : null)));
          expect(values(last)).toEqual(values(sum(x, reversedAxis)));
          const previous = running.slice(running.shape.map((_, a) => (a === reversedAxis ? { stop: -1 } : null)));
          const rest = running.slice(running.shape.map((_, a) => (a === reversedAxis ? { start: 1 } : null)));
          const original = x.slice(x.shape.map((_, a) => (a === reversedAxis ? { start: 1 } : null)));
          expect(values(rest.sub(previous))).toEqual(values(original));
        },
      ),
      RUNS,
    );
  });

  it('cumsum of int32 and bool counts in int32', () => {
    expect(cumsum(tensor([true, false, true])).toArray()).toEqual([1, 1, 2]);
    expect(cumsum(tensor([true, false, true])).dtype).toBe('int32');
  });
});
