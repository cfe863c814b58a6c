/**
 * A job on the queue: data only. Its payload is the run configuration and the Vane version
 * that planned it; its id is a hash of both, so the same run of the same version has the same
 * job id in every invocation (enqueueing it again is a no-op, and a finished job is found by id
 * instead of being run again), and a new version never reuses an older version's results.
 */
import { createHash } from 'node:crypto';
import { describeValue } from '@vane/tensor';
import { parseRunConfiguration } from '../studies/parse-run-configuration.js';
import { runId, type RunConfiguration } from '../studies/run-configuration.js';
import { UsageError } from '../usage-error.js';

/** The BullMQ queue that every `vane sweep|graft|surge --queue` and `vane worker` use. */
export const QUEUE_NAME = 'vane-runs';

/** The payload of a job. */
export interface RunJobData {
  /** The version of Vane that planned the run (see vane-version.ts). */
  vaneVersion: string;
  configuration: RunConfiguration;
}

/** What a worker returns for a finished job. */
export interface RunJobResult {
  /** The run record as JSON with non-finite numbers kept (format/json-numbers), so that a diverged run's NaN survives. */
  record: string;
  /** The worker that ran it (`--name`, default `<host>/<pid>`). */
  worker: string;
}

/**
 * The job id of a run: its run id (for people reading the queue) and 16 hex digits of the
 * SHA-256 of the version and the run id (which is itself a hash of the configuration).
 *
 * @example
 * runJobId({ kind: 'training', spec }, '0.1.0'); // 'training-3f9a0c1d2e4b5a69-5c0e9d3f8a7b6c21'
 */
export function runJobId(configuration: RunConfiguration, version: string): string {
  const id = runId(configuration);
  return `${id}-${createHash('sha256').update(`vane ${version}\n${id}`).digest('hex').slice(0, 16)}`;
}

/**
 * Checks a job's payload before anything runs: it must be `{ vaneVersion, configuration }`,
 * planned by this worker's `version`, with a configuration that {@link parseRunConfiguration}
 * accepts and whose id is the job's. Returns the configuration; throws a one-line
 * {@link UsageError} that says why the job is refused.
 */
export function readRunJob(jobId: string, data: unknown, version: string): RunConfiguration {
  const owner = `job ${jobId}`;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new UsageError(`${owner}: the payload must be { vaneVersion, configuration }, got ${describeValue(data)}`);
  const { vaneVersion, configuration, ...rest } = data as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0)
    throw new UsageError(`${owner}: unknown payload field '${extra[0]}'; expected 'vaneVersion', 'configuration'`);
  if (vaneVersion !== version) {
    throw new UsageError(
      `${owner} was planned by vane ${describeValue(vaneVersion)} and this worker runs vane ${version}: a run must be executed by the version that planned it (results could differ); start workers of vane ${String(vaneVersion)}`,
    );
  }
  const parsed = parseRunConfiguration(owner, configuration);
  const expected = runJobId(parsed, version);
  if (expected !== jobId)
    throw new UsageError(
      `${owner}: the id does not match the configuration (expected ${expected}); the job was not made by vane`,
    );
  return parsed;
}
