import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant } from './constant.js';
import { joinSchedules } from './join-schedules.js';
import { linear } from './polynomial.js';
import type { Schedule } from './schedule.js';

describe('joinSchedules', () => {
  it('hands over at each boundary and restarts the later schedule at step 0', () => {
    const identity: Schedule = (step) => step;
    const schedule = joinSchedules([identity, identity, identity], [3, 10]);
    expect([0, 2, 3, 4, 9, 10, 15].map(schedule)).toEqual([0, 2, 0, 1, 6, 0, 5]);
  });

  it('lets the later schedule win at equal boundaries', () => {
    const schedule = joinSchedules([constant(1), constant(2), constant(3)], [4, 4]);
    expect([3, 4, 5].map(schedule)).toEqual([1, 3, 3]);
  });

  it('equals the piece selected by the last boundary at or before the step', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 120 }),
        (unsorted, step) => {
          const boundaries = [...unsorted].sort((left, right) => left - right);
          const pieces = [0, ...boundaries].map(
            (offset, index): Schedule =>
              (local) =>
                index * 1000 + local,
          );
          const schedule = joinSchedules(pieces, boundaries);
          let index = 0;
          while (index < boundaries.length && boundaries[index] <= step) index += 1;
          const start = index === 0 ? 0 : boundaries[index - 1];
          expect(schedule(step)).toBe(index * 1000 + (step - start));
        },
      ),
    );
  });

  it('builds warm-up then decay from simple schedules', () => {
    const schedule = joinSchedules(
      [linear({ init: 0, end: 1, transitionSteps: 2 }), linear({ init: 1, end: 0, transitionSteps: 4 })],
      [2],
    );
    expect([0, 1, 2, 3, 6].map(schedule)).toEqual([0, 0.5, 1, 0.75, 0]);
  });

  it('rejects mismatched or bad boundaries', () => {
    expect(() => joinSchedules([constant(1), constant(2)], [])).toThrow(
      "joinSchedules: 'boundaries' must be an array with one entry fewer than 'schedules' (1), got []",
    );
    expect(() => joinSchedules([constant(1), constant(2), constant(3)], [5, 2])).toThrow(
      "joinSchedules: 'boundaries' must be non-decreasing, got [5, 2]",
    );
    expect(() => joinSchedules([constant(1), constant(2)], [-1])).toThrow(
      "joinSchedules: 'boundaries[0]' must be a non-negative integer, got -1",
    );
    expect(() => joinSchedules([], [])).toThrow(
      "joinSchedules: 'schedules' must be a non-empty array of schedules, got []",
    );
    expect(() => joinSchedules([constant(1), 3 as unknown as Schedule], [1])).toThrow(
      "joinSchedules: 'schedules[1]' must be a function, got 3",
    );
  });
});
