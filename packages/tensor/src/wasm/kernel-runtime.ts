/**
 * Loading the SIMD kernels and choosing between them and the scalar TypeScript kernels.
 *
 * The module is emitted and compiled synchronously on first use. When WebAssembly SIMD is
 * unavailable (or compiling fails) every op silently uses the scalar kernels, and
 * {@link kernelInfo} says why. `VANE_KERNELS=scalar` in the environment, or
 * `setKernelMode('scalar')`, forces the scalar kernels (the tests run both modes).
 */
import { kernelFallbacks, type KernelFallback } from '../kernels/expression/fallbacks.js';
import { relaxedSimdSupported, simdKernelsModule, type SimdBinaryOp } from './simd-kernels-module.js';
import { allocateBlock, bindKernelHeap, freeBlock } from './kernel-heap.js';
import { SIMD_MATH_IMPORTS } from './simd-math.js';
import type { StridedFloatCopy } from './strided-copy.js';
import { encodeModule, type FunctionDefinition } from './wasm-encoder.js';
import { runGemmTilesInParallel, threadInfo, whenThreadsReady, type ThreadInfo } from './thread-pool.js';

/** Which kernels float32 ops use: the WebAssembly SIMD ones or the scalar TypeScript ones. */
export type KernelMode = 'simd' | 'scalar';

/** What {@link kernelInfo} reports. */
export interface KernelInfo {
  /** The mode requested (by `setKernelMode` or `VANE_KERNELS`). */
  requested: KernelMode;
  /** The mode in effect: 'scalar' if SIMD was requested but is unavailable. */
  active: KernelMode;
  /** Whether WebAssembly SIMD compiled and runs here. */
  simdAvailable: boolean;
  /** Why SIMD is unavailable, if it is. */
  fallbackReason?: string;
  /** The kernels that have a SIMD version (everything else, and float64, is scalar). */
  simdKernels: string[];
  /**
   * Every kernel call that could not use its fast target (WebAssembly SIMD for float32 on the
   * CPU, gpu.js on the gpu backend) and ran on the JavaScript loop instead: per kernel and
   * target, the reason and the number of calls. Empty when nothing fell back.
   */
  fallbacks: KernelFallback[];
  /**
   * The float32 matmul's fused multiply-add (relaxed SIMD's `f32x4.relaxed_madd`): whether the
   * engine has it, whether matmul uses it now, and why not where it does not. Its results can
   * differ from a separate multiply and add in the last bit.
   */
  fusedMultiplyAdd: { available: boolean; active: boolean; reason?: string };
  /**
   * Threads the threaded kernels use (`setThreadCount`): requested, active now, why fewer are
   * active (no SharedArrayBuffer, no workers, workers still starting), and how much work the
   * worker threads did.
   */
  threads: ThreadInfo;
}

/** The exported functions of the kernel module. */
export type SimdExports = {
  gemm_tiles(
    aPack: number,
    bPack: number,
    c: number,
    mPanels: number,
    nPanels: number,
    kc: number,
    blockPanels: number,
  ): void;
  /** Present only where relaxed SIMD is: gemm_tiles with fused multiply-adds. */
  gemm_tiles_fma?: SimdExports['gemm_tiles'];
  /** gemm_tiles storing C = A·B instead of adding to C (the first depth block of a product). */
  gemm_tiles_store: SimdExports['gemm_tiles'];
  /** Present only where relaxed SIMD is: gemm_tiles_fma storing instead of adding. */
  gemm_tiles_fma_store?: SimdExports['gemm_tiles'];
  exp(x: number, out: number, vectors: number): void;
  /** Strided float32 copy: panels × outer × inner, byte strides per level (simd-kernels-module.ts). */
  pack: StridedFloatCopy;
} & {
  [binary in `${SimdBinaryOp}_${'vv' | 'vs' | 'sv'}`]: (a: number, b: number, out: number, vectors: number) => void;
};

function requestedFromEnvironment(): KernelMode {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return environment?.VANE_KERNELS === 'scalar' ? 'scalar' : 'simd';
}

let requested: KernelMode = requestedFromEnvironment();
// VANE_FMA=0 turns the fused multiply-add off (bit-for-bit the mul+add results of engines
// without relaxed SIMD); setFusedMultiplyAdd does the same at run time.
let fusedMultiplyAddRequested =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.VANE_FMA !== '0';
let loaded:
  | { exports: SimdExports; memory: WebAssembly.Memory; module: WebAssembly.Module; shared: boolean }
  | { failure: string }
  | undefined;
let memoryLimits: { minimumPages: number; maximumPages?: number; shared?: boolean } = { minimumPages: 1 };

