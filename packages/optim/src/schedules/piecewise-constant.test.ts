import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { piecewiseConstant } from './piecewise-constant.js';
import { loadTorchScheduleFixtures, torchCase, worstRelativeError } from './test-support/torch-schedule-fixtures.js';

const fixtures = loadTorchScheduleFixtures();

describe('piecewiseConstant', () => {
  it('multiplies init by every scale whose boundary has been reached', () => {
    const schedule = piecewiseConstant({ init: 8, boundariesAndScales: { 3: 0.5, 6: 0.25, 1: 2 } });
    expect([0, 1, 2, 3, 5, 6, 100].map(schedule)).toEqual([8, 16, 16, 8, 8, 2, 2]);
  });

  it('accepts [step, scale] pairs in any order, with the same result as the record form', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 3, noNaN: true })), {
          selector: ([boundary]) => boundary,
          maxLength: 6,
        }),
        fc.integer({ min: 0, max: 60 }),
        (pairs, step) => {
          const fromPairs = piecewiseConstant({ init: 1.5, boundariesAndScales: pairs });
          const fromRecord = piecewiseConstant({ init: 1.5, boundariesAndScales: Object.fromEntries(pairs) });
          expect(fromPairs(step)).toBe(fromRecord(step));
          // Closed form: the product of the reached scales, in increasing boundary order.
          const expected = [...pairs]
            .sort((left, right) => left[0] - right[0])
            .filter(([boundary]) => boundary <= step)
            .reduce((value, [, scale]) => value * scale, 1.5);
          expect(fromPairs(step)).toBe(expected);
        },
      ),
    );
  });

  it('is constant between boundaries and non-increasing when every scale is at most 1', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.integer({ min: 0, max: 40 }).map(String), fc.double({ min: 0, max: 1, noNaN: true }), {
          maxKeys: 5,
        }),
        fc.integer({ min: 0, max: 50 }),
        (boundariesAndScales, step) => {
          const schedule = piecewiseConstant({ init: 1, boundariesAndScales });
          const next = schedule(step + 1);
          expect(next).toBeLessThanOrEqual(schedule(step));
          if (!(String(step + 1) in boundariesAndScales)) expect(next).toBe(schedule(step));
        },
      ),
    );
  });

  it('reproduces torch StepLR with a scale of gamma at every multiple of step_size', () => {
    const { kwargs, lrs } = torchCase(fixtures.cases, 'step-lr');
    const stepSize = Number(kwargs.step_size);
    const boundariesAndScales: [number, number][] = [];
    for (let boundary = stepSize; boundary < lrs.length; boundary += stepSize) {
      boundariesAndScales.push([boundary, Number(kwargs.gamma)]);
    }
    const schedule = piecewiseConstant({ init: fixtures.baseLr, boundariesAndScales });
    expect(worstRelativeError(schedule, lrs).error).toBeLessThanOrEqual(1e-12);
  });

  it('rejects bad boundaries and scales with the schedule and argument named', () => {
    expect(() => piecewiseConstant({ init: 1, boundariesAndScales: { 5: -1 } })).toThrow(
      "piecewiseConstant: 'boundariesAndScales' scales must be finite numbers greater than or equal to 0, got -1 at step 5",
    );
    expect(() => piecewiseConstant({ init: 1, boundariesAndScales: [[-2, 0.5]] })).toThrow(
      "piecewiseConstant: 'boundariesAndScales' steps must be non-negative integers, got -2",
    );
    expect(() => piecewiseConstant({ init: 1, boundariesAndScales: { x: 0.5 } as never })).toThrow(
      "piecewiseConstant: 'boundariesAndScales' steps must be non-negative integers, got NaN",
    );
    expect(() =>
      piecewiseConstant({
        init: 1,
        boundariesAndScales: [
          [3, 0.5],
          [3, 0.1],
        ],
      }),
    ).toThrow("piecewiseConstant: 'boundariesAndScales' steps must be unique, got 3 twice");
  });
});
