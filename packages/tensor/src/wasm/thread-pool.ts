/**
 * Worker threads for the float32 matmul kernel, on the shared WebAssembly kernel memory.
 *
 * Why the earlier two-thread matmul raced and why this one cannot: that worker was posted a job
 * and awaited later, so the main thread could run other kernels (which reuse the same scratch
 * regions of the kernel memory, see `reserve`) while the worker still read and wrote them.
 * Here a parallel section is one synchronous call (`runSection`): it publishes the job, works
 * on it itself, closes it, and blocks until no worker is inside it before it returns. Workers
 * touch the kernel memory only inside that interval, and during it the main thread runs
 * nothing else (JavaScript is single-threaded and the call does not yield), so no other kernel
 * can reserve, pack or read the memory the workers use. Each chunk of the job writes a
 * disjoint range of the output (C's row panels, or element pairs) and only reads the inputs.
 *
 * Why chunks are claimed rather than assigned: on a loaded machine the scheduler can leave a
 * woken worker parked for milliseconds, and a section that gave it a fixed half would wait for
 * it (the second thread made the MLP step slower, 0.85×). Here every thread, the main one
 * included, claims the next chunk from a shared counter until none is left, so a worker that
 * wakes late finds the work done and the section takes at most one chunk longer than on one
 * thread. Chunks shrink as they are claimed (guided self-scheduling, `chunkStart`): the big
 * ones go first, and the chunk another thread still runs when one finds none left is small. The section state is the generation word: odd while a section is open, even once
 * the main thread has closed it. A worker announces itself (ACTIVE + 1) and only then checks
 * that the generation it woke for is still open; the main thread closes the generation and
 * only then reads ACTIVE. Both are sequentially consistent atomics, so either the worker sees
 * the section closed (and touches nothing) or the main thread sees the worker and waits for
 * it: a late worker can never run a chunk of a section that has returned.
 *
 * Node starts the workers with `worker_threads`, browsers with Web Workers (a classic worker
 * from a Blob URL of source text, so no bundler has to find a worker file); both
 * instantiate the same kernel module on the same shared memory. A browser's main thread may
 * not call `Atomics.wait`, so there the section's final wait spins on `Atomics.load` instead;
 * the argument above does not depend on how the main thread waits, only on its not returning
 * before ACTIVE is 0. Where `SharedArrayBuffer` is missing (a page without cross-origin
 * isolation) the kernel memory is not shared and the pool is not started:
 * `kernelInfo().threads.reason` says so.
 */
import { packPanels } from './simd-kernels-module.js';
import { SIMD_MATH_IMPORTS } from './simd-math.js';

/** Control words in the pool's own SharedArrayBuffer (not the kernel memory). */
const GENERATION = 0; // odd: a section is open; even: closed. Workers wait on it
const ACTIVE = 1; // workers inside the current section (announced, not yet left)
const READY = 2; // workers that have instantiated the module
const STOP = 3; // 1: workers leave their loop
const ERROR = 4; // 1: a worker's chunk threw
const PARTS = 5; // how many chunks the section is cut into
const KIND = 6; // 0: gemm_tiles; 1: an elementwise map kernel
const NEXT = 7; // the next chunk to claim (claims at or past PARTS find nothing)
const ARGUMENTS = 8; // gemm: its 7 arguments, 1 if the fused kernel is used, the depth block, 1 to overwrite C, A's row packing or gathering (see runGemmShare), B's column packing (see runColumnPackShare); map: see runMapShare
/** The most pointer arguments and scalars an elementwise kernel may have to run threaded. */
const MAP_MAXIMUM_POINTERS = 24;
const MAP_MAXIMUM_SCALARS = 16;
/** Chunks run by worker threads (not the calling thread) since the pool started: the proof that they work. */
const WORKER_CHUNKS = ARGUMENTS + 4 + MAP_MAXIMUM_POINTERS;
const DIVISOR = WORKER_CHUNKS + 1; // the section's chunk sizes, see chunkStart
const MINIMUM = WORKER_CHUNKS + 2;
const TOTAL = WORKER_CHUNKS + 3; // the units the section's chunks cut
const PREFIX = WORKER_CHUNKS + 4; // chunks claimed before the cut ones, which these wait for (gemm: B's packing)
const PREFIX_DONE = WORKER_CHUNKS + 5; // prefix chunks finished (or failed)
const CONTROL_WORDS = WORKER_CHUNKS + 6;
// The map kernels' scalars, as float64, after the int32 words (8-byte aligned).
const SCALARS = Math.ceil(CONTROL_WORDS / 2);
const CONTROL_BYTES = (SCALARS + MAP_MAXIMUM_SCALARS) * 8;
/**
 * Loads of the generation word a worker makes before it sleeps (a few tens of microseconds):
 * long enough to catch the next kernel of a step, short enough not to hold a core that other
 * processes want.
 */
const WORKER_SPINS = 20000;
/** Loads of ACTIVE the main thread makes before it sleeps while a worker finishes its chunk. */
const MAIN_SPINS = 20000;
/**
 * A chunk takes 1/(SCHEDULE_FACTOR·threads) of the units still unclaimed (see `chunkStart`):
 * big chunks first, small ones last, so that when one thread finds nothing left the chunk
 * still in flight on another is small.
 */
const SCHEDULE_FACTOR = 2;

/**
 * The first unit (row panel, element pair or item) of chunk `part` when `total` units are cut
 * by guided self-scheduling: chunk i takes ⌈remaining / divisor⌉ units, at least `minimum`.
 * Why decreasing sizes: a section ends when its last chunk does, and the thread that finds no
 * chunk left waits for the others' chunks in flight; equal chunks made that wait half a chunk
 * on average (the main thread's spin at the end of a section was 8.5% of the MLP step), while
 * here the last chunks are the smallest. The sizes depend only on the chunk's index, never on
 * which thread claims it, so every thread computes the same ranges. Self-contained: the
 * workers get its source text.
 *
 * @example
 * chunkStart(2, 32, 4, 1) // 14: the chunks of 32 row panels on two threads are 8, 6, 5, ...
 */
export function chunkStart(part: number, total: number, divisor: number, minimum: number): number {
  let start = 0;
  for (let index = 0; index < part && start < total; index++)
    start += Math.max(minimum, Math.ceil((total - start) / divisor));
  return Math.min(start, total);
}

/**
 * How many chunks `chunkStart` cuts `total` units into.
 *
 * @example
 * chunkCount(32, 4, 1) // 10
 */
