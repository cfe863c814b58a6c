/**
 * `vane worker`: takes runs of distributed studies from a Redis queue and executes them, one at
 * a time, until stopped (SIGINT or SIGTERM). Start one per core, on as many machines as you
 * like (docs/distributed.md).
 */
import { hostname } from 'node:os';
import { describeFlags, parseFlags } from '../arguments.js';
import { checkQueueReachable } from '../distributed/check-queue-reachable.js';
import { startQueueWorker } from '../distributed/queue-worker.js';
import { parseQueueUrl } from '../distributed/queue-url.js';
import { QUEUE_NAME } from '../distributed/run-job.js';
import { VANE_VERSION } from '../distributed/vane-version.js';
import { InterruptedError } from '../interrupted-error.js';
import { UsageError } from '../usage-error.js';

/** Flags of `vane worker`. */
export const WORKER_FLAGS = {
  queue: { kind: 'string', description: 'redis://[:password@]host:port or rediss:// (TLS) of the queue (required)' },
  name: { kind: 'string', description: "the name shown in the studies' progress (default <host>/<pid>)" },
  lockSeconds: {
    kind: 'number',
    exclusiveMinimum: 0,
    default: 30,
    description: 'a run whose worker stops renewing its lock for this long (the worker died) is run again',
  },
  stalledSeconds: {
    kind: 'number',
    exclusiveMinimum: 0,
    default: 15,
    description: 'how often to look for runs whose worker died',
  },
  maxStalled: {
    kind: 'number',
    integer: true,
    minimum: 1,
    default: 3,
    description: 'a run whose worker died this many times fails for good',
  },
} as const;

/** Usage text of `vane worker`. */
export const WORKER_USAGE = `vane worker --queue redis://host:port [flags]: execute runs of studies started with --queue, one at a time, until stopped\n${describeFlags(WORKER_FLAGS)}`;

/** The signals that stop a worker. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Runs `vane worker` until a signal stops it (then throws the {@link InterruptedError}). */
export async function workerCommand(argv: readonly string[]): Promise<never> {
  const flags = parseFlags('worker', argv, WORKER_FLAGS);
  if (flags.queue === undefined)
    throw new UsageError('vane worker: --queue is required, e.g. --queue redis://127.0.0.1:6379');
  if (flags.name !== undefined && !/^[\w.@/-]{1,100}$/.test(flags.name)) {
    throw new UsageError(`vane worker: --name may hold letters, digits and . _ - @ / (up to 100), got '${flags.name}'`);
  }
  const address = parseQueueUrl('worker', '--queue', flags.queue);
  await checkQueueReachable('worker', address);
  const name = flags.name ?? `${hostname()}/${process.pid}`;
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  // Listen before connecting, so that a signal during start-up is not Node's default (an abrupt exit).
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of STOP_SIGNALS) process.once(signal, resolve);
  });
  const worker = await startQueueWorker({
    address,
    name,
    version: VANE_VERSION,
    lockMilliseconds: flags.lockSeconds! * 1000,
    stalledIntervalMilliseconds: flags.stalledSeconds! * 1000,
    maxStalledCount: flags.maxStalled!,
    log,
  });
  log(`vane worker ${name} (vane ${VANE_VERSION}) takes runs from queue ${QUEUE_NAME} at ${address.display}`);
  const signal = await stopped;
  log(`stopping on ${signal}`);
  await worker.close();
  throw new InterruptedError(
    signal,
    `worker ${name} stopped; a run it had started is run again by another worker once its lock expires`,
  );
}
