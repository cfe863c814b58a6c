import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linear, polynomial } from './polynomial.js';
import { loadTorchScheduleFixtures, torchCase, worstRelativeError } from './test-support/torch-schedule-fixtures.js';

const fixtures = loadTorchScheduleFixtures();
const finiteValue = fc.double({ min: -10, max: 10, noNaN: true });

describe('linear', () => {
  it('interpolates linearly inside the transition and holds the endpoints outside', () => {
    const schedule = linear({ init: 1, end: 3, transitionSteps: 4, transitionBegin: 2 });
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map(schedule)).toEqual([1, 1, 1, 1.5, 2, 2.5, 3, 3, 3]);
  });

  it('matches torch LinearLR (warm-up and decay) within 1e-12 relative error', () => {
    for (const name of ['linear-lr-warmup', 'linear-lr-decay']) {
      const { kwargs, lrs } = torchCase(fixtures.cases, name);
      const baseLr = fixtures.baseLr;
      const schedule = linear({
        init: baseLr * Number(kwargs.start_factor),
        end: baseLr * Number(kwargs.end_factor),
        transitionSteps: Number(kwargs.total_iters),
      });
      expect(worstRelativeError(schedule, lrs).error, name).toBeLessThanOrEqual(1e-12);
    }
  });

  it('is monotonic from init towards end and stays between them', () => {
    fc.assert(
      fc.property(
        finiteValue,
        finiteValue,
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 100 }),
        (init, end, transitionSteps, transitionBegin, step) => {
          const schedule = linear({ init, end, transitionSteps, transitionBegin });
          const value = schedule(step);
          const next = schedule(step + 1);
          expect(value).toBeGreaterThanOrEqual(Math.min(init, end) - 1e-12);
          expect(value).toBeLessThanOrEqual(Math.max(init, end) + 1e-12);
          if (init >= end) expect(next).toBeLessThanOrEqual(value + 1e-12);
          else expect(next).toBeGreaterThanOrEqual(value - 1e-12);
          expect(schedule(transitionBegin)).toBe(init);
          expect(schedule(transitionBegin + transitionSteps)).toBe(end);
        },
      ),
    );
  });

  it('rejects bad arguments with the schedule and argument named', () => {
    expect(() => linear({ init: 1, end: 0, transitionSteps: 0 })).toThrow(
      "linear: 'transitionSteps' must be a positive integer, got 0",
    );
    expect(() => linear({ init: Number.NaN, end: 0, transitionSteps: 3 })).toThrow(
      "linear: 'init' must be a finite number, got NaN",
    );
    expect(() => linear({ init: 1, end: 0, transitionSteps: 3, transitionBegin: -1 })).toThrow(
      "linear: 'transitionBegin' must be a non-negative integer, got -1",
    );
    expect(() => linear({ init: 1, end: 0, transitionSteps: 3 })(-1)).toThrow(
      "linear: 'step' must be a non-negative integer, got -1",
    );
  });
});

describe('polynomial', () => {
  it('follows (init − end)(1 − t/T)^power + end', () => {
    const schedule = polynomial({ init: 2, end: 0.5, power: 3, transitionSteps: 4 });
    // (2 − 0.5) · (3/4)³ + 0.5 and (2 − 0.5) · (1/2)³ + 0.5, worked by hand.
    expect(schedule(1)).toBeCloseTo(1.5 * (27 / 64) + 0.5, 15);
    expect(schedule(2)).toBe(0.6875);
    expect(schedule(4)).toBe(0.5);
    expect(schedule(9)).toBe(0.5);
  });

  it('delays the decay by transitionBegin', () => {
    const schedule = polynomial({ init: 1, end: 0, power: 2, transitionSteps: 10, transitionBegin: 5 });
    expect(schedule(5)).toBe(1);
    expect(schedule(10)).toBe(0.25);
    expect(schedule(15)).toBe(0);
  });

  it('matches torch PolynomialLR within 1e-12 relative error', () => {
    for (const name of ['polynomial-lr', 'polynomial-lr-linear']) {
      const { kwargs, lrs } = torchCase(fixtures.cases, name);
      const schedule = polynomial({
        init: fixtures.baseLr,
        end: 0,
        power: Number(kwargs.power),
        transitionSteps: Number(kwargs.total_iters),
      });
      expect(worstRelativeError(schedule, lrs).error, name).toBeLessThanOrEqual(1e-12);
    }
  });

  it('is non-increasing and bounded for init ≥ end and any positive power', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 80 }),
        (end, gap, power, transitionSteps, step) => {
          const init = end + gap;
          const schedule = polynomial({ init, end, power, transitionSteps });
          expect(schedule(step + 1)).toBeLessThanOrEqual(schedule(step) + 1e-12);
          expect(schedule(step)).toBeGreaterThanOrEqual(end - 1e-12);
          expect(schedule(step)).toBeLessThanOrEqual(init + 1e-12);
        },
      ),
    );
  });

  it('rejects a power that is not a positive number', () => {
    expect(() => polynomial({ init: 1, end: 0, power: 0, transitionSteps: 3 })).toThrow(
      "polynomial: 'power' must be a finite number greater than 0, got 0",
    );
    expect(() => polynomial({ init: 1, end: 0, power: Number.POSITIVE_INFINITY, transitionSteps: 3 })).toThrow(
      "polynomial: 'power' must be a finite number greater than 0, got Infinity",
    );
  });
});
