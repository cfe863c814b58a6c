/**
 * Runs a study's runs on worker threads with progress for every worker, saving each run's
 * record the moment it finishes and skipping runs whose record is already there.
 */
import { availableParallelism } from 'node:os';
import { runOnQueue, type StudyQueue } from '../distributed/queue-coordinator.js';
import { InterruptedError } from '../interrupted-error.js';
import { runInWorkers } from '../parallel/worker-pool.js';
import { ProgressDisplay, type ProgressSink, type WorkerLabel } from '../parallel/progress-display.js';
import { describeRun, type RunResult } from '../training/run-training.js';
import { runId, type RunConfiguration, type RunRecord } from './run-configuration.js';
import type { StudyDirectory } from './study-directory.js';

// .ts when running from the sources, .js when compiled.
const RUN_TASK = new URL(`../parallel/run-task${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** Options of {@link runMany}. */
export interface RunManyOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Where progress goes (default process.stderr). */
  progress?: ProgressSink;
  /** Where records are saved as runs finish, and which runs already finished (none by default). */
  directory?: StudyDirectory;
  /**
   * Run on this queue's `vane worker` processes instead of local threads (`--queue`): same
   * records, same files; the progress names the worker process that ran each run.
   */
  queue?: StudyQueue;
  /** A line for a finished run's progress (`adamw lr=1e-3 seed=0: loss 0.3, val acc 0.9 (2.1s)`). */
  describe?: (record: RunRecord) => string;
}

/** The progress line of a finished training run: `adamw lr=1e-3 seed=0: loss 0.312, val acc 0.912 (2.1s)`. */
export function describeTrainingRecord(record: RunRecord): string {
  const result = record.result as RunResult;
  return `${describeRun(result.spec)}: loss ${result.finalLoss.toPrecision(3)}, val acc ${result.finalAccuracy.toFixed(3)} (${result.seconds.toFixed(1)}s)`;
}

/**
 * Executes every configuration that has no record in `options.directory` yet, one per worker
 * at a time, and returns all records in `plan` order.
 *
 * @example
 * const records = await runMany(plan, { workers: 2, directory });
 */
export async function runMany(plan: readonly RunConfiguration[], options: RunManyOptions = {}): Promise<RunRecord[]> {
  const ids = plan.map(runId);
  const records = new Map<string, RunRecord>(options.directory?.finished ?? []);
  const missing = plan.filter((_, index) => !records.has(ids[index]!));
  if (missing.length > 0) {
    const workers = options.queue
      ? 0
      : Math.max(1, Math.min(options.workers ?? availableParallelism(), missing.length));
    const display = new ProgressDisplay(missing.length, workers, options.progress);
    const finish = (worker: WorkerLabel, record: RunRecord) => {
      options.directory?.save(record);
      records.set(record.id, record);
      display.complete(worker, options.describe?.(record) ?? record.id);
    };
    const workerOfTask = new Map<number, number>();
    try {
      if (options.queue) {
        await runOnQueue(options.queue, missing, {
          onProgress: (worker, text) => display.update(worker, text),
          onRecord: (record, worker) => finish(worker, record),
          onNotice: (text) => (options.progress ?? process.stderr).write(`${text}\n`),
        });
      } else {
        await runInWorkers<RunConfiguration, RunRecord>(missing, {
          taskModule: RUN_TASK,
          workers,
          onProgress: ({ worker, taskIndex, text }) => {
            workerOfTask.set(taskIndex, worker);
            display.update(worker, text);
          },
          onResult: (taskIndex, value) => finish(workerOfTask.get(taskIndex) ?? 0, value as RunRecord),
        });
      }
    } catch (error) {
      if (error instanceof InterruptedError && options.directory) {
        const kept = plan.filter((_, index) => records.has(ids[index]!)).length;
        const queued = options.queue ? ' (the other runs stay on the queue: --resume collects them)' : '';
        throw new InterruptedError(
          error.signal,
          `${kept} of ${plan.length} runs are finished and kept in ${options.directory.runsPath}; continue with --resume${queued}`,
        );
      }
      throw error;
    } finally {
      display.close();
    }
  }
  return ids.map((id) => records.get(id)!);
}
