/**
 * Runs independent tasks (training runs of a sweep) on worker threads, one per core by
 * default, and reports each worker's progress.
 *
 * On SIGINT or SIGTERM the pool terminates its workers at once and rejects with an
 * {@link InterruptedError}: the main thread is idle while workers compute, so the handlers run
 * immediately, and no result arriving afterwards is reported (nothing is written late).
 *
 * A TypeScript `taskModule` (running from the sources in the repository) is loaded through
 * tsx's register API (a plain `new Worker('x.ts')` is rejected by Node's loader before tsx can
 * hook it), with `@vane/*` imports resolved to their sources (bin/source-conditions.mjs); a
 * compiled `.js` one loads as is. Each worker imports `taskModule`, which must export
 * `runTask(task, reportProgress)`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InterruptedError } from '../interrupted-error.js';

/** The signals that stop a pool. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** A progress line from one worker. */
export interface WorkerProgress {
  worker: number;
  taskIndex: number;
  text: string;
}

/** Options of {@link runInWorkers}. */
export interface WorkerPoolOptions {
  /** Module URL exporting `runTask(task, reportProgress)`. */
  taskModule: URL;
  /** Number of worker threads; one per core by default. */
  workers?: number;
  onProgress?: (progress: WorkerProgress) => void;
  onResult?: (taskIndex: number, result: unknown) => void;
}

// The same path from src/parallel/ and from dist/parallel/.
const SOURCE_CONDITIONS = new URL('../../bin/source-conditions.mjs', import.meta.url).href;

// tsx is resolved here, from this file, and handed to the worker: an eval'd worker would resolve
// a bare 'tsx/esm/api' from the current directory, which fails when vane runs outside the
// repository. Resolved only for TypeScript task modules: an installed (compiled) CLI has no tsx.
function tsxApi(taskModule: URL): string | undefined {
  return taskModule.pathname.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : undefined;
}

const BOOTSTRAP = `
import { parentPort, workerData } from 'node:worker_threads';
if (workerData.tsxApi) {
  (await import('node:module')).register(workerData.sourceConditions);
  (await import(workerData.tsxApi)).register();
}
const { runTask } = await import(workerData.taskModule);
parentPort.on('message', async (message) => {
  if (message.type !== 'task') return;
  try {
    const result = await runTask(message.task, (text) => parentPort.postMessage({ type: 'progress', index: message.index, text }));
    parentPort.postMessage({ type: 'result', index: message.index, result });
  } catch (error) {
    parentPort.postMessage({ type: 'error', index: message.index, message: String(error && error.stack || error) });
  }
});
parentPort.postMessage({ type: 'ready' });
`;

/**
 * Starts one worker thread that loads TypeScript through tsx, imports `taskModule` and then
 * answers `{ type: 'task', index, task }` messages with `progress`, then `result` or `error`
 * messages (after a first `ready`). Used by {@link runInWorkers} and by `vane worker`.
 */
export function startTaskThread(taskModule: URL): Worker {
  return new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { taskModule: taskModule.href, tsxApi: tsxApi(taskModule), sourceConditions: SOURCE_CONDITIONS },
  } as never);
}

/**
 * Runs every task and resolves with the results in task order. The first failing task
 * rejects the whole run (after stopping the workers).
 */
export async function runInWorkers<T, R>(tasks: readonly T[], options: WorkerPoolOptions): Promise<R[]> {
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), tasks.length));
  const results = new Array<R>(tasks.length);
  let next = 0;
  let finished = 0;
  const workers: Worker[] = [];
  return new Promise<R[]>((resolve, reject) => {
    let failed = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (failed) return;
      failed = true;
      stop();
      reject(new InterruptedError(signal));
    };
    const stop = () => {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      workers.forEach((worker) => void worker.terminate());
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    const dispatch = (worker: Worker) => {
      if (next >= tasks.length) {
        void worker.terminate();
        return;
      }
      const index = next++;
      worker.postMessage({ type: 'task', index, task: tasks[index] });
    };
    for (let workerIndex = 0; workerIndex < count; workerIndex++) {
      const worker = startTaskThread(options.taskModule);
      workers.push(worker);
      worker.on(
        'message',
        (message: { type: string; index: number; text?: string; result?: unknown; message?: string }) => {
          if (failed) return;
          if (message.type === 'ready') dispatch(worker);
          else if (message.type === 'progress')
            options.onProgress?.({ worker: workerIndex, taskIndex: message.index, text: message.text ?? '' });
          else if (message.type === 'result') {
            results[message.index] = message.result as R;
            options.onResult?.(message.index, message.result);
            finished++;
            if (finished === tasks.length) {
              stop();
              resolve(results);
            } else dispatch(worker);
          } else if (message.type === 'error') {
            failed = true;
            stop();
            reject(new Error(`task ${message.index} failed in worker ${workerIndex}: ${message.message}`));
          }
        },
      );
      worker.on('error', (error) => {
        if (failed) return;
        failed = true;
        stop();
        reject(error);
      });
    }
    if (tasks.length === 0) {
      stop();
      resolve(results);
    }
  });
}
