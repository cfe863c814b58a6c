/**
 * The worker-thread task of every study: check one run configuration with the same parser as
 * a job from the queue, and execute it into its record.
 */
import { parseRunConfiguration } from '../studies/parse-run-configuration.js';
import { executeRun, runId, type RunConfiguration, type RunRecord } from '../studies/run-configuration.js';

/** Runs one configuration, reporting progress. Called by the worker pool inside a worker. */
export async function runTask(
  configuration: RunConfiguration,
  reportProgress: (text: string) => void,
): Promise<RunRecord> {
  return executeRun(parseRunConfiguration(`run ${runId(configuration)}`, configuration), reportProgress);
}