export function chunkCount(total: number, divisor: number, minimum: number): number {
  let parts = 0;
  for (let start = 0; start < total; parts++) start += Math.max(minimum, Math.ceil((total - start) / divisor));
  return parts;
}

/**
 * Runs row panels [first, last) of one gemm_tiles call (a chunk's range from `chunkStart`): a contiguous range of A's row panels
 * (and so of C's rows), over every block of the depth. A and B hold the whole depth as
 * consecutive blocks of `depthBlock` (the last one shorter): the block at depth k0 starts at
 * `mPanels·4·k0` floats in A and `nPanels·8·k0` in B, so one section covers the whole product
 * and a thread keeps its rows of C in cache from one block to the next. With row packing on
 * (`packRowsInNextGemm`), the chunk first packs its own row panels of each depth block from A
 * where it lies in the kernel memory: no other chunk reads them, so the packing needs no
 * synchronisation and runs on every thread of the section. Self-contained (no imports, no
 * outer names: `packPanels` comes as `pack`, since a bundler may rename an outer name) because
 * its source is also the workers' copy, via `Function.prototype.toString`: one implementation
 * of the split.
 */
function runGemmShare(
  exports: Record<string, unknown>,
  words: Int32Array,
  argumentsIndex: number,
  first: number,
  last: number,
  pack: typeof packPanels,
): void {
  const aPack = words[argumentsIndex]!;
  const bPack = words[argumentsIndex + 1]!;
  const c = words[argumentsIndex + 2]!;
  const mPanels = words[argumentsIndex + 3]!;
  const nPanels = words[argumentsIndex + 4]!;
  const depth = words[argumentsIndex + 5]!;
  const blockPanels = words[argumentsIndex + 6]!;
  const fused = words[argumentsIndex + 7] === 1;
  const depthBlock = words[argumentsIndex + 8]!;
  const overwrite = words[argumentsIndex + 9] === 1;
  const packRows = words[argumentsIndex + 10] === 1;
  const gatherRows = words[argumentsIndex + 10] === 2;
  if (last <= first) return;
  // Row panels are 4 rows (GEMM_ROWS) of kc floats in A, and 4 rows of nPanels·8 floats in C.
  const kernel = (fused ? exports.gemm_tiles_fma : exports.gemm_tiles) as (...values: number[]) => void;
  // With overwrite the first block stores its tiles (C = A·B) and the later ones add to them,
  // so C is never zeroed; the _store kernels sit in the same module as the adding ones.
  const storing = (fused ? exports.gemm_tiles_fma_store : exports.gemm_tiles_store) as (...values: number[]) => void;
  const cStart = c + first * 4 * nPanels * 8 * 4;
  for (let k0 = 0; k0 < depth; k0 += depthBlock) {
    const kc = Math.min(depthBlock, depth - k0);
    const aBlock = aPack + mPanels * 4 * k0 * 4;
    const bBlock = bPack + nPanels * 8 * k0 * 4;
    if (packRows) {
      // A's rows: from byte `source`, rows `laneBytes` apart, depth steps `depthBytes`.
      const laneBytes = words[argumentsIndex + 12]!;
      const depthBytes = words[argumentsIndex + 13]!;
      const rows = words[argumentsIndex + 14]!;
      const source = words[argumentsIndex + 11]! + k0 * depthBytes;
      const wholeEnd = Math.min(last, rows >> 2);
      if (wholeEnd > first)
        pack(
          exports,
          source + first * 4 * laneBytes,
          aBlock + first * 16 * kc,
          wholeEnd - first,
          4,
          4,
          kc,
          laneBytes,
          depthBytes,
        );
      // The partial last panel: its padding rows were zeroed by the caller.
      if (last > wholeEnd && (rows & 3) !== 0)
        pack(
          exports,
          source + wholeEnd * 4 * laneBytes,
          aBlock + wholeEnd * 16 * kc,
          1,
          4,
          rows & 3,
          kc,
          laneBytes,
          depthBytes,
        );
    }
    if (gatherRows) {
      // A's row panels are 4 consecutive positions of a padded grid, each gathered through a
      // table of byte offsets (one per depth step, see gatherRowsInNextGemm): panel P is panel
      // P mod panelsPerSegment of segment ⌊P / panelsPerSegment⌋, and segments run
      // segmentsPerImage per image. A run of panels within one segment is one gather call.
      const gather = exports.gather_panels as (...values: number[]) => void;
      const table = words[argumentsIndex + 11]! + k0 * 4;
      const grid = words[argumentsIndex + 12]!;
      const imageBytes = words[argumentsIndex + 13]!;
      const segmentsPerImage = words[argumentsIndex + 14]!;
      const panelsPerSegment = words[argumentsIndex + 15]!;
      const segmentBytes = words[argumentsIndex + 16]!;
      for (let panel = first; panel < last;) {
        const segment = Math.floor(panel / panelsPerSegment);
        const within = panel - segment * panelsPerSegment;
        const run = Math.min(last, (segment + 1) * panelsPerSegment) - panel;
        const image = Math.floor(segment / segmentsPerImage);
        const source = grid + image * imageBytes + (segment - image * segmentsPerImage) * segmentBytes + within * 16;
        gather(table, kc, source, aBlock + panel * 16 * kc, run, 16, 16 * kc);
        panel += run;
      }
    }
    (overwrite && k0 === 0 ? storing : kernel)(
      aBlock + first * kc * 4 * 4,
      bBlock,
      cStart,
      last - first,
      nPanels,
      kc,
      blockPanels,
    );
  }
}

/**
 * Runs prefix chunk `part` of `parts` of a gemm section that packs B itself
 * (`packColumnsInNextGemm`): an equal share of B's column panels over every depth block (in
 * the layout `runGemmShare` reads: block k0 at `nPanels·8·k0` floats, panel j of it `8·kc`
 * floats further per panel), from B where it lies in the kernel memory. Every row chunk of the
 * section reads every B panel, so the row chunks start only once all prefix chunks are done
 * (PREFIX_DONE, see `runSection`). Why: packing B on the calling thread before the section
 * (0.13 ms of the MLP step's 3.3) left the workers idle meanwhile. A partial last panel's
 * padding columns were zeroed by the caller. Self-contained for the same reason as
 * `runGemmShare`.
 */
