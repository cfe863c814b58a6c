/**
 * The worker-thread task of every study: execute one run configuration into its record.
 */
import { executeRun, type RunConfiguration, type RunRecord } from '../studies/run-configuration';

/** Runs one configuration, reporting progress. Called by the worker pool inside a worker. */
export async function runTask(configuration: RunConfiguration, reportProgress: (text: string) => void): Promise<RunRecord> {
  return executeRun(configuration, reportProgress);
}
