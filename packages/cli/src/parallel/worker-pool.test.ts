import { describe, expect, it } from 'vitest';
import type { TestTask } from './test-task.js';
import { runInWorkers } from './worker-pool.js';

const taskModule = new URL('./test-task.ts', import.meta.url);

describe('runInWorkers', () => {
  it('runs every task on worker threads and returns results in task order', async () => {
    const progress: number[] = [];
    const tasks: TestTask[] = [1, 2, 3, 4, 5].map((value) => ({ value }));
    const results = await runInWorkers<TestTask, { square: number; threadId: number }>(tasks, {
      taskModule,
      workers: 2,
      onProgress: ({ worker }) => progress.push(worker),
    });
    expect(results.map((r) => r.square)).toEqual([1, 4, 9, 16, 25]);
    // Work really ran off the main thread (threadId 0), and every task reported progress.
    expect(results.every((r) => r.threadId > 0)).toBe(true);
    expect(progress.length).toBe(5);
  });

  it('runs tasks concurrently, one per worker', async () => {
    // Each of the first two tasks blocks until both have started, so they finish only if the
    // two workers run at the same time; their results then carry two distinct thread ids.
    const started = new SharedArrayBuffer(4);
    const tasks: TestTask[] = [3, 4].map((value) => ({ value, started, waitForPeers: 2 }));
    const results = await runInWorkers<TestTask, { square: number; threadId: number }>(tasks, {
      taskModule,
      workers: 2,
    });
    expect(new Int32Array(started)[0]).toBe(2);
    expect(new Set(results.map((r) => r.threadId)).size).toBe(2);
  });

  it('rejects with the failing task index', async () => {
    await expect(runInWorkers([{ value: 1 }, { value: -1 }], { taskModule, workers: 1 })).rejects.toThrow(
      /task 1 failed/,
    );
  });
});