function runColumnPackShare(
  exports: Record<string, unknown>,
  words: Int32Array,
  argumentsIndex: number,
  part: number,
  parts: number,
  pack: typeof packPanels,
): void {
  const bPack = words[argumentsIndex + 1]!;
  const nPanels = words[argumentsIndex + 4]!;
  const depth = words[argumentsIndex + 5]!;
  const depthBlock = words[argumentsIndex + 8]!;
  const source = words[argumentsIndex + 18]!;
  const laneBytes = words[argumentsIndex + 19]!;
  const depthBytes = words[argumentsIndex + 20]!;
  const columns = words[argumentsIndex + 21]!;
  // Units are (depth block, column panel) pairs, block-major; the part takes an equal range.
  const units = Math.ceil(depth / depthBlock) * nPanels;
  const last = Math.floor(((part + 1) * units) / parts);
  const whole = columns >> 3;
  for (let unit = Math.floor((part * units) / parts); unit < last;) {
    const block = Math.floor(unit / nPanels);
    const first = unit - block * nPanels;
    const end = Math.min(last - block * nPanels, nPanels);
    const k0 = block * depthBlock;
    const kc = Math.min(depthBlock, depth - k0);
    const blockSource = source + k0 * depthBytes;
    const blockTarget = bPack + nPanels * 8 * k0 * 4;
    const wholeEnd = Math.min(end, whole);
    if (wholeEnd > first)
      pack(
        exports,
        blockSource + first * 8 * laneBytes,
        blockTarget + first * 32 * kc,
        wholeEnd - first,
        8,
        8,
        kc,
        laneBytes,
        depthBytes,
      );
    if (end > whole)
      pack(
        exports,
        blockSource + whole * 8 * laneBytes,
        blockTarget + whole * 32 * kc,
        1,
        8,
        columns & 7,
        kc,
        laneBytes,
        depthBytes,
      );
    unit = block * nPanels + end;
  }
}

/**
 * Runs pairs [first, last) (a chunk's range from `chunkStart`) of one elementwise map kernel call: `kernel(p0, ..., count,
 * s0, ...)` over `count` pairs of float32 elements (8 bytes per pointer per pair; pair i of
 * every pointer is independent of every other pair). Words from `base`: module id, pointer
 * count, pair count, scalar count, pointers; scalars in `scalars` from `scalarBase`.
 * Self-contained for the same reason as `runGemmShare`.
 */
function runMapShare(
  kernel: (...values: number[]) => void,
  words: Int32Array,
  scalars: Float64Array,
  base: number,
  scalarBase: number,
  first: number,
  last: number,
): void {
  const pointerCount = words[base + 1]!;
  const scalarCount = words[base + 3]!;
  if (last <= first) return;
  const values: number[] = [];
  for (let index = 0; index < pointerCount; index++) values.push(words[base + 4 + index]! + first * 8);
  values.push(last - first);
  for (let index = 0; index < scalarCount; index++) values.push(scalars[scalarBase + index]!);
  kernel(...values);
}

// The Math functions that compiled map kernels import (simd-math.ts), as worker source text.
const MATH_IMPORTS_SOURCE = Object.keys(SIMD_MATH_IMPORTS)
  .map((name) => `${name}: Math.${name}`)
  .join(', ');

// The functions both worker sources (Node's and the browser's) run, as source text.
const SHARED_FUNCTIONS_SOURCE = `const chunkStart = ${chunkStart.toString()};
const packPanels = ${packPanels.toString()};
const runGemmShare = ${runGemmShare.toString()};
const runColumnPackShare = ${runColumnPackShare.toString()};
const runMapShare = ${runMapShare.toString()};`;

// The open section's words a worker reads before claiming chunks (both worker sources).
const SECTION_WORDS_SOURCE = `const parts = Atomics.load(words, ${PARTS});
const divisor = Atomics.load(words, ${DIVISOR});
const minimum = Atomics.load(words, ${MINIMUM});
const total = Atomics.load(words, ${TOTAL});
const prefix = Atomics.load(words, ${PREFIX});
const gemm = Atomics.load(words, ${KIND}) === 0;`;

// A worker's part of an open section, the same in both worker sources: claim chunks until none
// is left; the first `prefix` ones pack B's column panels (see runColumnPackShare), the later
// ones wait for those and run their share of the gemm or map kernel. It reads the section's
// words (`parts`, `prefix`, `total`, `divisor`, `minimum`, `gemm`) and `kernel` from the
// surrounding source.
const CLAIM_CHUNKS_SOURCE = `for (let part = Atomics.add(words, ${NEXT}, 1); part < parts; part = Atomics.add(words, ${NEXT}, 1)) {
  if (part < prefix) {
    try {
      runColumnPackShare(exports, words, ${ARGUMENTS}, part, prefix, packPanels);
    } finally {
      Atomics.add(words, ${PREFIX_DONE}, 1);
    }
  } else {
    while (Atomics.load(words, ${PREFIX_DONE}) < prefix);
    const first = chunkStart(part - prefix, total, divisor, minimum);
    const last = chunkStart(part - prefix + 1, total, divisor, minimum);
    if (gemm) runGemmShare(exports, words, ${ARGUMENTS}, first, last, packPanels);
    else runMapShare(kernel, words, scalars, ${ARGUMENTS}, ${SCALARS}, first, last);
  }
  Atomics.add(words, ${WORKER_CHUNKS}, 1);
}`;

// Plain JavaScript: a worker started with `eval` runs CommonJS, not TypeScript. Map kernels
// live in modules compiled after the worker started; each arrives as a message (sent when the
// module is registered, before any section uses it) and is taken synchronously with
// receiveMessageOnPort, since the worker never returns to its event loop.
const WORKER_SOURCE = `
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const { module, memory, control, index } = workerData;
const words = new Int32Array(control);
const scalars = new Float64Array(control);
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const mapKernels = new Map();
${SHARED_FUNCTIONS_SOURCE}
function mapKernel(id) {
  for (let tries = 0; !mapKernels.has(id) && tries < 1000; tries++) {
    const message = receiveMessageOnPort(parentPort);
    if (message) mapKernels.set(message.message.id, new WebAssembly.Instance(message.message.module, { env: { memory, ${MATH_IMPORTS_SOURCE} } }).exports.fused);
    else Atomics.wait(words, ${STOP}, 0, 1);
  }
  const kernel = mapKernels.get(id);
  if (!kernel) throw new Error('kernel module ' + id + ' never arrived');
  return kernel;
}
Atomics.add(words, ${READY}, 1);
Atomics.notify(words, ${READY});
let seen = 0;
for (;;) {
  // Spin a little before sleeping: the kernels of a training step come back to back, and a
  // sleeping thread takes tens of microseconds to wake.
  let generation = Atomics.load(words, ${GENERATION});
  for (let spins = 0; (generation === seen || (generation & 1) === 0) && spins < ${WORKER_SPINS}; spins++)
    generation = Atomics.load(words, ${GENERATION});
  while (generation === seen || (generation & 1) === 0) {
    Atomics.wait(words, ${GENERATION}, generation);
    generation = Atomics.load(words, ${GENERATION});
    // Woken early (wakeKernelWorkers) for a section about to open: spin for it again.
    for (let spins = 0; (generation === seen || (generation & 1) === 0) && spins < ${WORKER_SPINS}; spins++)
      generation = Atomics.load(words, ${GENERATION});
  }
  seen = generation;
  if (Atomics.load(words, ${STOP}) === 1) break;
  Atomics.add(words, ${ACTIVE}, 1);
  // Announced first, then checked: see the file comment of thread-pool.ts.
  if (Atomics.load(words, ${GENERATION}) === generation) {
    try {
      ${SECTION_WORDS_SOURCE}
      const kernel = gemm ? undefined : mapKernel(words[${ARGUMENTS}]);
      ${CLAIM_CHUNKS_SOURCE}
    } catch (error) {
      Atomics.store(words, ${ERROR}, 1);
    }
  }
  if (Atomics.sub(words, ${ACTIVE}, 1) === 1) Atomics.notify(words, ${ACTIVE});
}
`;

