/**
 * A second thread for the matmul kernel (Node only): one worker instantiates the same kernel
 * module on the same shared memory and, when signalled, runs `gemm_tiles` on the lower half
 * of the row panels while the calling thread does the upper half.
 *
 * The handshake uses the first 64 bytes of the kernel memory as Int32 words: 0..6 the job's
 * arguments, 8 the number of jobs posted, 9 the number finished, 10 set once the worker is
 * ready. The caller blocks with `Atomics.wait` (allowed on Node's main thread) until the
 * worker's count catches up, so every kernel call stays synchronous. The worker starts in
 * the background; until it reports ready, matmul runs on one thread.
 *
 * It is off unless `VANE_THREADS=2`: on the shared two-core benchmark machine, with other work
 * keeping both cores busy, interleaved runs measured no gain (matmul 512: 38.3 vs 40.0
 * GFLOP/s with and without the worker; see docs/performance.md), so a second thread does not
 * pay there. On an idle multi-core machine it should.
 */

const REQUESTS = 8;
const FINISHED = 9;
const READY = 10;

// Plain JavaScript (workers started with `eval` run CommonJS, not TypeScript).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const control = new Int32Array(memory.buffer, 0, 16);
Atomics.store(control, ${READY}, 1);
let seen = Atomics.load(control, ${REQUESTS});
for (;;) {
  Atomics.wait(control, ${REQUESTS}, seen);
  seen = Atomics.load(control, ${REQUESTS});
  kernels.gemm_tiles(control[0], control[1], control[2], control[3], control[4], control[5], control[6]);
  Atomics.store(control, ${FINISHED}, seen);
  Atomics.notify(control, ${FINISHED});
}
`;

function environment(): Record<string, string | undefined> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}

interface WorkerState {
  control: Int32Array;
  failure?: string;
}

let state: WorkerState | undefined;
let enabled = environment()?.VANE_THREADS === '2';

/** Turns the matmul's second thread on or off (tests use this; users set `VANE_THREADS=2`). */
export function setMatmulWorkerEnabled(flag: boolean): void {
  enabled = flag;
}


/**
 * Starts the worker (once) for this module and shared memory. Returns its control words once
 * it is ready, else undefined (not started yet, unavailable, or disabled).
 */
export function gemmWorker(module: WebAssembly.Module, memory: WebAssembly.Memory): Int32Array | undefined {
  if (!enabled) return undefined;
  if (!state) {
    state = { control: new Int32Array(memory.buffer, 0, 16) };
    try {
      const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
      const threads = nodeProcess?.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
      if (!threads) throw new Error('worker threads are unavailable');
      const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory } });
      // The worker must never keep the process alive.
      worker.unref();
      worker.on('error', (error) => {
        if (state) state.failure = `worker failed: ${error.message}`;
      });
    } catch (error) {
      state.failure = (error as Error).message;
    }
  }
  if (state.failure || Atomics.load(state.control, READY) !== 1) return undefined;
  return state.control;
}

/** Why the worker is not in use, if it is not (for `kernelInfo`). */
export function gemmWorkerStatus(): string {
  if (!enabled) return 'off (VANE_THREADS=2 enables it)';
  if (!state) return 'not started';
  if (state.failure) return state.failure;
  return Atomics.load(state.control, READY) === 1 ? 'running' : 'starting';
}

/** Posts `gemm_tiles(...arguments)` to the worker. Pair with {@link awaitGemmWorker}. */
export function postGemmWorker(control: Int32Array, argumentsList: readonly number[]): number {
  for (let index = 0; index < argumentsList.length; index++) control[index] = argumentsList[index]!;
  const request = Atomics.add(control, REQUESTS, 1) + 1;
  Atomics.notify(control, REQUESTS);
  return request;
}

/** Blocks until the worker has finished job `request`. */
export function awaitGemmWorker(control: Int32Array, request: number): void {
  for (;;) {
    const finished = Atomics.load(control, FINISHED);
    if (finished >= request) return;
    Atomics.wait(control, FINISHED, finished, 1000);
  }
}
