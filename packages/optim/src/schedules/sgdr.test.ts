import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sgdr } from './sgdr.js';
import { loadTorchScheduleFixtures, torchCase, worstRelativeError } from './test-support/torch-schedule-fixtures.js';

const fixtures = loadTorchScheduleFixtures();

describe('sgdr', () => {
  it('matches torch CosineAnnealingWarmRestarts within 1e-12 relative error', () => {
    for (const name of ['cosine-annealing-warm-restarts', 'cosine-annealing-warm-restarts-constant-period']) {
      const { kwargs, lrs } = torchCase(fixtures.cases, name);
      const schedule = sgdr({
        init: fixtures.baseLr,
        period: Number(kwargs.T_0),
        periodMultiplier: Number(kwargs.T_mult),
        minLr: Number(kwargs.eta_min),
      });
      expect(worstRelativeError(schedule, lrs).error, name).toBeLessThanOrEqual(1e-12);
    }
  });

  it('restarts at the cumulative period lengths 4, 4 + 12, 4 + 12 + 36 for multiplier 3', () => {
    const schedule = sgdr({ init: 1, period: 4, periodMultiplier: 3, minLr: 0.5 });
    for (const restart of [0, 4, 16, 52]) expect(schedule(restart)).toBe(1);
    // Half-way through the 12-step period starting at 4: 0.5 + 0.5 · ½(1 + cos(π/2)).
    expect(schedule(10)).toBeCloseTo(0.75, 15);
    expect(schedule(15)).toBeCloseTo(0.5 + 0.25 * (1 + Math.cos((Math.PI * 11) / 12)), 15);
  });

  it('stays within [minLr, init] and decreases inside each period', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2000 }),
        (minLr, gap, period, periodMultiplier, step) => {
          const init = minLr + gap;
          const schedule = sgdr({ init, period, periodMultiplier, minLr });
          const value = schedule(step);
          expect(value).toBeGreaterThanOrEqual(minLr - 1e-12);
          expect(value).toBeLessThanOrEqual(init + 1e-12);
          const next = schedule(step + 1);
          // Either a restart (back to init) or a further decrease within the period.
          if (next !== init) expect(next).toBeLessThanOrEqual(value + 1e-12);
        },
      ),
    );
  });

  it('rejects bad arguments with the schedule and argument named', () => {
    expect(() => sgdr({ init: 0.1, period: 0 })).toThrow("sgdr: 'period' must be a positive integer, got 0");
    expect(() => sgdr({ init: 0.1, period: 5, periodMultiplier: 1.5 })).toThrow(
      "sgdr: 'periodMultiplier' must be a positive integer, got 1.5",
    );
    expect(() => sgdr({ init: 0.1, period: 5, minLr: Number.NEGATIVE_INFINITY })).toThrow(
      "sgdr: 'minLr' must be a finite number, got -Infinity",
    );
  });
});