/** Milliseconds a browser worker sleeps in `Atomics.wait` before it lets its event loop run. */
const BROWSER_IDLE_MILLISECONDS = 50;

// The browser worker: the same section protocol as WORKER_SOURCE; what differs is how it
// starts (one message, see below) and how map kernels arrive. A Web Worker has no receiveMessageOnPort, so map-kernel modules arrive through
// its event loop, which runs only when the loop below awaits: after an idle wait times out,
// and after a section whose map kernel has not arrived yet. The worker takes no chunk of
// such a section (the other threads claim them all; correct, only less parallel), then yields
// so that the module is there for the next one. The first message carries the kernel module,
// the shared kernel memory, the control words and the map-kernel modules registered so far;
// later ones are map-kernel modules registered after the start.
const BROWSER_WORKER_SOURCE = `
'use strict';
${SHARED_FUNCTIONS_SOURCE}
const mapKernels = new Map();
let memory;
const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));
self.onmessage = (event) => {
  const message = event.data;
  if (message.control) {
    memory = message.memory;
    message.mapModules.forEach((module, index) => mapKernels.set(index + 1, new WebAssembly.Instance(module, { env: { memory, ${MATH_IMPORTS_SOURCE} } }).exports.fused));
    run(message.module, message.control).catch((error) => {
      setTimeout(() => { throw error; });
    });
  } else {
    mapKernels.set(message.id, new WebAssembly.Instance(message.module, { env: { memory, ${MATH_IMPORTS_SOURCE} } }).exports.fused);
  }
};
async function run(module, control) {
  const words = new Int32Array(control);
  const scalars = new Float64Array(control);
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  Atomics.add(words, ${READY}, 1);
  let seen = 0;
  for (;;) {
    let generation = Atomics.load(words, ${GENERATION});
    for (let spins = 0; (generation === seen || (generation & 1) === 0) && spins < ${WORKER_SPINS}; spins++)
      generation = Atomics.load(words, ${GENERATION});
    while (generation === seen || (generation & 1) === 0) {
      const woken = Atomics.wait(words, ${GENERATION}, generation, ${BROWSER_IDLE_MILLISECONDS});
      if (woken === 'timed-out') await yieldToEventLoop();
      generation = Atomics.load(words, ${GENERATION});
      // Woken early (wakeKernelWorkers) for a section about to open: spin for it again.
      if (woken === 'ok')
        for (let spins = 0; (generation === seen || (generation & 1) === 0) && spins < ${WORKER_SPINS}; spins++)
          generation = Atomics.load(words, ${GENERATION});
    }
    seen = generation;
    if (Atomics.load(words, ${STOP}) === 1) break;
    let missingKernel = false;
    Atomics.add(words, ${ACTIVE}, 1);
    // Announced first, then checked: see the file comment of thread-pool.ts.
    if (Atomics.load(words, ${GENERATION}) === generation) {
      try {
        ${SECTION_WORDS_SOURCE}
        const kernel = gemm ? undefined : mapKernels.get(words[${ARGUMENTS}]);
        missingKernel = !gemm && !kernel;
        if (!missingKernel)
          ${CLAIM_CHUNKS_SOURCE}
      } catch (error) {
        Atomics.store(words, ${ERROR}, 1);
      }
    }
    if (Atomics.sub(words, ${ACTIVE}, 1) === 1) Atomics.notify(words, ${ACTIVE});
    if (missingKernel) await yieldToEventLoop();
  }
  self.close();
}
`;

interface Pool {
  workers: { terminate(): unknown; postMessage(message: unknown): void }[];
  words: Int32Array;
  scalars: Float64Array;
  /** Releases what the pool holds besides its workers (a browser pool's Blob URL). */
  release?: () => void;
}

/** Map-kernel modules by id (id - 1), sent to every worker when registered or started. */
const mapModules: WebAssembly.Module[] = [];

