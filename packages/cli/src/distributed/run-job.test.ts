import { describe, expect, it } from 'vitest';
import { SWEEP_PRESETS, sweepPlan } from '../studies/learning-rate-sweep.js';
import { runId, type RunConfiguration } from '../studies/run-configuration.js';
import { readRunJob, runJobId } from './run-job.js';

const configuration = sweepPlan(SWEEP_PRESETS.test!)[0]! as Extract<RunConfiguration, { kind: 'training' }>;

describe('run jobs', () => {
  it('have an id made of the run id and a hash of the version', () => {
    const id = runJobId(configuration, '0.1.0');
    expect(id).toMatch(new RegExp(`^${runId(configuration)}-[0-9a-f]{16}$`));
    expect(runJobId(structuredClone(configuration), '0.1.0')).toBe(id);
    expect(runJobId(configuration, '0.1.1')).not.toBe(id);
    // BullMQ keys are separated by ':', so a custom id must not contain one.
    expect(id).not.toContain(':');
  });

  it('are read back into the configuration by a worker of the same version', () => {
    const id = runJobId(configuration, '0.1.0');
    expect(readRunJob(id, { vaneVersion: '0.1.0', configuration }, '0.1.0')).toEqual(configuration);
  });

  it('are refused by a worker of another version, which says why', () => {
    const id = runJobId(configuration, '0.1.0');
    expect(() => readRunJob(id, { vaneVersion: '0.1.0', configuration }, '0.2.0')).toThrow(
      `job ${id} was planned by vane "0.1.0" and this worker runs vane 0.2.0: a run must be executed by the version that planned it (results could differ); start workers of vane 0.1.0`,
    );
  });

  it('are refused when the payload is not plain run data or does not match the id', () => {
    const id = runJobId(configuration, '0.1.0');
    expect(() => readRunJob(id, 'x', '0.1.0')).toThrow(/the payload must be \{ vaneVersion, configuration \}, got "x"/);
    expect(() => readRunJob(id, { vaneVersion: '0.1.0', configuration, script: 'rm -rf /' }, '0.1.0')).toThrow(
      /unknown payload field 'script'/,
    );
    const other = { kind: 'training' as const, spec: { ...configuration.spec, lr: 0.5 } };
    expect(() => readRunJob(id, { vaneVersion: '0.1.0', configuration: other }, '0.1.0')).toThrow(
      /the id does not match the configuration/,
    );
  });
});
