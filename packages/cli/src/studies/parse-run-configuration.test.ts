import { describe, expect, it } from 'vitest';
import { GRAFT_PRESETS, graftPlan } from './graft-grid.js';
import { SWEEP_PRESETS, sweepPlan } from './learning-rate-sweep.js';
import { parseRunConfiguration } from './parse-run-configuration.js';
import { runId, type RunConfiguration } from './run-configuration.js';
import { SURGE_PRESETS, surgePlan } from './surge-scaling.js';

const training = sweepPlan(SWEEP_PRESETS.test!)[0]! as Extract<RunConfiguration, { kind: 'training' }>;
const surge = surgePlan(SURGE_PRESETS.test!)[0]! as Extract<RunConfiguration, { kind: 'surge' }>;

describe('parseRunConfiguration', () => {
  it('accepts every run of every preset of every study unchanged (same run id)', () => {
    const plans = [
      ...Object.values(SWEEP_PRESETS).map(sweepPlan),
      ...Object.values(GRAFT_PRESETS).map(graftPlan),
      ...Object.values(SURGE_PRESETS).map(surgePlan),
    ];
    for (const configuration of plans.flat()) {
      const parsed = parseRunConfiguration('test', JSON.parse(JSON.stringify(configuration)));
      expect(parsed).toEqual(configuration);
      expect(runId(parsed)).toBe(runId(configuration));
    }
  });

  it.each([
    [
      'not an object',
      'adam',
      /test: a run configuration must be an object \{ kind, spec \} or \{ kind, task \}, got "adam"/,
    ],
    ['an unknown kind', { kind: 'shell', spec: {} }, /configuration\.kind must be 'training' or 'surge', got "shell"/],
    [
      'an extra top-level key',
      { ...training, code: 'x' },
      /test: configuration: unknown option 'code'; expected one of 'kind', 'spec'/,
    ],
    [
      'an unknown spec key',
      { kind: 'training', spec: { ...training.spec, onEpoch: 'x' } },
      /test: spec: unknown option 'onEpoch'/,
    ],
    [
      'a function',
      { kind: 'training', spec: { ...training.spec, lr: () => 1 } },
      /spec\.lr must be a finite number, greater than 0, got a function/,
    ],
    [
      'a negative learning rate',
      { kind: 'training', spec: { ...training.spec, lr: -1 } },
      /spec\.lr must be a finite number, greater than 0, got -1/,
    ],
    [
      'a fractional epoch count',
      { kind: 'training', spec: { ...training.spec, epochs: 1.5 } },
      /spec\.epochs must be an integer, at least 1, got 1\.5/,
    ],
    [
      'an unknown model',
      { kind: 'training', spec: { ...training.spec, model: 'resnet' } },
      /spec\.model must be one of mlp, cnn, transformer, lstm, got "resnet"/,
    ],
    [
      'an optimizer that does not parse',
      { kind: 'training', spec: { ...training.spec, optimizer: 'adamx' } },
      /spec\.optimizer: .*'adamx'/,
    ],
    [
      'an optimizer option out of range',
      { kind: 'training', spec: { ...training.spec, optimizer: 'adam(beta1=1.5)' } },
      /spec\.optimizer: .*1\.5/,
    ],
    ['a missing spec', { kind: 'training' }, /configuration\.spec must be an object, got undefined/],
    [
      'a schedule that is not an object',
      { kind: 'training', spec: { ...training.spec, schedule: 'cosine' } },
      /spec\.schedule must be an object, got "cosine"/,
    ],
    [
      'a schedule decay rate above 1',
      {
        kind: 'training',
        spec: { ...training.spec, schedule: { warmupEpochs: 1, decayEveryEpochs: 2, decayRate: 2 } },
      },
      /spec\.schedule\.decayRate must be a finite number, greater than 0, at most 1, got 2/,
    ],
    [
      'a schedule with an unknown key',
      {
        kind: 'training',
        spec: { ...training.spec, schedule: { warmupSteps: 1, decayEveryEpochs: 2, decayRate: 0.5 } },
      },
      /spec\.schedule: unknown option 'warmupSteps'/,
    ],
    [
      'surge betas out of range',
      { kind: 'surge', task: { ...surge.task, betas: [0.9, 1] } },
      /task\.betas\[1\] must be a finite number, at least 0, below 1, got 1/,
    ],
    [
      'surge with a zero learning rate',
      { kind: 'surge', task: { ...surge.task, learningRate: 0 } },
      /task\.learningRate must be a finite number, greater than 0, got 0/,
    ],
    [
      'surge with one noise micro-batch',
      { kind: 'surge', task: { ...surge.task, noiseMicroBatches: 1 } },
      /task\.noiseMicroBatches must be an integer, at least 2, got 1/,
    ],
  ])('refuses %s with a message naming the field', (_, value, message) => {
    expect(() => parseRunConfiguration('test', value)).toThrow(message);
  });
});
