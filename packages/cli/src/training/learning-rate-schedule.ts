/**
 * The learning-rate schedule a run can carry: a linear warm-up followed by stepwise
 * exponential decay, in epochs (the grafting paper's schedule, Agarwal et al. 2020). It is a
 * scale on every learning rate of the run's optimizer expression, so the rates written in the
 * expression (and the grid's `lr`) are the peak rates.
 */
import { warmupExponentialDecay, type Schedule } from '@vane/optim';

/** Linear warm-up from 0 over `warmupEpochs`, then × `decayRate` every `decayEveryEpochs` (staircase). */
export interface WarmupStepDecay {
  /** Epochs of linear warm-up from 0 to the peak (0: none). */
  warmupEpochs: number;
  /** The rate is multiplied by `decayRate` after every this many epochs past the warm-up. */
  decayEveryEpochs: number;
  /** The factor of each decay step, in (0, 1]. */
  decayRate: number;
}

/**
 * The schedule's scale at each optimizer step: 0 → 1 linearly over the warm-up, then
 * `decayRate`^⌊(t − warm-up) / decay interval⌋.
 *
 * @example
 * const scale = learningRateScale({ warmupEpochs: 1, decayEveryEpochs: 2, decayRate: 0.5 }, 100);
 * scale(50); // 0.5 (half-way through the warm-up)
 * scale(300); // 0.5 (one decay step after the warm-up)
 */
export function learningRateScale(schedule: WarmupStepDecay, stepsPerEpoch: number): Schedule {
  return warmupExponentialDecay({
    init: 0,
    peak: 1,
    warmupSteps: Math.round(schedule.warmupEpochs * stepsPerEpoch),
    transitionSteps: Math.max(1, Math.round(schedule.decayEveryEpochs * stepsPerEpoch)),
    decayRate: schedule.decayRate,
    staircase: true,
  });
}

/** A one-line description, for tables and logs. */
export function describeSchedule(schedule: WarmupStepDecay): string {
  return `linear warm-up over ${schedule.warmupEpochs} epoch(s), then ×${schedule.decayRate} every ${schedule.decayEveryEpochs} epoch(s)`;
}
