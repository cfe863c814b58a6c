/**
 * The worker-thread task of the studies: one training run per task.
 */
import { runTraining, type RunResult, type RunSpec } from '../training/run-training';

/** Runs one training run, reporting each epoch. Called by the worker pool inside a worker. */
export async function runTask(spec: RunSpec, reportProgress: (text: string) => void): Promise<RunResult> {
  return runTraining(spec, { onEpoch: (text) => reportProgress(text) });
}
