import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oneCycle } from './one-cycle.js';
import { loadTorchScheduleFixtures, torchCase, worstRelativeError } from './test-support/torch-schedule-fixtures.js';

const fixtures = loadTorchScheduleFixtures();

describe('oneCycle', () => {
  it('matches torch OneCycleLR (cos, linear, custom factors) within 1e-12 relative error', () => {
    for (const name of ['one-cycle-lr-cos', 'one-cycle-lr-linear', 'one-cycle-lr-cos-custom']) {
      const { kwargs, lrs } = torchCase(fixtures.cases, name);
      const schedule = oneCycle({
        maxLr: Number(kwargs.max_lr),
        totalSteps: Number(kwargs.total_steps),
        pctStart: kwargs.pct_start === undefined ? undefined : Number(kwargs.pct_start),
        divFactor: kwargs.div_factor === undefined ? undefined : Number(kwargs.div_factor),
        finalDivFactor: kwargs.final_div_factor === undefined ? undefined : Number(kwargs.final_div_factor),
        annealStrategy: kwargs.anneal_strategy as 'cos' | 'linear',
      });
      expect(worstRelativeError(schedule, lrs).error, name).toBeLessThanOrEqual(1e-12);
    }
  });

  it('hits the closed-form endpoints: maxLr/div, maxLr at pctStart·N − 1, maxLr/(div·finalDiv) at N − 1', () => {
    const schedule = oneCycle({
      maxLr: 1,
      totalSteps: 11,
      pctStart: 0.5,
      divFactor: 4,
      finalDivFactor: 5,
      annealStrategy: 'linear',
    });
    // Warm-up ends at 0.5 · 11 − 1 = 4.5, so step 4 is 4/4.5 of the way from 0.25 to 1.
    expect(schedule(0)).toBe(0.25);
    expect(schedule(4)).toBeCloseTo(0.25 + 0.75 * (4 / 4.5), 15);
    expect(schedule(10)).toBeCloseTo(0.05, 15);
    expect(schedule(500)).toBeCloseTo(0.05, 15);
  });

  it('rises to maxLr and falls afterwards, staying within [final lr, maxLr]', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 10, noNaN: true }),
        fc.integer({ min: 4, max: 200 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.constantFrom<'cos' | 'linear'>('cos', 'linear'),
        fc.integer({ min: 0, max: 250 }),
        (maxLr, totalSteps, pctStart, annealStrategy, step) => {
          fc.pre(pctStart * totalSteps > 1 + 1e-9);
          const schedule = oneCycle({ maxLr, totalSteps, pctStart, annealStrategy });
          const warmupEnd = pctStart * totalSteps - 1;
          const value = schedule(step);
          const next = schedule(step + 1);
          const slack = maxLr * 1e-12;
          if (step + 1 <= warmupEnd) expect(next).toBeGreaterThanOrEqual(value - slack);
          if (step > warmupEnd) expect(next).toBeLessThanOrEqual(value + slack);
          expect(value).toBeLessThanOrEqual(maxLr + slack);
          expect(value).toBeGreaterThanOrEqual(maxLr / 25 / 1e4 - slack);
        },
      ),
    );
  });

  it('rejects bad arguments with the schedule and argument named', () => {
    expect(() => oneCycle({ maxLr: 0, totalSteps: 10 })).toThrow(
      "oneCycle: 'maxLr' must be a finite number greater than 0, got 0",
    );
    expect(() => oneCycle({ maxLr: 0.1, totalSteps: 10, pctStart: 1 })).toThrow(
      "oneCycle: 'pctStart' must be greater than 1 / totalSteps (0.1) and less than 1, so both phases have positive length, got 1",
    );
    expect(() => oneCycle({ maxLr: 0.1, totalSteps: 10, pctStart: 0.1 })).toThrow("oneCycle: 'pctStart'");
    expect(() => oneCycle({ maxLr: 0.1, totalSteps: 10, annealStrategy: 'cosine' as 'cos' })).toThrow(
      "oneCycle: 'annealStrategy' must be one of 'cos', 'linear', got \"cosine\"",
    );
  });
});