// The parts of Node's `worker_threads` and `os` used here, written out rather than taken from
// @types/node: this file is part of @vane/tensor's browser-safe entry, which type-checks (and
// installs for consumers) without Node's types. Both modules are reached at run time through
// `process.getBuiltinModule`, so no bundler ever sees a `node:` import.
interface KernelWorker {
  unref(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  terminate(): Promise<number>;
  postMessage(message: unknown): void;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => KernelWorker;
  isMainThread: boolean;
}
interface OperatingSystem {
  availableParallelism?: () => number;
}

// The parts of the Web Worker API used here (the DOM types are not in this package's lib).
interface WebWorker {
  addEventListener(event: 'error' | 'messageerror', listener: (event: { message?: string }) => void): void;
  terminate(): void;
  postMessage(message: unknown): void;
}
interface WebWorkerGlobals {
  Worker?: new (url: string, options: { name: string }) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL?: { createObjectURL(blob: unknown): string; revokeObjectURL(url: string): void };
}

function nodeWorkerThreads(): WorkerThreads | undefined {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  return nodeProcess?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
}

function defaultThreadCount(): number {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.VANE_THREADS;
  if (environment !== undefined && /^[1-9][0-9]*$/.test(environment)) return Number(environment);
  // Code already running on a worker thread (a study's run in `vane sweep`, a user's own pool)
  // stays on one kernel thread unless told otherwise: its siblings use the other cores, and a
  // kernel pool started from inside such a worker was seen to block for good (the worker
  // waiting in Atomics.wait for kernel threads that never started).
  if (nodeWorkerThreads()?.isMainThread === false) return 1;
  // The same in a browser's Web Worker (the playground's sweep runs one per study), for the
  // first reason: several such workers each starting a pool would oversubscribe the cores.
  if ((globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== undefined) return 1;
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const os = nodeProcess?.getBuiltinModule?.('node:os') as OperatingSystem | undefined;
  if (os?.availableParallelism) return os.availableParallelism();
  const navigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return navigator?.hardwareConcurrency ?? 1;
}

let requestedThreads = defaultThreadCount();
let pool: Pool | undefined;
/** The pool of an earlier thread count, kept for when that count comes back (see `setThreadCount`). */
let parkedPool: Pool | undefined;
let poolFailure: string | undefined;
let parallelCalls = 0;
/** Worker chunks counted by pools that have since stopped. */
let stoppedPoolsWorkerChunks = 0;

function workerChunks(): number {
  return (
    stoppedPoolsWorkerChunks +
    (pool ? Atomics.load(pool.words, WORKER_CHUNKS) : 0) +
    (parkedPool ? Atomics.load(parkedPool.words, WORKER_CHUNKS) : 0)
  );
}

/** Why the pool cannot run here, or undefined where it can. */
function unavailableReason(memory: WebAssembly.Memory): string | undefined {
  if (typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) {
    return 'SharedArrayBuffer is unavailable (a page without cross-origin isolation): one thread';
  }
  if (!nodeWorkerThreads() && !webWorkersAvailable())
    return "no worker threads here (neither Node's worker_threads nor Web Workers with Blob URLs): one thread";
  return poolFailure;
}

function webWorkersAvailable(): boolean {
  const globals = globalThis as WebWorkerGlobals;
  return globals.Worker !== undefined && globals.Blob !== undefined && globals.URL?.createObjectURL !== undefined;
}

/** The pool on Web Workers: each posted the kernel module, the shared memory and the control words. */
function startWebWorkerPool(module: WebAssembly.Module, memory: WebAssembly.Memory): Pool | undefined {
  const globals = globalThis as Required<WebWorkerGlobals>;
  let url: string | undefined;
  try {
    url = globals.URL.createObjectURL(new globals.Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const words = new Int32Array(control);
    const workers = Array.from({ length: requestedThreads - 1 }, (_, index) => {
      const worker = new globals.Worker(url!, { name: `vane kernel thread ${index + 1}` });
      // A worker that cannot start (a Content-Security-Policy without worker-src blob:, a
      // failed instantiation) never counts itself READY; this makes the pool report why.
      worker.addEventListener('error', (event) => {
        poolFailure = event.message
          ? `a kernel worker failed: ${event.message}`
          : 'a kernel worker failed without a message (as when a Content-Security-Policy does not allow worker-src blob:)';
      });
      worker.addEventListener('messageerror', () => {
        poolFailure = 'a kernel worker could not receive the shared kernel memory';
      });
      worker.postMessage({ module, memory, control, mapModules: [...mapModules] });
      return worker;
    });
    const blobUrl = url;
    return { workers, words, scalars: new Float64Array(control), release: () => globals.URL.revokeObjectURL(blobUrl) };
  } catch (error) {
    if (url !== undefined) globals.URL.revokeObjectURL(url);
    poolFailure = `Web Workers could not start: ${(error as Error).message}`;
    return undefined;
  }
}

function startPool(module: WebAssembly.Module, memory: WebAssembly.Memory): Pool | undefined {
  if (requestedThreads <= 1) return undefined;
  const threads = nodeWorkerThreads();
  if (!threads) return webWorkersAvailable() ? startWebWorkerPool(module, memory) : undefined;
  try {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const words = new Int32Array(control);
    const workers = Array.from({ length: requestedThreads - 1 }, (_, index) => {
      const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, index } });
      // Idle workers block in Atomics.wait; they must not keep the process alive.
      worker.unref();
      worker.on('error', (error) => {
        poolFailure = `a kernel worker failed: ${error.message}`;
      });
      mapModules.forEach((mapModule, index) => worker.postMessage({ id: index + 1, module: mapModule }));
      return worker;
    });
    return { workers, words, scalars: new Float64Array(control) };
  } catch (error) {
    poolFailure = `worker threads could not start: ${(error as Error).message}`;
    return undefined;
  }
}

/** Stops a pool's workers for good. */
function stopPool(stopping: Pool | undefined): void {
  if (!stopping) return;
  stoppedPoolsWorkerChunks += Atomics.load(stopping.words, WORKER_CHUNKS);
  Atomics.store(stopping.words, STOP, 1);
  // Between sections the generation is even: one more makes it odd, a generation no worker has seen.
  Atomics.add(stopping.words, GENERATION, 1);
  Atomics.notify(stopping.words, GENERATION);
  for (const worker of stopping.workers) void worker.terminate();
  stopping.release?.();
}

/**
 * Sets how many threads the threaded kernels (matmul, conv2d, large fusedMap calls) may use,
 * the calling thread included: 1 runs them on the calling thread only. The default is
 * `VANE_THREADS` if set, else 1 on a Node worker thread or in a Web Worker, else the available
 * cores (`os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in a browser).
 * Workers (`worker_threads` in Node, Web Workers in a cross-origin isolated page) start in the
 * background; until they are ready, the kernels run on one thread.
 *
 * @example
 * setThreadCount(1); // single-threaded kernels
 */
export function setThreadCount(count: number): void {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`setThreadCount: 'count' must be an integer ≥ 1, got ${String(count)}`);
  if (count === requestedThreads) return;
  // The pool is parked, not stopped, and taken back when the count returns: a fresh worker
  // runs its first few hundred milliseconds of kernels several times slower (its JavaScript
  // not yet compiled), and a section waits for the large first chunk such a worker holds;
  // conv2d's first 10 calls after setThreadCount(1) and back to 2 took a median 2.2–2.3 ms
  // (p75 3.5) against 1.9–2.0 (p75 2.0–2.1) with the pool taken back, on a quiet 2-core Node
  // 20. Parked workers sleep in Atomics.wait, unreferenced.
  const previous = pool;
  pool = parkedPool?.workers.length === count - 1 ? parkedPool : undefined;
  if (pool) parkedPool = undefined;
  if (previous) {
    stopPool(parkedPool);
    parkedPool = previous;
  }
  poolFailure = undefined;
  requestedThreads = count;
}

