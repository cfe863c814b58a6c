import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { warmupCosineDecay, warmupExponentialDecay } from './warmup.js';

describe('warmupCosineDecay', () => {
  it('rises linearly to the peak, then follows a cosine down to end', () => {
    const schedule = warmupCosineDecay({ init: 0.2, peak: 1, warmupSteps: 4, decaySteps: 8, end: 0.1 });
    expect(schedule(0)).toBe(0.2);
    expect(schedule(1)).toBeCloseTo(0.4, 15);
    expect(schedule(2)).toBeCloseTo(0.6, 15);
    expect(schedule(4)).toBe(1);
    // Decay phase of length 8 − 4 = 4: end + (peak − end) · ½(1 + cos(π · τ / 4)).
    expect(schedule(5)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.SQRT1_2), 14);
    expect(schedule(6)).toBeCloseTo(0.55, 14);
    expect(schedule(8)).toBeCloseTo(0.1, 15);
    expect(schedule(1000)).toBeCloseTo(0.1, 15);
  });

  it('defaults init and end to 0 and allows no warm-up', () => {
    const schedule = warmupCosineDecay({ peak: 2, warmupSteps: 0, decaySteps: 2 });
    expect(schedule(0)).toBe(2);
    expect(schedule(1)).toBeCloseTo(1, 15);
    expect(schedule(2)).toBe(0);
    expect(warmupCosineDecay({ peak: 2, warmupSteps: 2, decaySteps: 3 })(0)).toBe(0);
  });

  it('is non-decreasing during the warm-up, non-increasing after it, and within [min, peak]', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 120 }),
        (init, peak, end, warmupSteps, decayLength, step) => {
          const schedule = warmupCosineDecay({ init, peak, warmupSteps, decaySteps: warmupSteps + decayLength, end });
          const value = schedule(step);
          const next = schedule(step + 1);
          if (step < warmupSteps) expect(next).toBeGreaterThanOrEqual(value - 1e-12);
          else expect(next).toBeLessThanOrEqual(value + 1e-12);
          expect(value).toBeLessThanOrEqual(peak + 1e-12);
          expect(value).toBeGreaterThanOrEqual(Math.min(init, end) - 1e-12);
          expect(schedule(warmupSteps)).toBeCloseTo(peak, 12);
        },
      ),
    );
  });

  it('rejects bad arguments with the schedule and argument named', () => {
    expect(() => warmupCosineDecay({ peak: 1, warmupSteps: 10, decaySteps: 5 })).toThrow(
      "warmupCosineDecay: 'decaySteps' must be an integer greater than 'warmupSteps' (10), got 5",
    );
    expect(() => warmupCosineDecay({ peak: 1, warmupSteps: -1, decaySteps: 5 })).toThrow(
      "warmupCosineDecay: 'warmupSteps' must be a non-negative integer, got -1",
    );
    expect(() => warmupCosineDecay({ peak: 1, warmupSteps: 1, decaySteps: 5 })(-2)).toThrow(
      "warmupCosineDecay: 'step' must be a non-negative integer, got -2",
    );
  });
});

describe('warmupExponentialDecay', () => {
  it('rises linearly to the peak, then decays exponentially from it', () => {
    const schedule = warmupExponentialDecay({
      init: 0.5,
      peak: 1,
      warmupSteps: 2,
      transitionSteps: 3,
      decayRate: 0.125,
    });
    expect([0, 1, 2].map(schedule)).toEqual([0.5, 0.75, 1]);
    expect(schedule(5)).toBe(0.125);
    expect(schedule(3)).toBeCloseTo(0.5, 15); // 0.125^(1/3)
  });

  it('supports staircase decay and an end bound', () => {
    const schedule = warmupExponentialDecay({
      peak: 1,
      warmupSteps: 1,
      transitionSteps: 2,
      decayRate: 0.5,
      staircase: true,
      end: 0.3,
    });
    expect([0, 1, 2, 3, 4, 5, 100].map(schedule)).toEqual([0, 1, 1, 0.5, 0.5, 0.3, 0.3]);
  });

  it('is non-increasing after the warm-up for decayRate < 1', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: 0.05, max: 0.99, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 100 }),
        (peak, decayRate, warmupSteps, transitionSteps, offset) => {
          const schedule = warmupExponentialDecay({ peak, warmupSteps, transitionSteps, decayRate });
          const step = warmupSteps + offset;
          expect(schedule(step + 1)).toBeLessThanOrEqual(schedule(step));
          expect(schedule(step)).toBeLessThanOrEqual(peak);
        },
      ),
    );
  });

  it('rejects bad arguments with the schedule and argument named', () => {
    expect(() => warmupExponentialDecay({ peak: 1, warmupSteps: 2, transitionSteps: 0, decayRate: 0.5 })).toThrow(
      "warmupExponentialDecay: 'transitionSteps' must be a positive integer, got 0",
    );
    expect(() => warmupExponentialDecay({ peak: 1, warmupSteps: 2, transitionSteps: 1, decayRate: -0.5 })).toThrow(
      "warmupExponentialDecay: 'decayRate' must be a finite number greater than 0, got -0.5",
    );
  });
});
