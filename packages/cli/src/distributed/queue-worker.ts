/**
 * The executing side of a distributed study (`vane worker`): a BullMQ worker that takes one
 * run at a time from the queue, refuses a job it should not run (another Vane version, a
 * payload that is not a valid run configuration), executes the run on a {@link RunThread} and
 * returns its record.
 *
 * Faults: a worker killed mid-run holds a lock that it no longer renews; after
 * `lockMilliseconds` a live worker's stalled-job check (every `stalledIntervalMilliseconds`)
 * puts the job back on the queue, and it runs again on whichever worker takes it. A Redis
 * restart is survived by the connection options of {@link parseQueueUrl}.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { stringifyWithNonFinite } from '../format/json-numbers.js';
import { RunThread } from '../parallel/run-thread.js';
import { runId } from '../studies/run-configuration.js';
import { UsageError } from '../usage-error.js';
import type { QueueAddress } from './queue-url.js';
import { QUEUE_NAME, readRunJob, type RunJobData, type RunJobResult } from './run-job.js';

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  address: QueueAddress;
  /** Shown in the coordinator's progress: which worker ran what. */
  name: string;
  /** The Vane version this worker runs (jobs of another version are refused). */
  version: string;
  /** How long a job's lock lasts without renewal (renewed every half of it while the run goes on). */
  lockMilliseconds: number;
  /** How often this worker looks for jobs whose worker died. */
  stalledIntervalMilliseconds: number;
  /** How many times a job may be found stalled before it fails for good. */
  maxStalledCount: number;
  /** Where the worker's lines go (one per event: running, finished, refused, connection trouble). */
  log: (line: string) => void;
}

/** A started worker. */
export interface QueueWorker {
  /** Stops taking jobs and disconnects; a run in progress is abandoned (its job is retried elsewhere). */
  close(): Promise<void>;
}

/**
 * Connects to the queue and starts taking jobs.
 *
 * @example
 * const worker = await startQueueWorker({ address: parseQueueUrl('worker', '--queue', 'redis://127.0.0.1:6379'), name: 'a', version: VANE_VERSION, lockMilliseconds: 30_000, stalledIntervalMilliseconds: 15_000, maxStalledCount: 2, log: console.log });
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const thread = new RunThread();
  const { log, name, version } = options;

  const process = async (job: Job<RunJobData, RunJobResult>): Promise<RunJobResult> => {
    const jobId = job.id ?? '(no id)';
    let configuration;
    try {
      configuration = readRunJob(jobId, job.data, version);
    } catch (error) {
      const reason = error instanceof UsageError ? error.message : String(error);
      log(`refused ${reason}`);
      // Unrecoverable: a retry of the same payload would be refused the same way.
      throw new UnrecoverableError(`refused by worker ${name}: ${reason}`);
    }
    const id = runId(configuration);
    const started = performance.now();
    log(`running ${id} (job ${jobId}, attempt ${job.attemptsStarted})`);
    const record = await thread.run(configuration, (text) => {
      // Progress is best effort: a failed update (Redis restarting) must not fail the run.
      job.updateProgress({ worker: name, text }).catch(() => {});
    });
    log(`finished ${id} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { record: stringifyWithNonFinite(record), worker: name };
  };

  const worker = new Worker<RunJobData, RunJobResult>(QUEUE_NAME, process, {
    connection: options.address.connection,
    name,
    concurrency: 1,
    autorun: false,
    lockDuration: options.lockMilliseconds,
    stalledInterval: options.stalledIntervalMilliseconds,
    maxStalledCount: options.maxStalledCount,
  });
  // Connection errors repeat while Redis is away; say each distinct one once.
  let lastError = '';
  worker.on('error', (error) => {
    const message = error.message;
    if (message !== lastError) log(`queue error (reconnecting): ${message}`);
    lastError = message;
  });
  worker.on('ready', () => {
    if (lastError !== '') log(`connected again to ${options.address.display}`);
    lastError = '';
  });
  worker.on('failed', (job, error) => {
    if (job && !(error instanceof UnrecoverableError) && !error.message.startsWith('refused'))
      log(`failed ${job.id}: ${error.message.split('\n')[0]}`);
  });
  await worker.waitUntilReady();
  void worker.run();
  return {
    async close() {
      await Promise.race([worker.close(true), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await thread.close();
    },
  };
}
