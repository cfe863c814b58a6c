/**
 * The `--queue` flag that `vane sweep`, `graft` and `surge` share: run the study on `vane worker`
 * processes through a Redis queue instead of on local threads.
 */
import { UsageError } from '../usage-error.js';
import { openStudyQueue, type StudyQueue } from './queue-coordinator.js';

/** The flag's spec, for the commands' flag tables. */
export const QUEUE_FLAG = {
  kind: 'string',
  description:
    'redis://[:password@]host:port or rediss:// (TLS): run on `vane worker` processes through this queue (docs/distributed.md)',
} as const;

/**
 * The study's queue when `--queue` is given (checked to answer), else undefined. `--workers`
 * sets local threads, so combined with `--queue` it would be silently ignored: refused instead.
 */
export async function studyQueueFromFlags(
  command: string,
  flags: { queue?: string; workers?: number },
): Promise<StudyQueue | undefined> {
  if (flags.queue === undefined) return undefined;
  if (flags.workers !== undefined) {
    throw new UsageError(
      `vane ${command}: --workers sets local threads and cannot be combined with --queue (start one vane worker per core instead)`,
    );
  }
  return openStudyQueue(command, flags.queue);
}
