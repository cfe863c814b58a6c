/**
 * Blocks of the WebAssembly kernel memory: the kernels' scratch regions, and (where that memory
 * is shared) the storage of large float32 tensors themselves.
 *
 * Why: tensor storages used to be ordinary typed arrays outside the kernel memory, so every
 * SIMD kernel call copied its operands in and its result out. For an optimizer step that was
 * most of the time: Adam on 10M parameters copies about 13 arrays of 40 MB per step, and on the
 * MLP step's 270K parameters the copies of the update cost more than its arithmetic. A float32
 * storage that lives in the kernel memory is passed to a kernel by address, with no copy.
 *
 * Only a shared memory (`SharedArrayBuffer`, Node and cross-origin-isolated pages) holds tensor
 * storages: growing a shared memory keeps every earlier view valid, while growing an unshared
 * one detaches its buffer, and with it every Float32Array over it. Unshared, the heap serves
 * only the scratch regions, re-read after each `reserve` as before.
 *
 * The allocator is a bump pointer with free lists (sizes rounded to 64 bytes). A training loop
 * allocates the same sizes step after step, so a freed block of the exact size is taken first;
 * otherwise the smallest free block that is large enough is split. A freed block merges with
 * free neighbours, and free memory that reaches the top lowers it. Why not exact sizes only:
 * a program that moves from one model to another (the benchmark's CNN step, then AdamW on 10M
 * parameters) left hundreds of MiB in blocks of the first model's sizes, which the second could
 * not use, and its storages fell back to ordinary arrays copied per call (AdamW 10M 4× slower).
 * When the memory reaches its maximum, {@link heapFloat32Array} returns undefined and the caller
 * takes an ordinary array (copied into scratch regions per call, as before).
 *
 * A tensor storage's block is freed when the backend releases it (`recycleArray`, on dispose)
 * or, for a tensor that is never disposed, when the collector reclaims its Float32Array (a
 * FinalizationRegistry). A storage handed out to be shared (`pinArray`) is never freed.
 */

/** Every block is padded by this much: the kernels read and write whole vectors (up to 3 floats past the end). */
const PADDING_BYTES = 16;
const ALIGNMENT_BYTES = 64;
const PAGE_BYTES = 65536;
/**
 * Below this many elements a float32 storage stays an ordinary array: copying it is cheap,
 * while each heap array costs a finalizer registration.
 */
const HEAP_MINIMUM_ELEMENTS = 4096;
/**
 * Tensor storages take fresh memory only up to this share of the memory's maximum; past it
 * they reuse freed blocks or stay ordinary arrays, leaving the rest to the kernels' scratch
 * regions. Why not all of it: the collector does not see the kernel memory, so a program that
 * leaves its tensors to the collector (no dispose, no tidy) frees their blocks only when
 * something else makes it collect; ordinary arrays past this point are that pressure.
 */
const STORAGE_SHARE_OF_MAXIMUM = 0.75;
/**
 * While this many bytes wait in the free lists, a storage that no free block can hold stays an
 * ordinary array instead of taking fresh memory: fragments too small for the sizes a program
 * asks for would otherwise grow the heap without bound (the buffer pool keeps at most 256 MiB
 * idle for the same reason).
 */
const STORAGE_IDLE_LIMIT_BYTES = 256 * 1024 * 1024;

/** The kernel memory and whether tensor storages may live in it. */
interface Heap {
  memory: WebAssembly.Memory;
  shared: boolean;
  /** The end of the bump region: every byte from here up is free. */
  top: number;
  /** The highest `top` so far: memory from here up has never been handed out (still zero). */
  highWater: number;
  /** Free blocks' addresses by their byte size. */
  free: Map<number, number[]>;
  /** Free blocks' sizes by their address, and their addresses by their end (for merging). */
  freeByStart: Map<number, number>;
  freeByEnd: Map<number, number>;
  /** Bytes in the free lists. */
  freeBytes: number;
  /** Every SharedArrayBuffer object the memory has handed out (one per size it has had). */
  buffers: WeakSet<ArrayBufferLike>;
  /** Fresh memory tensor storages may take (see STORAGE_SHARE_OF_MAXIMUM). */
  storageLimitBytes: number;
}

