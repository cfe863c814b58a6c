import { describe, expect, it } from 'vitest';
import { runInWorkers } from './worker-pool';

describe('runInWorkers', () => {
  it('runs every task on worker threads and returns results in task order', async () => {
    const progress: number[] = [];
    const tasks = [1, 2, 3, 4, 5];
    const results = await runInWorkers<number, { square: number; threadId: number }>(tasks, {
      taskModule: new URL('./test-task.ts', import.meta.url),
      workers: 2,
      onProgress: ({ worker }) => progress.push(worker),
    });
    expect(results.map((r) => r.square)).toEqual([1, 4, 9, 16, 25]);
    // Work really ran off the main thread (threadId 0), on both workers.
    expect(results.every((r) => r.threadId > 0)).toBe(true);
    expect(new Set(progress).size).toBe(2);
  });

  it('rejects with the failing task index', async () => {
    await expect(runInWorkers([1, -1], { taskModule: new URL('./test-task.ts', import.meta.url), workers: 1 })).rejects.toThrow(/task 1 failed/);
  });
});
