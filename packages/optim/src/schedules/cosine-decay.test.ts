import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosineDecay } from './cosine-decay.js';
import { loadTorchScheduleFixtures, torchCase, worstRelativeError } from './test-support/torch-schedule-fixtures.js';

const fixtures = loadTorchScheduleFixtures();

describe('cosineDecay', () => {
  it('follows init · ((1 − alpha) · ½(1 + cos(π t / T)) + alpha) and then holds', () => {
    const schedule = cosineDecay({ init: 2, decaySteps: 4, alpha: 0.25 });
    expect(schedule(0)).toBe(2);
    // t = 1: ½(1 + cos(π/4)) = ½ + √2/4.
    expect(schedule(1)).toBeCloseTo(2 * (0.75 * (0.5 + Math.SQRT2 / 4) + 0.25), 14);
    expect(schedule(2)).toBeCloseTo(2 * (0.75 * 0.5 + 0.25), 14);
    expect(schedule(4)).toBe(0.5);
    expect(schedule(40)).toBe(0.5);
  });

  it('raises the cosine factor to the exponent', () => {
    const schedule = cosineDecay({ init: 1, decaySteps: 2, exponent: 2 });
    expect(schedule(1)).toBeCloseTo(0.25, 15); // (½(1 + cos(π/2)))² = ¼
  });

  it('matches torch CosineAnnealingLR up to T_max within 1e-12 relative error', () => {
    for (const name of ['cosine-annealing-lr', 'cosine-annealing-lr-full']) {
      const { kwargs, lrs } = torchCase(fixtures.cases, name);
      const decaySteps = Number(kwargs.T_max);
      const schedule = cosineDecay({
        init: fixtures.baseLr,
        decaySteps,
        alpha: Number(kwargs.eta_min) / fixtures.baseLr,
      });
      // Past T_max torch's curve rises again; this schedule holds, so compare t ≤ T_max only.
      const steps = lrs.map((_, step) => step).filter((step) => step <= decaySteps);
      expect(worstRelativeError(schedule, lrs, steps).error, name).toBeLessThanOrEqual(1e-12);
    }
  });

  it('is non-increasing and stays within [alpha · init, init] for alpha ≤ 1', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.1, max: 4, noNaN: true }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 150 }),
        (init, alpha, exponent, decaySteps, step) => {
          const schedule = cosineDecay({ init, decaySteps, alpha, exponent });
          const value = schedule(step);
          expect(schedule(step + 1)).toBeLessThanOrEqual(value + 1e-15);
          expect(value).toBeLessThanOrEqual(init * (1 + 1e-15));
          expect(value).toBeGreaterThanOrEqual(alpha * init * (1 - 1e-15));
        },
      ),
    );
  });

  it('rejects bad arguments with the schedule and argument named', () => {
    expect(() => cosineDecay({ init: 1, decaySteps: -3 })).toThrow(
      "cosineDecay: 'decaySteps' must be a positive integer, got -3",
    );
    expect(() => cosineDecay({ init: 1, decaySteps: 3, exponent: -1 })).toThrow(
      "cosineDecay: 'exponent' must be a finite number greater than 0, got -1",
    );
    expect(() => cosineDecay({ init: 1, decaySteps: 3, decay_steps: 3 } as never)).toThrow(
      "cosineDecay: unknown option 'decay_steps'; expected one of 'init', 'decaySteps', 'alpha', 'exponent'",
    );
  });
});