// Shared memory (so a worker thread can run kernels on the same packed operands) needs a
// maximum size, address space committed only as the memory grows. The float32 tensor
// storages live there too (kernel-heap.ts): 4 GiB, the most a 32-bit memory can address, in
// Node; 1 GiB elsewhere, since a browser may fail to reserve more on a small device (and
// then would lose the SIMD kernels altogether).
const SHARED_MAXIMUM_PAGES =
  (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === undefined ? 16384 : 65536;

function load(): typeof loaded {
  if (loaded) return loaded;
  try {
    if (typeof WebAssembly === 'undefined') throw new Error('WebAssembly is not available');
    const shared = typeof SharedArrayBuffer !== 'undefined';
    const memory = shared
      ? new WebAssembly.Memory({ initial: 64, maximum: SHARED_MAXIMUM_PAGES, shared: true })
      : new WebAssembly.Memory({ initial: 64 });
    const limits = shared ? { minimumPages: 1, maximumPages: SHARED_MAXIMUM_PAGES, shared: true } : { minimumPages: 1 };
    memoryLimits = limits;
    const module = new WebAssembly.Module(
      simdKernelsModule(limits, { fusedMultiplyAdd: relaxedSimdSupported() }) as Uint8Array<ArrayBuffer>,
    );
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    loaded = { exports: instance.exports as unknown as SimdExports, memory, module, shared };
    selfTest(loaded.exports, memory);
    // Address 0..63 is kept for the self-test; everything above is the heap's (kernel-heap.ts).
    bindKernelHeap(memory, shared, 64, shared ? SHARED_MAXIMUM_PAGES : 65536);
  } catch (error) {
    loaded = { failure: `WebAssembly SIMD unavailable: ${(error as Error).message}` };
  }
  return loaded;
}

// A two-element check that the kernels compute, not merely compile (catches an engine that
// accepts the module but miscompiles it).
function selfTest(exports: SimdExports, memory: WebAssembly.Memory): void {
  const view = new Float32Array(memory.buffer, 0, 12);
  view.set([1, 2, 3, 4, 10, 20, 30, 40]);
  exports.add_vv(0, 16, 32, 1);
  if (view[8] !== 11 || view[11] !== 44) throw new Error('the add kernel self-test failed');
}

/** The SIMD kernels and their memory, or undefined when the scalar kernels must be used. */
export function simdKernels():
  { exports: SimdExports; memory: WebAssembly.Memory; module: WebAssembly.Module; shared: boolean } | undefined {
  if (requested === 'scalar') return undefined;
  const state = load();
  return state && 'exports' in state ? state : undefined;
}

/**
 * Chooses the kernels for float32 ops: 'simd' (the default, when available) or 'scalar'.
 *
 * @example
 * setKernelMode('scalar'); // reference kernels, e.g. to compare results
 */
export function setKernelMode(mode: KernelMode): void {
  requested = mode;
}

/**
 * Lets the float32 matmul use the fused multiply-add where the engine has relaxed SIMD (the
 * default) or not (`false`: every product is a rounded multiply then a rounded add, as on an
 * engine without relaxed SIMD; for comparing results bit for bit across machines).
 *
 * @example
 * setFusedMultiplyAdd(false); // matmul results independent of relaxed SIMD support
 */
export function setFusedMultiplyAdd(enabled: boolean): void {
  if (typeof enabled !== 'boolean')
    throw new TypeError(`setFusedMultiplyAdd: 'enabled' must be a boolean, got ${typeof enabled}`);
  fusedMultiplyAddRequested = enabled;
}

/**
 * gemm_tiles as matmul runs it now: the fused kernel where available and allowed, split over
 * the worker threads where they are on and the call is large (see thread-pool.ts). The
 * optional arguments after gemm_tiles' own run a depth packed as consecutive blocks of
 * `depthBlock` in one call and overwrite C rather than add to it (see `runGemmTilesInParallel`).
 */
export function gemmTilesKernel(
  kernels: NonNullable<ReturnType<typeof simdKernels>>,
): (...values: [...Parameters<SimdExports['gemm_tiles']>, depthBlock?: number, overwrite?: boolean]) => void {
  const fused = fusedMultiplyAddRequested && kernels.exports.gemm_tiles_fma !== undefined;
  return (aPack, bPack, c, mPanels, nPanels, depth, blockPanels, depthBlock, overwrite) =>
    runGemmTilesInParallel(
      kernels.module,
      kernels.memory,
      kernels.exports as unknown as Record<string, unknown>,
      fused,
      [aPack, bPack, c, mPanels, nPanels, depth, blockPanels],
      depthBlock,
      overwrite,
    );
}

/**
 * Starts the kernel worker threads (`worker_threads` in Node, Web Workers in a cross-origin
 * isolated page) if they are not running and resolves with
 * `kernelInfo().threads` once they are ready (or cannot start, or after `timeoutMilliseconds`).
 * Without it the first large products run on one thread while the workers start.
 *
 * @example
 * await kernelThreadsReady(); // before timing a threaded matmul
 */
export async function kernelThreadsReady(timeoutMilliseconds = 10_000): Promise<ThreadInfo> {
  const kernels = simdKernels();
  if (!kernels) return threadInfo(undefined, undefined);
  return whenThreadsReady(kernels.module, kernels.memory, timeoutMilliseconds);
}

function fusedMultiplyAddInfo(state: typeof loaded): KernelInfo['fusedMultiplyAdd'] {
  const available = state !== undefined && 'exports' in state && state.exports.gemm_tiles_fma !== undefined;
  const active = available && fusedMultiplyAddRequested && requested === 'simd';
  if (active) return { available, active };
  const reason = !available
    ? 'this engine has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)'
    : requested !== 'simd'
      ? 'the scalar kernels are in use'
      : 'turned off by setFusedMultiplyAdd(false) or VANE_FMA=0';
  return { available, active, reason };
}

/**
 * Which kernels are in use and, if SIMD is not, why.
 *
 * @example
 * kernelInfo().active // 'simd'
 */
export function kernelInfo(): KernelInfo {
  const state = load();
  const simdAvailable = state !== undefined && 'exports' in state;
  return {
    requested,
    active: requested === 'simd' && simdAvailable ? 'simd' : 'scalar',
    simdAvailable,
    ...(state && 'failure' in state ? { fallbackReason: state.failure } : {}),
    simdKernels: simdAvailable
      ? [
          'matmul (float32)',
          'conv2d via matmul (float32)',
          'add/sub/mul/div (float32)',
          'exp (float32)',
          'fusedMap and unary ops whose expression compiles (float32)',
          'sum/mean/max/min/prod over rows and leading axes, argmax/argmin, cumsum/cumprod (float32)',
        ]
      : [],
    fallbacks: kernelFallbacks(),
    fusedMultiplyAdd: fusedMultiplyAddInfo(state),
    threads:
      requested === 'simd' && state && 'exports' in state
        ? threadInfo(state.module, state.memory)
        : threadInfo(undefined, undefined),
  };
}

/** The scratch block `reserve` hands out, kept between calls and replaced when too small. */
let scratch: { address: number; bytes: number } | undefined;

/**
 * Reserves scratch regions of the kernel memory (64-byte aligned, in bytes) for one kernel
 * call, growing the memory if needed. Regions are reused by the next call: JavaScript is
 * single-threaded and every kernel call is synchronous, so no two calls overlap. They lie in
 * one block of the kernel heap (kernel-heap.ts), apart from every tensor storage there.
 */
export function reserve(memory: WebAssembly.Memory, byteSizes: readonly number[]): number[] {
  const offsets: number[] = [];
  let end = 0;
  for (const size of byteSizes) {
    offsets.push(end);
    end += Math.ceil((size + 16) / 64) * 64;
  }
  if (!scratch || scratch.bytes < end) {
    if (scratch) freeBlock(scratch);
    // A quarter more than asked, so that slowly growing requests do not reallocate every call.
    scratch = allocateBlock(Math.ceil(end * 1.25));
    if (!scratch) throw new RangeError(`reserve: the kernel memory cannot grow to ${end} more bytes`);
  }
  if (memory.buffer.byteLength < scratch.address + end)
    throw new Error('reserve: the scratch block is outside the memory');
  const base = scratch.address;
  return offsets.map((offset) => base + offset);
}

/**
 * Compiles an extra kernel module (built by `build` for the kernel memory's import limits) and
 * instantiates it on the kernel memory, so its functions read the same scratch regions. The
 * module is returned too, for the worker threads (thread-pool.ts) to instantiate.
 * Returns undefined when the SIMD kernels are off or the module does not compile.
 *
 * @example
 * const { exports } = instantiateOnKernelMemory((limits) => encodeModule(limits, [definition])) ?? {};
 */
export function instantiateOnKernelMemory(
  build: (limits: { minimumPages: number; maximumPages?: number; shared?: boolean }) => Uint8Array,
): { exports: WebAssembly.Exports; module: WebAssembly.Module } | undefined {
  const kernels = simdKernels();
  if (!kernels) return undefined;
  try {
    const module = new WebAssembly.Module(build(memoryLimits) as Uint8Array<ArrayBuffer>);
    // Math.sin, cos and tan: the inline SIMD versions call them for arguments beyond their bound (simd-math.ts).
    const imports = { env: { memory: kernels.memory, ...SIMD_MATH_IMPORTS } };
    return { exports: new WebAssembly.Instance(module, imports).exports, module };
  } catch {
    return undefined;
  }
}

/**
 * A getter of the exports of an extra kernel module made of `definitions`, instantiated on the
 * kernel memory ({@link instantiateOnKernelMemory}) on the first call while the SIMD kernels
 * are on, and kept: a module that does not compile is not tried again. The getter returns
 * undefined when the SIMD kernels are off or the module did not compile. The one home of the
 * compile-once cache of the single-thread copy kernels (simd-transpose-quads.ts,
 * simd-gather-panels.ts, simd-vector-copy.ts).
 *
 * @example
 * const copies = kernelModuleOnce(() => [definition]); copies()?.name
 */
export function kernelModuleOnce(definitions: () => FunctionDefinition[]): () => WebAssembly.Exports | undefined {
  let compiled: { exports: WebAssembly.Exports | undefined } | undefined;
  return () => {
    if (!simdKernels()) return undefined;
    compiled ??= { exports: instantiateOnKernelMemory((limits) => encodeModule(limits, definitions()))?.exports };
    return compiled.exports;
  };
}
