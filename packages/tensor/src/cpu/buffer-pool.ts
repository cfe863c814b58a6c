/**
 * A free list of the CPU backend's large storages, so that a training loop reuses the arrays of
 * the tensors it disposed instead of asking for fresh ones.
 *
 * Why: V8 takes large ArrayBuffers straight from the operating system, zero pages mapped on
 * first touch. Writing a fresh 10 MB result cost about 8 ms of page faults on the benchmark
 * machine against under 2 ms for the arithmetic itself, so an optimizer step on 10M parameters
 * (16 fresh 10 MB arrays) spent most of its time faulting pages in.
 *
 * Only arrays the backend created are recycled ({@link ownArray} marks them); an array that
 * came from outside (an ndarray shared by `fromNdarray`) or was handed out to be shared
 * (`toNdarray` calls {@link pinArray}) is never reused, so recycling cannot overwrite memory
 * that someone else still reads.
 *
 * Large float32 arrays come from the kernel heap first (`wasm/kernel-heap.ts`): storages in the
 * WebAssembly kernel memory, which the SIMD kernels read and write in place instead of copying.
 * Those are freed to the heap's own free lists, not to this pool.
 */
import type { DType, DTypeArrayMap, TypedArray } from '../dtype.js';
import { allocateArray } from '../dtype.js';
import { simdKernels } from '../wasm/kernel-runtime.js';
import { heapFloat32Array, pinHeapArray, releaseHeapArray } from '../wasm/kernel-heap.js';

// Below this many elements an allocation is cheap enough that pooling would only add
// bookkeeping. Pooling from 64 elements up was tried (2026-12-05) for the MLP step's ~35 small
// arrays per step: a fresh one costs ~1 µs in a micro-benchmark against ~0.1 µs pooled, but the
// step measured no faster in process-alternating runs (the WeakSet and Set entries and the
// release path cost as much), so the threshold stayed.
const MINIMUM_POOLED_ELEMENTS = 16384;
// The most bytes kept idle in the pool; beyond it released arrays are left to the collector.
const MAXIMUM_POOLED_BYTES = 256 * 1024 * 1024;

const owned = new WeakSet<TypedArray>();
const pinned = new WeakSet<TypedArray>();
// Idle arrays by dtype, then by length (numbers as keys: no key string per allocation).
const idle = new Map<DType, Map<number, TypedArray[]>>();
const idleSet = new Set<TypedArray>();
let idleBytes = 0;

function dtypeName(array: TypedArray): DType | undefined {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Uint8Array) return 'bool';
  return undefined;
}

/**
 * An array of `size` elements whose contents are unspecified (a recycled array keeps its old
 * values): for results that the caller overwrites completely.
 *
 * @example
 * const out = takeArray('float32', n); for (let i = 0; i < n; i++) out[i] = f(i);
 */
export function takeArray<D extends DType>(dtype: D, size: number): DTypeArrayMap[D] {
  return (heapArray(dtype, size, false) ?? reuse(dtype, size) ?? fresh(dtype, size)) as DTypeArrayMap[D];
}

/**
 * A zero-filled array of `size` elements, recycled when possible.
 *
 * @example
 * const accumulator = zeroedArray('float32', n);
 */
export function zeroedArray<D extends DType>(dtype: D, size: number): DTypeArrayMap[D] {
  const onHeap = heapArray(dtype, size, true);
  if (onHeap) return onHeap as DTypeArrayMap[D];
  const recycled = reuse(dtype, size);
  // A fresh array is already zero; only a recycled one needs clearing.
  return (recycled ? recycled.fill(0) : fresh(dtype, size)) as DTypeArrayMap[D];
}

/** A float32 array in the kernel memory while the SIMD kernels are on (loading them if needed). */
function heapArray(dtype: DType, size: number, zeroed: boolean): TypedArray | undefined {
  if (dtype !== 'float32' || !simdKernels()) return undefined;
  return heapFloat32Array(size, zeroed);
}

function reuse(dtype: DType, size: number): TypedArray | undefined {
  if (size < MINIMUM_POOLED_ELEMENTS) return undefined;
  const array = idle.get(dtype)?.get(size)?.pop();
  if (!array) return undefined;
  idleSet.delete(array);
  idleBytes -= array.byteLength;
  return array;
}

function fresh(dtype: DType, size: number): TypedArray {
  const array = allocateArray(dtype, size);
  // Only arrays large enough to be pooled are worth the WeakSet entry: `recycleArray` never
  // pools a smaller one, and a small array is allocated on every step's every small op.
  if (size >= MINIMUM_POOLED_ELEMENTS) owned.add(array);
  return array;
}

/** Marks an array the backend produced (by any means) as its own, so it may be recycled. */
export function ownArray<T extends TypedArray>(array: T): T {
  if (array.length >= MINIMUM_POOLED_ELEMENTS && !pinned.has(array)) owned.add(array);
  return array;
}

/**
 * Excludes an array from recycling for good: its memory is shared with code outside the
 * backend (e.g. an ndarray view), which may still read it after the tensor is disposed.
 *
 * @example
 * pinArray(tensor.storage.data as TypedArray);
 */
export function pinArray(array: TypedArray): void {
  pinHeapArray(array);
  pinned.add(array);
  owned.delete(array);
}

/** Returns a released storage to the pool (ignored for foreign, pinned, small or duplicate arrays). */
export function recycleArray(array: unknown): void {
  if (!ArrayBuffer.isView(array) || releaseHeapArray(array)) return;
  const typed = array as TypedArray;
  if (!owned.has(typed) || pinned.has(typed) || idleSet.has(typed)) return;
  if (typed.length < MINIMUM_POOLED_ELEMENTS || typed.byteOffset !== 0 || typed.byteLength !== typed.buffer.byteLength)
    return;
  const dtype = dtypeName(typed);
  if (!dtype || idleBytes + typed.byteLength > MAXIMUM_POOLED_BYTES) return;
  let byLength = idle.get(dtype);
  if (!byLength) {
    byLength = new Map();
    idle.set(dtype, byLength);
  }
  let list = byLength.get(typed.length);
  if (!list) {
    list = [];
    byLength.set(typed.length, list);
  }
  list.push(typed);
  idleSet.add(typed);
  idleBytes += typed.byteLength;
}

/** Empties the pool (tests; or to hand memory back to the collector). */
export function clearArrayPool(): void {
  idle.clear();
  idleSet.clear();
  idleBytes = 0;
}