let heap: Heap | undefined;

/** Block sizes: the request plus padding, rounded up to the alignment. */
const blockBytesOf = (bytes: number) => Math.ceil((bytes + PADDING_BYTES) / ALIGNMENT_BYTES) * ALIGNMENT_BYTES;

/**
 * Binds the allocator to the kernel memory once it exists (kernel-runtime.ts calls this right
 * after creating it). Bytes below `firstFreeByte` are never handed out.
 */
export function bindKernelHeap(
  memory: WebAssembly.Memory,
  shared: boolean,
  firstFreeByte: number,
  maximumPages: number,
): void {
  heap = {
    memory,
    shared,
    storageLimitBytes: maximumPages * PAGE_BYTES * STORAGE_SHARE_OF_MAXIMUM,
    top: Math.ceil(firstFreeByte / ALIGNMENT_BYTES) * ALIGNMENT_BYTES,
    highWater: Math.ceil(firstFreeByte / ALIGNMENT_BYTES) * ALIGNMENT_BYTES,
    free: new Map(),
    freeByStart: new Map(),
    freeByEnd: new Map(),
    freeBytes: 0,
    buffers: new WeakSet(),
  };
}

/** Puts a free block in the lists. */
function insertFree(current: Heap, address: number, bytes: number): void {
  let list = current.free.get(bytes);
  if (!list) {
    list = [];
    current.free.set(bytes, list);
  }
  list.push(address);
  current.freeByStart.set(address, bytes);
  current.freeByEnd.set(address + bytes, address);
  current.freeBytes += bytes;
}

/** Takes a free block out of the lists. */
function removeFree(current: Heap, address: number, bytes: number): void {
  const list = current.free.get(bytes)!;
  list.splice(list.lastIndexOf(address), 1);
  if (list.length === 0) current.free.delete(bytes);
  current.freeByStart.delete(address);
  current.freeByEnd.delete(address + bytes);
  current.freeBytes -= bytes;
}

/** The smallest free block of at least `bytes` bytes (its address), or undefined. */
function bestFit(current: Heap, bytes: number): number | undefined {
  const exact = current.free.get(bytes);
  if (exact?.length) return exact[exact.length - 1];
  let best: number | undefined;
  let bestBytes = Number.POSITIVE_INFINITY;
  for (const [address, size] of current.freeByStart)
    if (size >= bytes && size < bestBytes) [best, bestBytes] = [address, size];
  return best;
}

/**
 * A block of at least `bytes` bytes (64-byte aligned, padded): a free one of that size, else
 * part of the smallest larger free one, else fresh memory below `freshLimitBytes` (growing the
 * memory if needed); undefined when none is possible.
 */
export function allocateBlock(
  bytes: number,
  freshLimitBytes = Number.POSITIVE_INFINITY,
): { address: number; bytes: number } | undefined {
  if (!heap) return undefined;
  const blockBytes = blockBytesOf(bytes);
  const reused = bestFit(heap, blockBytes);
  if (reused !== undefined) {
    const freeBytes = heap.freeByStart.get(reused)!;
    removeFree(heap, reused, freeBytes);
    if (freeBytes > blockBytes) insertFree(heap, reused + blockBytes, freeBytes - blockBytes);
    return { address: reused, bytes: blockBytes };
  }
  const end = heap.top + blockBytes;
  if (end > freshLimitBytes) return undefined;
  const length = heap.memory.buffer.byteLength;
  const missing = end - length;
  if (missing > 0) {
    // Grown by at least an eighth at a time: each grow of a shared memory costs a system call.
    const pages = Math.ceil(missing / PAGE_BYTES);
    if (!grow(heap.memory, Math.max(pages, Math.ceil(length / 8 / PAGE_BYTES))) && !grow(heap.memory, pages))
      return undefined; // past the memory's maximum
  }
  const address = heap.top;
  heap.top = end;
  heap.highWater = Math.max(heap.highWater, end);
  return { address, bytes: blockBytes };
}

