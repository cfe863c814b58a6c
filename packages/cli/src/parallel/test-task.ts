// A task module for the worker-pool test: squares a number, using the tensor core so the
// test also proves that workspace packages load inside workers.
import { threadId } from 'node:worker_threads';
import { tensor } from '@vane/tensor';

/** A test task: the value to square, and optionally a shared counter of started tasks. */
export interface TestTask {
  value: number;
  /** Int32 slot 0 counts tasks that have started; see `waitForPeers`. */
  started?: SharedArrayBuffer;
  /** Wait (up to 30 s) until this many tasks have started, to prove they run concurrently. */
  waitForPeers?: number;
}

/** Squares `value` (negative values fail, to test error propagation). */
export async function runTask(
  task: TestTask,
  reportProgress: (text: string) => void,
): Promise<{ square: number; threadId: number }> {
  if (task.value < 0) throw new Error(`negative input ${task.value}`);
  reportProgress(`squaring ${task.value}`);
  if (task.started && task.waitForPeers) {
    const counter = new Int32Array(task.started);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
    // Block this worker until the others have started too: only possible if they run in
    // parallel on separate threads (a generous timeout keeps a loaded machine from failing).
    const deadline = Date.now() + 30_000;
    let seen = Atomics.load(counter, 0);
    while (seen < task.waitForPeers && Date.now() < deadline) {
      Atomics.wait(counter, 0, seen, 100);
      seen = Atomics.load(counter, 0);
    }
  }
  return { square: tensor([task.value]).square().item(), threadId };
}