/** The threads a parallel kernel would use now (1 while the workers are starting or absent). */
function readyPool(module: WebAssembly.Module, memory: WebAssembly.Memory): Pool | undefined {
  if (requestedThreads <= 1 || unavailableReason(memory) !== undefined) return undefined;
  pool ??= startPool(module, memory);
  if (!pool || Atomics.load(pool.words, READY) < pool.workers.length) return undefined;
  return pool;
}

/** What `kernelInfo().threads` reports. */
export interface ThreadInfo {
  /** Threads asked for (`setThreadCount`, `VANE_THREADS` or the core count). */
  requested: number;
  /** Threads a large matmul uses now. */
  active: number;
  /** Why fewer threads are active than requested, if they are. */
  reason?: string;
  /** Kernel calls (gemm_tiles and elementwise map kernels) split over more than one thread so far in this process. */
  parallelCalls: number;
  /** Chunks of those calls that worker threads (not the calling thread) ran, so far in this process. */
  workerChunks: number;
}

/** The pool's state for `kernelInfo()`. */
export function threadInfo(module: WebAssembly.Module | undefined, memory: WebAssembly.Memory | undefined): ThreadInfo {
  const requested = requestedThreads;
  if (requested <= 1) return { requested, active: 1, parallelCalls, workerChunks: workerChunks() };
  if (!module || !memory)
    return {
      requested,
      active: 1,
      reason: 'the SIMD kernels are not in use: one thread',
      parallelCalls,
      workerChunks: workerChunks(),
    };
  const reason = unavailableReason(memory);
  if (reason) return { requested, active: 1, reason, parallelCalls, workerChunks: workerChunks() };
  const ready = readyPool(module, memory);
  return ready
    ? { requested, active: ready.workers.length + 1, parallelCalls, workerChunks: workerChunks() }
    : { requested, active: 1, reason: 'worker threads are starting', parallelCalls, workerChunks: workerChunks() };
}

/**
 * Resolves once the workers are ready (or the pool cannot start), polling every few
 * milliseconds; for tests and benchmarks that must measure the threaded kernel.
 *
 * @example
 * await whenThreadsReady(module, memory, 5000);
 */
