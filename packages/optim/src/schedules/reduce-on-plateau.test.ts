import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reduceOnPlateau, type ReduceOnPlateauOptions } from './reduce-on-plateau.js';
import { loadTorchScheduleFixtures, relativeError } from './test-support/torch-schedule-fixtures.js';

const fixtures = loadTorchScheduleFixtures();

/** Maps torch's ReduceLROnPlateau keyword arguments to this module's option names. */
function optionsFromTorch(kwargs: Record<string, unknown>, baseLr: number): ReduceOnPlateauOptions {
  return {
    mode: kwargs.mode as 'min' | 'max' | undefined,
    factor: kwargs.factor as number | undefined,
    patience: kwargs.patience as number | undefined,
    threshold: kwargs.threshold as number | undefined,
    thresholdMode: kwargs.threshold_mode as 'rel' | 'abs' | undefined,
    cooldown: kwargs.cooldown as number | undefined,
    minLr: kwargs.min_lr === undefined ? undefined : (kwargs.min_lr as number) / baseLr,
  };
}

function withoutUndefined(options: ReduceOnPlateauOptions): ReduceOnPlateauOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

describe('reduceOnPlateau', () => {
  it('matches torch ReduceLROnPlateau (min/max, rel/abs, cooldown, min_lr, eps) within 1e-12', () => {
    expect(fixtures.plateauCases.length).toBeGreaterThanOrEqual(4);
    for (const { name, kwargs, metrics, lrs } of fixtures.plateauCases) {
      const plateau = reduceOnPlateau(withoutUndefined(optionsFromTorch(kwargs, fixtures.plateauBaseLr)));
      metrics.forEach((metric, index) => {
        const lr = fixtures.plateauBaseLr * plateau.update(metric);
        expect(relativeError(lr, lrs[index]), `${name} at update ${index}`).toBeLessThanOrEqual(1e-12);
      });
    }
  });

  it('uses torch defaults: factor 0.1 after more than 10 non-improving updates', () => {
    const plateau = reduceOnPlateau();
    plateau.update(5);
    for (let count = 0; count < 10; count += 1) expect(plateau.update(5)).toBe(1);
    expect(plateau.update(5)).toBeCloseTo(0.1, 15);
    // A relative improvement of less than 1e-4 does not count as better.
    const strict = reduceOnPlateau({ patience: 0 });
    strict.update(1);
    expect(strict.update(1 - 5e-5)).toBeCloseTo(0.1, 15);
  });

  it('never increases the scale and never goes below minLr', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 60 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.constantFrom<'min' | 'max'>('min', 'max'),
        fc.constantFrom<'rel' | 'abs'>('rel', 'abs'),
        (metrics, factor, patience, cooldown, minLr, mode, thresholdMode) => {
          const plateau = reduceOnPlateau({ factor, patience, cooldown, minLr, mode, thresholdMode });
          let previous = plateau.scale;
          for (const metric of metrics) {
            const scale = plateau.update(metric);
            expect(scale).toBeLessThanOrEqual(previous);
            expect(scale).toBeGreaterThanOrEqual(Math.min(minLr, 1));
            previous = scale;
          }
        },
      ),
    );
  });

  it('resumes from a JSON round trip of its state exactly as if never interrupted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { maxLength: 40 }),
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (before, after, patience, cooldown) => {
          const options: ReduceOnPlateauOptions = { patience, cooldown, factor: 0.5 };
          const uninterrupted = reduceOnPlateau(options);
          const original = reduceOnPlateau(options);
          for (const metric of before) {
            uninterrupted.update(metric);
            original.update(metric);
          }
          const resumed = reduceOnPlateau(options);
          resumed.fromState(JSON.parse(JSON.stringify(original.state())));
          expect(resumed.state()).toEqual(original.state());
          for (const metric of after) expect(resumed.update(metric)).toBe(uninterrupted.update(metric));
        },
      ),
    );
  });

  it('returns a copy of its state, not a live view', () => {
    const plateau = reduceOnPlateau({ patience: 0 });
    const state = plateau.state();
    state.scale = 42;
    expect(plateau.scale).toBe(1);
    expect(plateau.state()).toEqual({ scale: 1, best: null, badUpdates: 0, cooldownRemaining: 0 });
  });

  it('rejects bad options, metrics and states with the argument named', () => {
    expect(() => reduceOnPlateau({ factor: 1 })).toThrow("reduceOnPlateau: 'factor' must be a number in (0, 1), got 1");
    expect(() => reduceOnPlateau({ patience: -1 })).toThrow(
      "reduceOnPlateau: 'patience' must be a non-negative integer, got -1",
    );
    expect(() => reduceOnPlateau({ mode: 'minimum' as 'min' })).toThrow(
      "reduceOnPlateau: 'mode' must be one of 'min', 'max', got \"minimum\"",
    );
    expect(() => reduceOnPlateau().update(Number.NaN)).toThrow(
      "reduceOnPlateau.update: 'metric' must be a finite number, got NaN",
    );
    expect(() => reduceOnPlateau().fromState({ scale: 1, best: null, badUpdates: 1.5, cooldownRemaining: 0 })).toThrow(
      "reduceOnPlateau.fromState: 'badUpdates' must be a non-negative integer, got 1.5",
    );
    expect(() => reduceOnPlateau().fromState(null as never)).toThrow(
      'reduceOnPlateau.fromState: state must be an object, got null',
    );
  });
});
