import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exponentialDecay } from './exponential-decay.js';
import { loadTorchScheduleFixtures, torchCase, worstRelativeError } from './test-support/torch-schedule-fixtures.js';

const fixtures = loadTorchScheduleFixtures();

describe('exponentialDecay', () => {
  it('decays by decayRate every transitionSteps steps, continuously or as a staircase', () => {
    const smooth = exponentialDecay({ init: 2, decayRate: 0.25, transitionSteps: 4 });
    expect(smooth(0)).toBe(2);
    expect(smooth(2)).toBe(1); // 2 · 0.25^(1/2)
    expect(smooth(4)).toBe(0.5);
    const staircase = exponentialDecay({ init: 2, decayRate: 0.25, transitionSteps: 4, staircase: true });
    expect([0, 3, 4, 7, 8].map(staircase)).toEqual([2, 2, 0.5, 0.5, 0.125]);
  });

  it('starts decaying at transitionBegin and respects the end bound', () => {
    const schedule = exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 1, transitionBegin: 3, end: 0.2 });
    expect([0, 3, 4, 5, 6, 50].map(schedule)).toEqual([1, 1, 0.5, 0.25, 0.2, 0.2]);
    const growth = exponentialDecay({ init: 1, decayRate: 2, transitionSteps: 1, end: 5 });
    expect([0, 1, 2, 3, 10].map(growth)).toEqual([1, 2, 4, 5, 5]);
  });

  it('matches torch ExponentialLR within 1e-12 relative error', () => {
    const { kwargs, lrs } = torchCase(fixtures.cases, 'exponential-lr');
    const schedule = exponentialDecay({ init: fixtures.baseLr, decayRate: Number(kwargs.gamma), transitionSteps: 1 });
    expect(worstRelativeError(schedule, lrs).error).toBeLessThanOrEqual(1e-12);
  });

  it('matches torch StepLR as a staircase within 1e-12 relative error', () => {
    const { kwargs, lrs } = torchCase(fixtures.cases, 'step-lr');
    const schedule = exponentialDecay({
      init: fixtures.baseLr,
      decayRate: Number(kwargs.gamma),
      transitionSteps: Number(kwargs.step_size),
      staircase: true,
    });
    expect(worstRelativeError(schedule, lrs).error).toBeLessThanOrEqual(1e-12);
  });

  it('is monotonic in the direction of decayRate, bounded by end, and above the staircase when decaying', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (init, decayRate, transitionSteps, step, endFraction) => {
          const end = decayRate < 1 ? init * endFraction : init * (1 + 10 * endFraction);
          const schedule = exponentialDecay({ init, decayRate, transitionSteps, end });
          const value = schedule(step);
          if (decayRate < 1) {
            expect(schedule(step + 1)).toBeLessThanOrEqual(value);
            expect(value).toBeGreaterThanOrEqual(end);
            const staircase = exponentialDecay({ init, decayRate, transitionSteps, staircase: true });
            expect(staircase(step)).toBeGreaterThanOrEqual(
              exponentialDecay({ init, decayRate, transitionSteps })(step),
            );
          } else {
            expect(schedule(step + 1)).toBeGreaterThanOrEqual(value);
            expect(value).toBeLessThanOrEqual(end);
          }
        },
      ),
    );
  });

  it('rejects bad arguments with the schedule and argument named', () => {
    expect(() => exponentialDecay({ init: 1, decayRate: 0, transitionSteps: 1 })).toThrow(
      "exponentialDecay: 'decayRate' must be a finite number greater than 0, got 0",
    );
    expect(() => exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 2.5 })).toThrow(
      "exponentialDecay: 'transitionSteps' must be a positive integer, got 2.5",
    );
    expect(() => exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 1, end: Number.NaN })).toThrow(
      "exponentialDecay: 'end' must be a finite number, got NaN",
    );
    expect(() =>
      exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 1, staircase: 'yes' as unknown as boolean }),
    ).toThrow('exponentialDecay: \'staircase\' must be a boolean, got "yes"');
  });
});
