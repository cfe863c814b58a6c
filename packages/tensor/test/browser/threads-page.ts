/**
 * The browser half of browser-threads.test.ts: bundled with @vane/tensor's sources, run in
 * headless Chromium, reported through `globalThis.vaneThreadsResult`. It runs a large matmul and
 * a large fusedMap on one thread, then on two, and compares the bits; on a cross-origin
 * isolated page it also runs the kernel stress test for a few seconds.
 */
import {
  abs,
  defineKernel,
  expression as e,
  fusedMap,
  kernelInfo,
  kernelThreadsReady,
  matmul,
  randn,
  runKernelStress,
  seed,
  setThreadCount,
  type StressReport,
  type Tensor,
  type ThreadInfo,
} from '../../src/index.js';

/** What the page reports. */
export interface ThreadsPageResult {
  crossOriginIsolated: boolean;
  kernelMode: string;
  oneThread: ThreadInfo;
  twoThreads: ThreadInfo;
  /** Calls (matmul and fusedMap pairs) made on two threads until a worker had run a chunk of each kind. */
  rounds: number;
  productMismatches: number;
  mapMismatches: number;
  productLength: number;
  mapLength: number;
  after: ThreadInfo;
  /** A map kernel first compiled on two threads: calls until a worker ran its chunks, those chunks, bit mismatches against one thread. */
  late: { rounds: number; workerChunks: number; mismatches: number };
  stress?: StressReport;
  /** Whether the checks ran in a Web Worker rather than on the page's main thread. */
  inWorker: boolean;
  /** `kernelInfo().threads.requested` before the page changed it. */
  defaultThreads: number;
  error?: string;
}

const defaultThreads = kernelInfo().threads.requested;

const adamLike = defineKernel(
  'browserThreads.adamLike',
  { inputs: ['m', 'v', 'p'], scalars: ['c1', 'c2', 'eps', 'decay'] },
  ({ m, v, p, c1, c2, eps, decay }) => e.add(e.div(e.mul(m, c1), e.add(e.sqrt(e.mul(v, c2)), eps)), e.mul(decay, p)),
);

/** How many float32 elements of `actual` differ from `expected` in any bit. */
function mismatches(actual: Float32Array, expected: Float32Array): number {
  const left = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const right = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  let count = left.length === right.length ? 0 : Math.max(left.length, right.length);
  for (let index = 0; index < Math.min(left.length, right.length); index++) if (left[index] !== right[index]) count++;
  return count;
}

async function run(): Promise<Omit<ThreadsPageResult, 'inWorker' | 'defaultThreads'>> {
  const generator = seed(11);
  // 512×384 · 384×448: 88M multiply-adds, far above the threading threshold (2^20).
  const a = randn([512, 384], { generator });
  const b = randn([384, 448], { generator });
  // 2^19 elements: 2^18 pairs, above the threaded fusedMap threshold (2^16 pairs).
  const size = 1 << 19;
  const inputs: Tensor[] = [
    randn([size], { generator }),
    abs(randn([size], { generator })),
    randn([size], { generator }),
  ];
  const scalars = [1.1, 0.9, 1e-8, 0.01];
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;

  setThreadCount(1);
  const oneThread = kernelInfo().threads;
  const product = matmul(a, b).dataSync() as Float32Array;
  const map = fusedMap(adamLike, inputs, scalars).dataSync() as Float32Array;

  setThreadCount(2);
  const twoThreads = await kernelThreadsReady(10_000);
  let rounds = 0;
  let productMismatches = 0;
  let mapMismatches = 0;
  // On a loaded machine a worker may wake after the calling thread has claimed every chunk, so
  // repeat (each result checked) until a worker has run chunks, for at most 40 rounds.
  const chunksBefore = kernelInfo().threads.workerChunks;
  do {
    rounds++;
    productMismatches += mismatches(matmul(a, b).dataSync() as Float32Array, product);
    mapMismatches += mismatches(fusedMap(adamLike, inputs, scalars).dataSync() as Float32Array, map);
  } while (
    twoThreads.active === 2 &&
    rounds < 40 &&
    (rounds < 3 || kernelInfo().threads.workerChunks === chunksBefore)
  );
  const after = kernelInfo().threads;

  // A map kernel compiled after the workers started reaches them through their event loop, so
  // its first section may open before a worker has it (that worker then claims no chunk).
  const late = defineKernel(
    'browserThreads.lateKernel',
    { inputs: ['x', 'y'], scalars: ['scale'] },
    ({ x, y, scale }) => e.add(e.mul(scale, e.sqrt(e.abs(x))), y),
  );
  const lateInputs = [inputs[0]!, inputs[2]!];
  const lateChunksBefore = kernelInfo().threads.workerChunks;
  const lateFirst = fusedMap(late, lateInputs, [0.3]).dataSync() as Float32Array;
  let lateRounds = 1;
  let lateMismatches = 0;
  while (twoThreads.active === 2 && lateRounds < 40 && kernelInfo().threads.workerChunks === lateChunksBefore) {
    lateRounds++;
    lateMismatches += mismatches(fusedMap(late, lateInputs, [0.3]).dataSync() as Float32Array, lateFirst);
  }
  const lateWorkerChunks = kernelInfo().threads.workerChunks - lateChunksBefore;

  const stress = isolated
    ? await runKernelStress({ durationMilliseconds: 2000, threads: 2, minimumEach: 3 })
    : undefined;
  setThreadCount(1);
  lateMismatches += mismatches(fusedMap(late, lateInputs, [0.3]).dataSync() as Float32Array, lateFirst);
  return {
    late: { rounds: lateRounds, workerChunks: lateWorkerChunks, mismatches: lateMismatches },
    crossOriginIsolated: isolated,
    kernelMode: kernelInfo().active,
    oneThread,
    twoThreads,
    rounds,
    productMismatches,
    mapMismatches,
    productLength: product.length,
    mapLength: map.length,
    after,
    stress,
  };
}

// In a Web Worker (the page started it with `?worker`) the bundle runs the checks there, where
// the calling thread may sleep in Atomics.wait, and posts the result back to the page.
const inWorker = (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== undefined;
const report = (result: unknown) => {
  if (inWorker) (globalThis as unknown as { postMessage(message: unknown): void }).postMessage(result);
  else (globalThis as { vaneThreadsResult?: unknown }).vaneThreadsResult = result;
};
const page = globalThis as unknown as { location: { search: string } };
if (!inWorker && page.location.search === '?worker') {
  const WorkerConstructor = (globalThis as unknown as { Worker: new (url: string) => WorkerLike }).Worker;
  const worker = new WorkerConstructor('/bundle.js');
  worker.onmessage = (event) => report({ ...(event.data as object), inWorker: true });
  worker.onerror = (event) => report({ error: `the worker failed: ${event.message}` });
} else {
  run().then(
    (result) => report({ ...result, inWorker, defaultThreads }),
    (error: Error) => report({ error: `${error.message}\n${error.stack}` }),
  );
}

interface WorkerLike {
  onmessage: (event: { data: unknown }) => void;
  onerror: (event: { message: string }) => void;
}
