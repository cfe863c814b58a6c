/**
 * One long-lived worker thread that executes runs one at a time (for `vane worker`). The runs
 * are CPU-bound and synchronous; on the main thread they would block the event loop, and with
 * it BullMQ's lock renewal, so a long run would be taken for a stalled one and run twice. The
 * thread is reused from run to run (starting one costs about a second: tsx and the packages
 * are loaded once), and restarted after it dies.
 */
import type { Worker } from 'node:worker_threads';
import type { RunConfiguration, RunRecord } from '../studies/run-configuration.js';
import { startTaskThread } from './worker-pool.js';

// .ts when running from the sources, .js when compiled.
const RUN_TASK = new URL(`./run-task${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

interface ThreadMessage {
  type: string;
  index?: number;
  text?: string;
  result?: unknown;
  message?: string;
}

/** Executes run configurations on one reusable worker thread. */
export class RunThread {
  private thread: Promise<Worker> | undefined;
  private next = 0;

  private start(): Promise<Worker> {
    const worker = startTaskThread(RUN_TASK);
    const ready = new Promise<Worker>((resolve, reject) => {
      const onMessage = (message: ThreadMessage) => {
        if (message.type !== 'ready') return;
        worker.off('message', onMessage);
        resolve(worker);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    // Any error or exit makes the next run start a fresh thread.
    worker.once('exit', () => {
      this.thread = undefined;
    });
    ready.catch(() => {
      this.thread = undefined;
    });
    return ready;
  }

  /** Executes `configuration` on the thread; `reportProgress` gets each epoch's line. */
  async run(configuration: RunConfiguration, reportProgress: (text: string) => void): Promise<RunRecord> {
    this.thread ??= this.start();
    const worker = await this.thread;
    const index = this.next++;
    return new Promise<RunRecord>((resolve, reject) => {
      const finish = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (message: ThreadMessage) => {
        if (message.index !== index) return;
        if (message.type === 'progress') reportProgress(message.text ?? '');
        else if (message.type === 'result') {
          finish();
          resolve(message.result as RunRecord);
        } else if (message.type === 'error') {
          finish();
          reject(new Error(message.message));
        }
      };
      const onError = (error: Error) => {
        finish();
        reject(error);
      };
      const onExit = (code: number) => {
        finish();
        reject(new Error(`the run thread exited with code ${code} during the run`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'task', index, task: configuration });
    });
  }

  /** Stops the thread (a run in progress is abandoned). */
  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    if (thread) await (await thread.catch(() => undefined))?.terminate();
  }
}
