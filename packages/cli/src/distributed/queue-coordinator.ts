/**
 * The coordinating side of a distributed study (`vane sweep|graft|surge --queue`): puts the
 * runs that are not finished on the queue, follows them, and hands back each record as it
 * arrives, with the name of the worker that ran it.
 *
 * The queue, not this process, holds the state: jobs are added under ids that depend only on
 * the configuration and the version ({@link runJobId}), and completed jobs keep their results.
 * So a coordinator that was killed is simply started again: it finds the completed jobs by id
 * and collects them, attaches to those still waiting or running, re-adds those that failed
 * before, and adds only the missing ones. A job that has disappeared (a Redis restarted without
 * persistence) is added again.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import { InterruptedError } from '../interrupted-error.js';
import { parseWithNonFinite } from '../format/json-numbers.js';
import { runId, type RunConfiguration, type RunRecord } from '../studies/run-configuration.js';
import { checkQueueReachable } from './check-queue-reachable.js';
import { parseQueueUrl, type QueueAddress } from './queue-url.js';
import { RunFailedError } from './run-failed-error.js';
import { QUEUE_NAME, runJobId, type RunJobData, type RunJobResult } from './run-job.js';
import { VANE_VERSION } from './vane-version.js';

/** A study's connection to the queue, opened (and checked) before any work starts. */
export interface StudyQueue {
  readonly address: QueueAddress;
  /** The version that plans the jobs (this process's; injectable for tests). */
  readonly version: string;
}

/** What {@link runOnQueue} reports. */
export interface QueueRunCallbacks {
  /** A line of progress from the worker running a job. */
  onProgress(worker: string, text: string): void;
  /** A finished run, and the worker that ran it. */
  onRecord(record: RunRecord, worker: string): void;
  /** Something worth a line: runs found finished on the queue, jobs re-added. */
  onNotice(text: string): void;
}

/** The signals that stop the coordinator (the queued jobs stay on the queue). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** How often the coordinator asks the queue about the jobs it waits for. */
const POLL_MILLISECONDS = 500;

/**
 * Parses `url` (the `--queue` flag of `vane <command>`) and checks that the queue answers,
 * throwing a one-line UsageError otherwise.
 */
export async function openStudyQueue(command: string, url: string, version = VANE_VERSION): Promise<StudyQueue> {
  const address = parseQueueUrl(command, '--queue', url);
  await checkQueueReachable(command, address);
  return { address, version };
}

/** The record in a completed job's return value, checked to be the record of `configuration`. */
function recordOf(job: Job<RunJobData, RunJobResult>, configuration: RunConfiguration): RunRecord {
  const result = job.returnvalue;
  const id = runId(configuration);
  const record = typeof result?.record === 'string' ? (parseWithNonFinite(result.record) as RunRecord) : undefined;
  if (!record || record.id !== id || runId(record.configuration) !== id) {
    throw new RunFailedError(
      `job ${job.id} on ${QUEUE_NAME} completed without the record of run ${id}; remove the job from the queue and continue with --resume`,
    );
  }
  return record;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Runs `plan` on the queue and calls `callbacks.onRecord` for each finished run (in the order
 * they finish). Resolves when every run has its record; rejects with a {@link RunFailedError}
 * when a run fails or is refused, and with an {@link InterruptedError} on SIGINT or SIGTERM.
 *
 * @example
 * await runOnQueue(await openStudyQueue('sweep', 'redis://127.0.0.1:6379'), missing, { onProgress, onRecord, onNotice });
 */
export async function runOnQueue(
  queue: StudyQueue,
  plan: readonly RunConfiguration[],
  callbacks: QueueRunCallbacks,
): Promise<void> {
  const connection = queue.address.connection;
  const jobs = new Queue<RunJobData, RunJobResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  // Connection errors repeat while Redis restarts; BullMQ reconnects by itself. Listening keeps
  // them from being thrown as unhandled 'error' events.
  jobs.on('error', () => {});
  events.on('error', () => {});
  const waiting = new Map(plan.map((configuration) => [runJobId(configuration, queue.version), configuration]));
  events.on('progress', ({ jobId, data }) => {
    const progress = data as { worker?: unknown; text?: unknown };
    if (waiting.has(jobId) && typeof progress.worker === 'string' && typeof progress.text === 'string')
      callbacks.onProgress(progress.worker, progress.text);
  });

  // A signal ends the wait at once, even while a command waits for Redis to come back; no
  // record is handed on after it (nothing is written late). The jobs stay on the queue.
  let interrupted = false;
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    onSignal = (signal) => {
      interrupted = true;
      reject(new InterruptedError(signal));
    };
  });
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);

  const enqueue = async (ids: readonly string[]) => {
    if (ids.length === 0) return;
    await jobs.addBulk(
      ids.map((jobId) => ({
        name: runId(waiting.get(jobId)!),
        data: { vaneVersion: queue.version, configuration: waiting.get(jobId)! },
        // One attempt: a run is deterministic, so a failure would repeat. A worker that dies is
        // not a failure: its job comes back through stalled-job detection (see queue-worker.ts).
        // Completed jobs are kept: they are the results a restarted coordinator collects.
        opts: { jobId, attempts: 1, removeOnComplete: false, removeOnFail: false },
      })),
    );
  };

  const follow = async () => {
    let first = true;
    while (waiting.size > 0 && !interrupted) {
      const missing: string[] = [];
      let collected = 0;
      for (const [jobId, configuration] of [...waiting]) {
        const job = (await jobs.getJob(jobId)) as Job<RunJobData, RunJobResult> | undefined;
        if (interrupted) return;
        if (!job) {
          missing.push(jobId);
          continue;
        }
        if (job.finishedOn === undefined) continue;
        const state = await job.getState();
        if (state === 'failed') {
          const reason = (job.failedReason ?? 'no reason given').split('\n')[0]!;
          if (!first)
            throw new RunFailedError(
              `run ${runId(configuration)} failed on the queue: ${reason}; the finished runs are kept, continue with --resume (failed jobs are enqueued again)`,
            );
          // Failed in an earlier invocation: try again (the cause, e.g. a worker of another version, may be fixed).
          callbacks.onNotice(`run ${runId(configuration)} had failed on the queue (${reason}); enqueueing it again`);
          await job.remove();
          missing.push(jobId);
        } else if (state === 'completed') {
          const record = recordOf(job, configuration);
          waiting.delete(jobId);
          collected++;
          if (interrupted) return;
          callbacks.onRecord(record, job.returnvalue.worker);
        }
      }
      if (first && collected > 0) callbacks.onNotice(`collected ${collected} run(s) already finished on the queue`);
      if (!first && missing.length > 0)
        callbacks.onNotice(
          `${missing.length} job(s) disappeared from the queue (was Redis restarted without persistence?); enqueueing them again`,
        );
      await enqueue(missing);
      first = false;
      if (waiting.size > 0) await sleep(POLL_MILLISECONDS);
    }
  };

  try {
    const following = follow();
    // Once a signal has won the race, a later failure of the wait is of no interest.
    following.catch(() => {});
    await Promise.race([following, stopped]);
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    // Closing waits for pending commands; while Redis is away it would wait forever.
    await Promise.race([Promise.all([jobs.close(), events.close()]), sleep(2000)]);
  }
}
