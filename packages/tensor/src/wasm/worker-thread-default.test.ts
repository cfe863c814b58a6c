/**
 * Code that already runs on a worker thread (a study's run in `vane sweep`) starts with one
 * kernel thread: a kernel pool started from inside such a worker was seen to block for good
 * (`vane surge --workers 2` on Fashion-MNIST hung one worker until VANE_THREADS=1 was set).
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { kernelInfo } from './kernel-runtime.js';

// The worker loads the TypeScript sources through tsx, resolved from this file.
const BOOTSTRAP = `
import { parentPort, workerData } from 'node:worker_threads';
(await import(workerData.tsxApi)).register();
const { kernelInfo } = await import(workerData.runtime);
parentPort.postMessage(kernelInfo().threads.requested);
`;

function requestedInWorker(environment: Record<string, string | undefined>): Promise<number> {
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    env: environment,
    workerData: {
      tsxApi: import.meta.resolve('tsx/esm/api'),
      runtime: new URL('./kernel-runtime.ts', import.meta.url).href,
    },
  } as never);
  return new Promise((resolve, reject) => {
    worker.once('message', (value: number) => {
      void worker.terminate();
      resolve(value);
    });
    worker.once('error', reject);
  });
}

describe('kernel threads on a worker thread', () => {
  it('default to one there, while the main thread keeps its own default', async () => {
    const { VANE_THREADS: _unset, ...environment } = process.env;
    expect(await requestedInWorker(environment)).toBe(1);
    expect(kernelInfo().threads.requested).toBeGreaterThanOrEqual(1);
  });

  it('still follow VANE_THREADS when it is set', async () => {
    expect(await requestedInWorker({ ...process.env, VANE_THREADS: '3' })).toBe(3);
  });
});