export async function whenThreadsReady(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  timeoutMilliseconds: number,
): Promise<ThreadInfo> {
  const deadline = Date.now() + timeoutMilliseconds;
  for (;;) {
    const info = threadInfo(module, memory);
    if (
      info.active === info.requested ||
      (info.reason && info.reason !== 'worker threads are starting') ||
      Date.now() > deadline
    )
      return info;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Below this many multiply-adds per call the handshake costs more than a second thread saves. */
const PARALLEL_MINIMUM_WORK = 1 << 20;
/**
 * Multiply-adds a gemm section's smallest (last) chunks aim at: about 25 µs on one core at 40
 * GFLOP/s, so that when one thread finds no chunk left the others' chunks in flight are about
 * that short. With the whole depth in one section, four equal chunks per thread were 160 µs
 * each for the MLP's 128×784·784×256.
 */
const GEMM_CHUNK_WORK = 1 << 19;
/** The fewest row panels in a gemm chunk where a panel is cheap (every B panel loaded is used that often). */
const GEMM_CHUNK_PANELS = 2;
/**
 * The fewest row panels in a gemm chunk where one panel is more than `GEMM_CHUNK_WORK`: the last
 * chunks of the MLP's 128×784·784×256 are one panel (43 µs on one core), not two.
 */
const GEMM_LAST_CHUNK_PANELS = 1;

/**
 * Whether a gemm_tiles call of this size is split over the threads when they run: two chunks
 * of at least `GEMM_CHUNK_PANELS` row panels and `PARALLEL_MINIMUM_WORK` multiply-adds.
 *
 * @example
 * gemmSplitsOverThreads(32, 32, 784) // true: the MLP's first product
 */
export function gemmSplitsOverThreads(mPanels: number, nPanels: number, depth: number): boolean {
  return mPanels >= 2 * GEMM_CHUNK_PANELS && mPanels * nPanels * depth * 32 >= PARALLEL_MINIMUM_WORK;
}

/** The pool (which must be ready) for a gemm_tiles call of this size that it splits, else undefined. */
function gemmReadyPool(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  mPanels: number,
  nPanels: number,
  depth: number,
): Pool | undefined {
  return gemmSplitsOverThreads(mPanels, nPanels, depth) ? readyPool(module, memory) : undefined;
}

/**
 * Wakes sleeping workers ahead of a gemm_tiles call of this size that will be split over the
 * pool, so that they are spinning, not asleep, when the section opens: the caller packs the
 * operands in between, which takes longer than a wake-up (tens of microseconds, more under
 * load). Does nothing for a call that will run on the calling thread alone.
 */
export function wakeWorkersForGemm(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  mPanels: number,
  nPanels: number,
  depth: number,
): void {
  const ready = gemmReadyPool(module, memory, mPanels, nPanels, depth);
  // A notify leaves the generation as it is: a woken worker finds no open section and spins.
  if (ready) Atomics.notify(ready.words, GENERATION);
}

let pendingRowPacking: readonly number[] | undefined;
let pendingColumnPacking: readonly number[] | undefined;

/**
 * Makes the next {@link runGemmTilesInParallel} call pack B's column panels itself, in the
 * first chunks of its section (`runColumnPackShare`), from the float32 matrix at byte `source`
 * in the kernel memory whose `columns` columns are `columnBytes` apart and whose rows (the
 * depth) are `rowBytes` apart, into the call's `bPack` laid out in depth blocks as
 * `runGemmShare` reads them. Why: packing B on the calling thread before the section left the
 * workers idle meanwhile. The caller zeroes the padding columns of a partial last panel and
 * makes the call right after this one (on the calling thread alone, the call packs B first).
 *
 * @example
 * packColumnsInNextGemm(address, 4, 256 * 4, 256); gemmTiles(aPack, bPack, c, 32, 32, 784, 48, 256, true);
 */
export function packColumnsInNextGemm(source: number, columnBytes: number, rowBytes: number, columns: number): void {
  pendingColumnPacking = [1, source, columnBytes, rowBytes, columns];
}

/**
 * Makes the next {@link runGemmTilesInParallel} call pack A's row panels itself, each chunk its
 * own (see `runGemmShare`), from the float32 matrix at byte `source` in the kernel memory whose
 * `rows` rows are `rowBytes` apart and whose columns (the depth) are `columnBytes` apart, into
 * the call's `aPack` laid out in depth blocks as it reads them. Why: packing A on the calling
 * thread before the section left the workers idle meanwhile. The caller zeroes the padding
 * rows of a partial last panel and makes the call right after this one.
 *
 * @example
 * packRowsInNextGemm(address, 784 * 4, 4, 128); gemmTiles(aPack, bPack, c, 32, 32, 784, 48, 256, true);
 */
export function packRowsInNextGemm(source: number, rowBytes: number, columnBytes: number, rows: number): void {
  pendingRowPacking = [1, source, rowBytes, columnBytes, rows];
}

/**
 * Makes the next {@link runGemmTilesInParallel} call gather A's row panels itself, each chunk
 * its own, as the padded-grid convolution's im2col (padded-grid-convolution.ts): a row panel is
 * 4 consecutive positions of a padded grid in the kernel memory, and depth step k of it the 16
 * bytes at the panel's grid address plus the k-th int32 byte offset of `table` (the call's
 * depth of them; a depth block at k0 reads from entry k0). Panels run `panelsPerSegment` to a
 * segment (4 grid positions apart, from the segment's start), segments `segmentBytes` apart,
 * `segmentsPerImage` to an image, images `imageBytes` apart from byte `grid`. Why: gathering on
 * the calling thread before the section (about a third of the conv2d forward pass) left the
 * workers idle, and a chunk that gathers its own panels multiplies them while they are in its
 * cache. The caller makes the gemm call right after this one.
 *
 * @example
 * gatherRowsInNextGemm(table, grid, 16 * 900 * 4, 28, 7, 30 * 4); gemmTiles(aPack, bPack, c, 392, 4, 144, 48);
 */
export function gatherRowsInNextGemm(
  table: number,
  grid: number,
  imageBytes: number,
  segmentsPerImage: number,
  panelsPerSegment: number,
  segmentBytes: number,
): void {
  pendingRowPacking = [2, table, grid, imageBytes, segmentsPerImage, panelsPerSegment, segmentBytes];
}

/**
 * gemm_tiles(aPack, bPack, c, mPanels, nPanels, depth, blockPanels) split by row panels over the
 * pool, returning only when every share is done (see the file comment for why that makes the
 * call race-free). With `depthBlock` < depth, A and B hold the whole depth in blocks of
 * `depthBlock` (see `runGemmShare`) and the one section runs them all. With `overwrite` each
 * share stores its rows of C on the first block (C = A·B, C's old contents ignored); without,
 * it adds to C (C += A·B). Runs on the calling
 * thread alone when the pool is off, starting or the call is small.
 */
export function runGemmTilesInParallel(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  exports: Record<string, unknown>,
  fused: boolean,
  values: readonly [number, number, number, number, number, number, number],
  depthBlock: number = values[5],
  overwrite = false,
): void {
  const [, , , mPanels, nPanels, depth] = values;
  const rowPacking = pendingRowPacking;
  const columnPacking = pendingColumnPacking;
  pendingRowPacking = undefined;
  pendingColumnPacking = undefined;
  // The mode (0 none, 1 pack rows, 2 gather rows) and its arguments, padded to one length;
  // then B's (0 none, 1 pack columns) likewise.
  const packing = [...(rowPacking ?? [0]), 0, 0, 0, 0, 0, 0, 0].slice(0, 7);
  packing.push(...[...(columnPacking ?? [0]), 0, 0, 0, 0].slice(0, 5));
  const ready = gemmReadyPool(module, memory, mPanels, nPanels, depth);
  const words = ready?.words;
  if (!ready || !words) {
    const local = new Int32Array([...values, fused ? 1 : 0, depthBlock, overwrite ? 1 : 0, ...packing]);
    if (columnPacking) runColumnPackShare(exports, local, 0, 0, 1, packPanels);
    runGemmShare(exports, local, 0, 0, mPanels, packPanels);
    return;
  }
  // The smallest chunks as near GEMM_CHUNK_WORK as whole panels allow: GEMM_CHUNK_PANELS row
  // panels where panels are cheap (every B panel loaded is used that often), down to
  // GEMM_LAST_CHUNK_PANELS where one panel is already more than GEMM_CHUNK_WORK.
  const panelWork = nPanels * depth * 32;
  const minimum = Math.min(GEMM_CHUNK_PANELS, Math.max(GEMM_LAST_CHUNK_PANELS, Math.ceil(GEMM_CHUNK_WORK / panelWork)));
  for (let index = 0; index < 7; index++) words[ARGUMENTS + index] = values[index]!;
  words[ARGUMENTS + 7] = fused ? 1 : 0;
  words[ARGUMENTS + 8] = depthBlock;
  words[ARGUMENTS + 9] = overwrite ? 1 : 0;
  packing.forEach((word, index) => (words[ARGUMENTS + 10 + index] = word));
  words[KIND] = 0;
  // B's packing as one chunk per claim of the guided schedule's first round (SCHEDULE_FACTOR per thread).
  const prefix = columnPacking ? SCHEDULE_FACTOR * (ready.workers.length + 1) : 0;
  runSection(
    ready,
    mPanels,
    minimum,
    'matmul',
    (first, last) => runGemmShare(exports, words, ARGUMENTS, first, last, packPanels),
    prefix,
    (part) => runColumnPackShare(exports, words, ARGUMENTS, part, prefix, packPanels),
  );
}

let blockingAllowed: boolean | undefined;

/**
 * Whether this thread may call `Atomics.wait`: Node's threads and Web Workers may, a browser's
 * main thread may not (it throws). Asked once, with a wait that returns at once ('not-equal').
 */
function mayBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1);
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

/**
 * One parallel section over the words already written, its `total` units cut into chunks by
 * `chunkStart` (at least `minimum` units each): opens it, claims chunks alongside the workers
 * until none is left, closes it, and returns only when no worker is inside it (the
 * race-freedom argument of the file comment rests on this function). With `prefix` > 0 the
 * first `prefix` claims run `runPrefix(part)` (a gemm's packing of B) and a thread that claims
 * a later chunk first waits until every prefix chunk is done: all of them were claimed before
 * it, by threads that are running them, so the wait ends.
 */
function runSection(
  ready: Pool,
  total: number,
  minimum: number,
  owner: string,
  runPart: (first: number, last: number) => void,
  prefix = 0,
  runPrefix?: (part: number) => void,
): void {
  const { words } = ready;
  parallelCalls++;
  const divisor = SCHEDULE_FACTOR * (ready.workers.length + 1);
  const parts = prefix + chunkCount(total, divisor, minimum);
  Atomics.store(words, PREFIX, prefix);
  Atomics.store(words, PREFIX_DONE, 0);
  Atomics.store(words, PARTS, parts);
  Atomics.store(words, DIVISOR, divisor);
  Atomics.store(words, MINIMUM, minimum);
  Atomics.store(words, TOTAL, total);
  Atomics.store(words, ERROR, 0);
  Atomics.store(words, NEXT, 0);
  // Even to odd: opens the section and publishes the words above (Atomics are sequentially consistent).
  Atomics.add(words, GENERATION, 1);
  Atomics.notify(words, GENERATION);
  let mainError: unknown;
  try {
    for (let part = Atomics.add(words, NEXT, 1); part < parts; part = Atomics.add(words, NEXT, 1)) {
      if (part < prefix) {
        try {
          runPrefix!(part);
        } finally {
          Atomics.add(words, PREFIX_DONE, 1);
        }
        continue;
      }
      while (Atomics.load(words, PREFIX_DONE) < prefix);
      runPart(
        chunkStart(part - prefix, total, divisor, minimum),
        chunkStart(part - prefix + 1, total, divisor, minimum),
      );
    }
  } catch (error) {
    mainError = error;
    // Leave nothing for the workers to start: the section ends as soon as they finish theirs.
    Atomics.store(words, NEXT, parts);
  }
  // Odd to even: closes it. A worker that announces itself after this sees it closed.
  Atomics.add(words, GENERATION, 1);
  // Wait for every worker still inside, even if a chunk threw: none may still be writing when we return.
  let active = Atomics.load(words, ACTIVE);
  for (let spins = 0; active !== 0 && spins < MAIN_SPINS; spins++) active = Atomics.load(words, ACTIVE);
  // A browser's main thread may not block: there it keeps spinning (the section is short).
  const blocking = mayBlock();
  while (active !== 0) {
    if (blocking) Atomics.wait(words, ACTIVE, active);
    active = Atomics.load(words, ACTIVE);
  }
  if (mainError) throw mainError;
  if (Atomics.load(words, ERROR) === 1)
    throw new Error(`${owner}: a kernel worker thread failed; setThreadCount(1) runs on one thread`);
}

/**
 * Registers a compiled map-kernel module (one exporting `fused`, see simd-expression.ts) so
 * that workers can run it; returns the id to pass to {@link runMapKernelInParallel}.
 */
export function registerMapKernelModule(module: WebAssembly.Module): number {
  mapModules.push(module);
  const id = mapModules.length;
  // A parked pool's workers get it too: they may be taken back (see `setThreadCount`).
  for (const worker of [...(pool?.workers ?? []), ...(parkedPool?.workers ?? [])]) worker.postMessage({ id, module });
  return id;
}

/**
 * Below this many element pairs of a kernel of cost 1 (a copy or an add, see `pairCost` of
 * {@link runMapKernelInParallel}) a map kernel runs on the calling thread alone.
 */
const PARALLEL_MINIMUM_PAIRS = 1 << 16;
/** The fewest element pairs of a kernel of cost 1 in one chunk of a threaded map kernel. */
const MAP_MINIMUM_CHUNK_PAIRS = 1 << 13;
/** The smallest chunk of a threaded item kernel is this fraction of its items. */
const ITEM_CHUNKS = 32;

/**
 * `kernel(...pointers, count, ...scalars)` (a registered map kernel, `count` pairs of float32
 * elements) split by pair ranges over the pool, returning only when every share is done. Runs
 * on the calling thread alone when the pool is off, starting or the call is small: below
 * `PARALLEL_MINIMUM_PAIRS / pairCost` pairs, where `pairCost` is the kernel's estimated time per
 * pair relative to an add of two tensors (so an optimizer update with a square root and a
 * division splits at fewer elements than an add, whose handshake costs as much).
 */
export function runMapKernelInParallel(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  kernel: (...values: number[]) => void,
  moduleId: number,
  pointers: readonly number[],
  count: number,
  scalars: readonly number[],
  pairCost = 1,
): void {
  const ready =
    count * pairCost >= PARALLEL_MINIMUM_PAIRS &&
    pointers.length <= MAP_MAXIMUM_POINTERS &&
    scalars.length <= MAP_MAXIMUM_SCALARS
      ? readyPool(module, memory)
      : undefined;
  if (!ready) {
    kernel(...pointers, count, ...scalars);
    return;
  }
  const { words } = ready;
  const minimum = Math.max(1, Math.ceil(MAP_MINIMUM_CHUNK_PAIRS / pairCost));
  words[KIND] = 1;
  words[ARGUMENTS] = moduleId;
  words[ARGUMENTS + 1] = pointers.length;
  words[ARGUMENTS + 2] = count;
  words[ARGUMENTS + 3] = scalars.length;
  pointers.forEach((pointer, index) => (words[ARGUMENTS + 4 + index] = pointer));
  scalars.forEach((scalar, index) => (ready.scalars[SCALARS + index] = scalar));
  runSection(ready, count, minimum, 'fusedMap', (first, last) =>
    runMapShare(kernel, words, ready.scalars, ARGUMENTS, SCALARS, first, last),
  );
}

/**
 * `kernel(8·first, count, ...scalars)` for `items` independent items, split into ranges of
 * items over the pool and returning only when every range is done. `kernel` is the `fused`
 * export of a module registered with {@link registerMapKernelModule}; it runs through the map
 * kernels' protocol (one pointer, starting at 0, that `runMapShare` advances by 8 bytes per
 * item), so its first argument is 8 times its first item. Each item must be computed whole by
 * whichever thread claims it, so that the results do not depend on the thread count (the
 * reductions of simd-reductions.ts). The caller decides whether the call is large enough to
 * split; this runs on the calling thread alone when the pool is off or starting, or there is
 * one item.
 */
export function runItemsInParallel(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  kernel: (...values: number[]) => void,
  moduleId: number,
  items: number,
  scalars: readonly number[],
  owner: string,
): void {
  const ready = items >= 2 && scalars.length <= MAP_MAXIMUM_SCALARS ? readyPool(module, memory) : undefined;
  if (!ready) {
    kernel(0, items, ...scalars);
    return;
  }
  const { words } = ready;
  const minimum = Math.ceil(items / ITEM_CHUNKS);
  words[KIND] = 1;
  words[ARGUMENTS] = moduleId;
  words[ARGUMENTS + 1] = 1;
  words[ARGUMENTS + 2] = items;
  words[ARGUMENTS + 3] = scalars.length;
  words[ARGUMENTS + 4] = 0;
  scalars.forEach((scalar, index) => (ready.scalars[SCALARS + index] = scalar));
  runSection(ready, items, minimum, owner, (first, last) =>
    runMapShare(kernel, words, ready.scalars, ARGUMENTS, SCALARS, first, last),
  );
}
