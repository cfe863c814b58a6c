import { describe, expect, it } from 'vitest';
import { crossingStep, measureSurge, nextCheckStep, type SurgeTask } from './surge-measurement.js';

const task: SurgeTask = {
  model: 'mlp',
  dataset: 'digits',
  batchSize: 16,
  learningRate: 1e-2,
  seed: 0,
  targetLoss: 1.0,
  betas: [0.9, 0.999],
  maxExamples: 20_000,
  evaluationExamples: 256,
  noiseMicroBatchSize: 16,
  noiseMicroBatches: 4,
  noiseMeasurements: 4,
  trainLimit: 512,
};

describe('surge measurement', () => {
  it('checks the loss every 256 examples at first, then every 3% of the steps', () => {
    expect(nextCheckStep(0, 32)).toBe(8);
    expect(nextCheckStep(0, 1024)).toBe(1);
    expect(nextCheckStep(100, 32)).toBe(108);
    expect(nextCheckStep(1000, 32)).toBe(1030);
  });

  it('interpolates the crossing of the target between two checks', () => {
    expect(crossingStep({ previousStep: 10, previousLoss: 1.0, step: 20, loss: 0.5, target: 0.75 })).toBe(15);
    expect(crossingStep({ previousStep: 10, previousLoss: 1.0, step: 20, loss: 0.5, target: 0.5 })).toBe(20);
    // Already below the target at the previous check (cannot happen in a run, which stops there): the later step.
    expect(crossingStep({ previousStep: 10, previousLoss: 0.4, step: 20, loss: 0.3, target: 0.5 })).toBe(20);
  });

  it('counts steps and examples to the target and measures B_simple there, the same on a second run', () => {
    const measurement = measureSurge(task);
    expect(measurement.diverged).toBe(false);
    expect(measurement.steps).toBeGreaterThan(1);
    expect(measurement.examples).toBe(measurement.steps! * 16);
    expect(measurement.finalLoss).toBeLessThanOrEqual(1.0);
    expect(measurement.noise!.bSimple).toBeGreaterThan(0);
    expect(Number.isFinite(measurement.noise!.bSimple)).toBe(true);
    expect(measureSurge(task)).toEqual(measurement);
  }, 60_000);

  it('stops a run that diverges, and one that runs out of examples, without steps or a noise measurement', () => {
    const diverged = measureSurge({ ...task, learningRate: 50 });
    expect(diverged.diverged).toBe(true);
    expect(diverged.steps).toBeUndefined();
    expect(diverged.noise).toBeUndefined();
    const slow = measureSurge({ ...task, learningRate: 1e-7, maxExamples: 512 });
    expect(slow).toMatchObject({ diverged: false, checks: 3 });
    expect(slow.steps).toBeUndefined();
  }, 60_000);
});
