/**
 * Runs a study's training runs on worker threads with progress for every worker.
 */
import { availableParallelism } from 'node:os';
import { runInWorkers } from '../parallel/worker-pool';
import { ProgressDisplay, type ProgressSink } from '../parallel/progress-display';
import { describeRun, type RunResult, type RunSpec } from '../training/run-training';

const TRAINING_TASK = new URL('../parallel/training-task.ts', import.meta.url);

/** Options of {@link runMany}. */
export interface RunManyOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Where progress goes (default process.stderr). */
  progress?: ProgressSink;
}

/**
 * Runs every spec, one per worker at a time, and returns the results in spec order.
 *
 * @example
 * const results = await runMany(specs, { workers: 2 });
 */
export async function runMany(specs: readonly RunSpec[], options: RunManyOptions = {}): Promise<RunResult[]> {
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), specs.length));
  const display = new ProgressDisplay(specs.length, workers, options.progress);
  const workerOfTask = new Map<number, number>();
  try {
    return await runInWorkers<RunSpec, RunResult>(specs, {
      taskModule: TRAINING_TASK,
      workers,
      onProgress: ({ worker, taskIndex, text }) => {
        workerOfTask.set(taskIndex, worker);
        display.update(worker, text);
      },
      onResult: (taskIndex, value) => {
        const result = value as RunResult;
        display.complete(
          workerOfTask.get(taskIndex) ?? 0,
          `${describeRun(result.spec)}: loss ${result.finalLoss.toPrecision(3)}, val acc ${result.finalAccuracy.toFixed(3)} (${result.seconds.toFixed(1)}s)`,
        );
      },
    });
  } finally {
    display.close();
  }
}