function grow(memory: WebAssembly.Memory, pages: number): boolean {
  try {
    memory.grow(pages);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns a block from {@link allocateBlock} for reuse: merged with the free blocks right before
 * and after it, and given back to the bump pointer where it reaches the top.
 */
export function freeBlock(block: { address: number; bytes: number }): void {
  if (!heap) return;
  let { address, bytes } = block;
  const following = heap.freeByStart.get(address + bytes);
  if (following !== undefined) {
    removeFree(heap, address + bytes, following);
    bytes += following;
  }
  const preceding = heap.freeByEnd.get(address);
  if (preceding !== undefined) {
    const precedingBytes = heap.freeByStart.get(preceding)!;
    removeFree(heap, preceding, precedingBytes);
    address = preceding;
    bytes += precedingBytes;
  }
  if (address + bytes === heap.top) heap.top = address;
  else insertFree(heap, address, bytes);
}

/** Live heap arrays and their blocks; an entry leaves on release, pin or collection. */
const live = new WeakMap<Float32Array, { address: number; bytes: number }>();
const collected =
  typeof FinalizationRegistry === 'undefined'
    ? undefined
    : new FinalizationRegistry<{ address: number; bytes: number }>((block) => freeBlock(block));

/**
 * A Float32Array of `size` elements in the kernel memory, or undefined where storages cannot
 * live there (unshared memory, SIMD off, a small array, the memory full). Its contents are
 * unspecified when `zeroed` is false (a reused block keeps old values).
 *
 * @example
 * const out = heapFloat32Array(1 << 20, false) ?? new Float32Array(1 << 20);
 */
export function heapFloat32Array(size: number, zeroed: boolean): Float32Array | undefined {
  if (!heap?.shared || !collected || size < HEAP_MINIMUM_ELEMENTS) return undefined;
  const untouched = heap.highWater;
  const freshLimit = heap.freeBytes > STORAGE_IDLE_LIMIT_BYTES ? heap.top : heap.storageLimitBytes;
  const block = allocateBlock(size * 4, freshLimit);
  if (!block) return undefined;
  const buffer = heap.memory.buffer;
  heap.buffers.add(buffer);
  const array = new Float32Array(buffer, block.address, size);
  // Memory past the high-water mark has never been handed out (a grown memory is zero-filled).
  if (zeroed && block.address < untouched) array.fill(0);
  live.set(array, block);
  collected.register(array, block, array);
  return array;
}

/**
 * The byte address of `array`'s first element in the kernel memory, or undefined when it is an
 * ordinary array (or a view of some other memory).
 *
 * @example
 * const address = heapAddress(values); // pass it to a kernel instead of copying `values` in
 */
export function heapAddress(array: ArrayBufferView): number | undefined {
  return heap?.buffers.has(array.buffer) ? array.byteOffset : undefined;
}

/** Whether `array` is a live heap array of its own (not a subarray of one). */
export function isHeapArray(array: unknown): array is Float32Array {
  return array instanceof Float32Array && live.has(array);
}

/**
 * Frees a heap array's block for reuse (the backend releasing a disposed tensor's storage).
 * Returns false for anything that is not a live heap array.
 */
export function releaseHeapArray(array: unknown): boolean {
  if (!(array instanceof Float32Array)) return false;
  const block = live.get(array);
  if (!block) return false;
  live.delete(array);
  collected?.unregister(array);
  freeBlock(block);
  return true;
}

/** Keeps a heap array's block for good: its memory is shared with code outside the backend. */
export function pinHeapArray(array: unknown): void {
  if (!(array instanceof Float32Array) || !live.has(array)) return;
  live.delete(array);
  collected?.unregister(array);
}

/** Bytes the heap has taken from the memory so far, and bytes waiting in its free lists (tests). */
export function heapUsage(): { topBytes: number; freeBytes: number } {
  return heap ? { topBytes: heap.top, freeBytes: heap.freeBytes } : { topBytes: 0, freeBytes: 0 };
}
