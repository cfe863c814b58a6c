/**
 * One run of a study as plain data, its id, and the one function that executes it.
 *
 * This is the unit that studies are made of and that a later distributed (job-queue) runner
 * can hand out: a {@link RunConfiguration} is JSON, its {@link runId} is a hash of that JSON (so
 * the same run has the same id on every machine and in every invocation), and
 * {@link executeRun} turns it into a {@link RunRecord}, which is what `runs/<id>.json` holds.
 */
import { createHash } from 'node:crypto';
import { measureSurge, type SurgeMeasurement, type SurgeTask } from './surge-measurement.js';
import { runTraining, type RunResult, type RunSpec } from '../training/run-training.js';

/** A run of a study: a training run (sweep, graft) or one batch size of the Surge protocol. */
export type RunConfiguration = { kind: 'training'; spec: RunSpec } | { kind: 'surge'; task: SurgeTask };

/** A finished run: its id, its configuration and what it produced. */
export type RunRecord =
  | { id: string; configuration: { kind: 'training'; spec: RunSpec }; result: RunResult }
  | { id: string; configuration: { kind: 'surge'; task: SurgeTask }; result: SurgeMeasurement };

/** JSON with sorted keys and no undefined values: equal configurations give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The id of a run: the kind, then the first 16 hex digits of the SHA-256 of its canonical JSON.
 *
 * @example
 * runId({ kind: 'training', spec }); // 'training-3f9a0c1d2e4b5a69'
 */
export function runId(configuration: RunConfiguration): string {
  return `${configuration.kind}-${createHash('sha256').update(canonicalJson(configuration)).digest('hex').slice(0, 16)}`;
}

/**
 * Executes one run and returns its record. Deterministic on the CPU for a given configuration
 * (seeded initialisation and shuffling), so a run executed again gives the same result.
 *
 * @example
 * const record = executeRun({ kind: 'training', spec }, (text) => console.log(text));
 */
export function executeRun(
  configuration: RunConfiguration,
  reportProgress: (text: string) => void = () => {},
): RunRecord {
  const id = runId(configuration);
  if (configuration.kind === 'training') {
    return { id, configuration, result: runTraining(configuration.spec, { onEpoch: (text) => reportProgress(text) }) };
  }
  return { id, configuration, result: measureSurge(configuration.task, reportProgress) };
}
