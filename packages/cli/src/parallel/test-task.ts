// A task module for the worker-pool test: squares a number, using the tensor core so the
// test also proves that workspace packages load inside workers.
import { threadId } from 'node:worker_threads';
import { tensor } from '@vane/tensor';

/** Squares `value` (negative values fail, to test error propagation). */
export async function runTask(value: number, reportProgress: (text: string) => void): Promise<{ square: number; threadId: number }> {
  if (value < 0) throw new Error(`negative input ${value}`);
  reportProgress(`squaring ${value}`);
  // Keep each task busy long enough that both workers get one.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { square: tensor([value]).square().item(), threadId };
}
