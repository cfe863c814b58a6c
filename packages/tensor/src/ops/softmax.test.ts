import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exp, logSoftmax, softmax, sum, tensor } from '../index.js';
import {
  doubleValues,
  expectClose,
  fixtures,
  fromFixture,
  numbers,
  product,
  RUNS,
  shapeArbitrary,
  values,
} from '../../test/helpers.js';

/** A random tensor (values up to ±scale) with one of its axes. */
const softmaxCase = (scale: number) =>
  shapeArbitrary(1, 4, 5).chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      doubleValues(product(shape), scale),
      fc.integer({ min: -shape.length, max: shape.length - 1 }),
    ),
  );

describe('softmax and logSoftmax', () => {
  it('match torch.softmax / torch.log_softmax along every axis (float64 rtol 1e-13)', () => {
    const section = fixtures.softmax;
    const x = fromFixture(section.x);
    for (const c of section.cases) {
      expectClose(softmax(x, c.axis), numbers(c.softmax), { rtol: 1e-13, atol: 1e-300 }, `softmax axis ${c.axis}`);
      expectClose(
        logSoftmax(x, c.axis),
        numbers(c.logSoftmax),
        { rtol: 1e-13, atol: 1e-12 },
        `logSoftmax axis ${c.axis}`,
      );
    }
  });

  it('match PyTorch in float32 (softmax atol 1e-7 rtol 1e-5; logSoftmax rtol 1e-5 atol 1e-4)', () => {
    const section = fixtures.softmax;
    const x = fromFixture(section.x, 'float32');
    for (const c of section.cases) {
      const s = softmax(x, c.axis);
      expect(s.dtype).toBe('float32');
      expectClose(s, numbers(c.softmaxFloat32), { rtol: 1e-5, atol: 1e-7 }, `softmax axis ${c.axis}`);
      // Entries near −2000 carry float32 rounding of order 1e-4 in both implementations.
      expectClose(
        logSoftmax(x, c.axis),
        numbers(c.logSoftmaxFloat32),
        { rtol: 1e-5, atol: 1e-4 },
        `logSoftmax axis ${c.axis}`,
      );
    }
  });

  it('softmax rows sum to 1 and lie in [0, 1], even for inputs up to ±1e4', () => {
    fc.assert(
      fc.property(softmaxCase(1e4), ([shape, data, axis]) => {
        for (const dtype of ['float64', 'float32'] as const) {
          const s = softmax(tensor(data, { shape, dtype }), axis);
          expect(s.shape).toEqual(shape);
          const probabilities = values(s);
          expect(probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
          const totals = values(sum(s, axis));
          expectClose(
            totals,
            totals.map(() => 1),
            { rtol: 0, atol: dtype === 'float64' ? 1e-12 : 1e-5 },
            dtype,
          );
        }
      }),
      RUNS,
    );
  });

  it('logSoftmax is log ∘ softmax where softmax does not underflow, and exp of it sums to 1', () => {
    fc.assert(
      fc.property(softmaxCase(20), ([shape, data, axis]) => {
        const x = tensor(data, { shape, dtype: 'float64' });
        const log = values(logSoftmax(x, axis));
        expectClose(log, values(softmax(x, axis)).map(Math.log), { rtol: 1e-10, atol: 1e-12 });
        const totals = values(sum(exp(logSoftmax(x, axis)), axis));
        expectClose(
          totals,
          totals.map(() => 1),
          { rtol: 0, atol: 1e-12 },
        );
      }),
      RUNS,
    );
  });

  it('are shift-invariant along the axis: softmax(x + c) = softmax(x)', () => {
    fc.assert(
      fc.property(softmaxCase(10), fc.constantFrom(-1e4, 1e4, 700), ([shape, data, axis], shift) => {
        const x = tensor(data, { shape, dtype: 'float64' });
        expectClose(softmax(x.add(shift), axis), values(softmax(x, axis)), { rtol: 1e-8, atol: 1e-14 });
        expectClose(logSoftmax(x.add(shift), axis), values(logSoftmax(x, axis)), { rtol: 1e-8, atol: 1e-8 });
      }),
      RUNS,
    );
  });

  it('default to the last axis, handle −∞ entries, and exist as methods', () => {
    const x = tensor(
      [
        [0, -Infinity],
        [1, 1],
      ],
      { dtype: 'float64' },
    );
    expect(values(softmax(x))).toEqual([1, 0, 0.5, 0.5]);
    expect(values(logSoftmax(x))).toEqual([0, -Infinity, -Math.LN2, -Math.LN2]);
    expect(values(x.softmax(0))).toEqual(values(softmax(x, 0)));
    expect(values(x.logSoftmax(-1))).toEqual(values(logSoftmax(x, 1)));
  });
});
