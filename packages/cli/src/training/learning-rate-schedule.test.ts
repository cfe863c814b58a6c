import { describe, expect, it } from 'vitest';
import { describeSchedule, learningRateScale } from './learning-rate-schedule.js';

describe('learningRateScale (warm-up, then stepwise exponential decay, in epochs)', () => {
  it('rises linearly from 0 over the warm-up, then halves every two epochs', () => {
    // 10 steps per epoch: warm-up 0..10 (t/10), then 0.5^⌊(t − 10)/20⌋.
    const scale = learningRateScale({ warmupEpochs: 1, decayEveryEpochs: 2, decayRate: 0.5 }, 10);
    expect([0, 5, 10].map(scale)).toEqual([0, 0.5, 1]);
    expect([29, 30, 49, 50, 90].map(scale)).toEqual([1, 0.5, 0.5, 0.25, 1 / 16]);
  });

  it('allows no warm-up', () => {
    const scale = learningRateScale({ warmupEpochs: 0, decayEveryEpochs: 1, decayRate: 0.1 }, 4);
    expect([0, 3, 4, 8].map(scale).map((value) => Number(value.toPrecision(12)))).toEqual([1, 1, 0.1, 0.01]);
  });

  it('describes itself in one line', () => {
    expect(describeSchedule({ warmupEpochs: 1, decayEveryEpochs: 2, decayRate: 0.5 })).toBe(
      'linear warm-up over 1 epoch(s), then ×0.5 every 2 epoch(s)',
    );
  });
});
