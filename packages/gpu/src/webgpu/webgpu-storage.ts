/// <reference types="@webgpu/types" preserve="true" />
/**
 * Tensor storage on the `webgpu` backend: one storage buffer of 32-bit words per tensor
 * (`f32` for float32, `i32` for int32, `u32` 0/1 for bool — WGSL has no 8-bit type), taken from
 * a pool of released buffers so a training step allocates nothing after its first run.
 *
 * Reusing a released buffer right away is safe: a device has one queue, and WebGPU runs its
 * submissions in order, so a later kernel writing the buffer runs after every earlier kernel
 * that read it. What that argument does not cover is a kernel not yet dispatched: a pending
 * value (webgpu-fusion.ts) reads its operands when it finally runs, so each storage counts the
 * pending values that read it (`holdStorage`/`letGoOfStorage`) and its buffer returns to the
 * pool only once its tensor is released and no pending value still needs it.
 */
import type { DType, TensorView, TypedArray } from '@vane/tensor';
import { webGpuContext } from './webgpu-device.js';
import { flushDispatches } from './webgpu-queue.js';

/** A tensor's values on the WebGPU device. */
export interface WebGpuStorage {
  /**
   * The storage buffer (at least 16 bytes, its size a power of two: the pool's buckets). Reading
   * it runs a pending value's kernel first (see {@link createPendingStorage}).
   */
  readonly buffer: GPUBuffer;
  readonly dtype: DType;
  /** Values held. */
  readonly size: number;
  /**
   * Set once the buffer is back in the pool (or, for a pending value, once it was dropped
   * unrun); a released storage must not be used again. A storage whose tensor was released while
   * a pending value still reads it stays unreleased until that value lets go of it.
   */
  released: boolean;
  /** True while this is a pending value whose kernel has not run (webgpu-fusion.ts). */
  readonly pending: boolean;
  /**
   * The value of a one-value float32 upload (a JS scalar operand such as the 0.5 of `x.mul(0.5)`),
   * known on the host and never changed (no kernel writes a storage it did not create): a fused
   * kernel takes it as a scalar rather than binding a buffer for it.
   */
  readonly constant?: number;
}

/**
 * The work behind a pending storage: the kernel that writes its values and the references it
 * holds on the storages it reads (webgpu-fusion.ts).
 */
export interface PendingWork {
  /** Dispatches the kernel writing `into` (whose buffer is already allocated). */
  run(into: WebGpuStorage): void;
  /** Lets go of every storage the work reads (after it ran, or when it will never run). */
  drop(): void;
}

/**
 * One storage. `holders` counts the pending values that read this storage: its buffer goes
 * back to the pool only when its tensor released it and no pending value still needs it, since
 * a pending value's kernel runs later and a pooled buffer would by then hold another tensor's
 * values.
 */
class Storage implements WebGpuStorage {
  readonly dtype: DType;
  readonly size: number;
  released = false;
  constant: number | undefined;
  /** Pending values (not yet run) that read this storage. */
  holders = 0;
  /** Set when the tensor core released the storage (a second release is ignored). */
  ownerReleased = false;
  #buffer: GPUBuffer | undefined;
  #work: PendingWork | undefined;

  constructor(dtype: DType, size: number, buffer: GPUBuffer | undefined, work: PendingWork | undefined) {
    this.dtype = dtype;
    this.size = size;
    this.#buffer = buffer;
    this.#work = work;
  }

  get pending(): boolean {
    return this.#work !== undefined;
  }

  get buffer(): GPUBuffer {
    if (this.#buffer === undefined) {
      const work = this.#work;
      if (work === undefined || this.released) throw new Error('webgpu: the tensor storage was already released');
      // Cleared first, so that the kernel's own use of this storage as its output finds the
      // buffer rather than running the work again.
      this.#work = undefined;
      this.#buffer = pooledBuffer(this.size, 'fusion');
      try {
        work.run(this);
      } finally {
        work.drop();
      }
    }
    return this.#buffer;
  }

  /** Drops the pending work without running it. */
  dropWork(): void {
    const work = this.#work;
    if (work === undefined) return;
    this.#work = undefined;
    work.drop();
  }

  /** Returns the buffer (if any) to the pool and marks the storage released. */
  free(): void {
    this.released = true;
    liveBuffers--;
    const buffer = this.#buffer;
    this.#buffer = undefined;
    if (buffer === undefined) return;
    const bucket = pool.get(buffer.size);
    if (bucket) bucket.push(buffer);
    else pool.set(buffer.size, [buffer]);
  }
}

/**
 * The storage behind a view handed to the `webgpu` backend (always one of its own), its values
 * written first when it is a pending value: every kernel that reads a view goes through here, so
 * a pending value becomes a buffer exactly when something other than a fused chain reads it.
 */
export function viewStorage(view: TensorView): WebGpuStorage {
  const storage = view.data as WebGpuStorage;
  if (storage.pending) void storage.buffer;
  return storage;
}

const pool = new Map<number, GPUBuffer[]>();
let liveBuffers = 0;

/**
 * Storages not yet released, each counted once: its buffer (out of the pool), or for a pending
 * value not yet run the one buffer it stands for. A storage that a pending value still reads
 * after its tensor was released counts until the pending value lets go of it, since its buffer
 * is not in the pool either. What tests check for leaks.
 */
export function webGpuBufferCount(): number {
  return liveBuffers;
}

/** The WGSL element type holding `dtype`. */
export function wgslElementType(dtype: DType, op: string): 'f32' | 'i32' | 'u32' {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    default:
      throw new Error(
        `webgpu.${op}: ${dtype} is not supported on the webgpu backend (WGSL has no 64-bit floats); cast to float32 first`,
      );
  }
}

function bucketBytes(size: number): number {
  return Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(1, size) * 4)));
}

/** A buffer of the bucket for `size` values: a pooled one, else a new one. */
function pooledBuffer(size: number, op: string): GPUBuffer {
  const bytes = bucketBytes(size);
  const buffer = pool.get(bytes)?.pop();
  if (buffer) return buffer;
  const { device } = webGpuContext(op);
  if (bytes > device.limits.maxStorageBufferBindingSize)
    throw new Error(
      `webgpu.${op}: ${size} values need ${bytes} bytes, above this device's storage-buffer limit of ${device.limits.maxStorageBufferBindingSize}`,
    );
  return device.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

/** A storage for `size` values of `dtype`, its contents undefined (kernels overwrite all of it). */
export function createStorage(dtype: DType, size: number, op: string): WebGpuStorage {
  wgslElementType(dtype, op);
  const buffer = pooledBuffer(size, op);
  liveBuffers++;
  return new Storage(dtype, size, buffer, undefined);
}

/**
 * A float32 storage of `size` values that `work` writes when its buffer is first needed
 * (webgpu-fusion.ts). It holds no buffer until then; released first, it never runs.
 */
export function createPendingStorage(size: number, work: PendingWork): WebGpuStorage {
  liveBuffers++;
  return new Storage('float32', size, undefined, work);
}

/**
 * Counts a pending value's reference to `storage`: its buffer stays out of the pool, even once
 * its tensor is released, until {@link letGoOfStorage}.
 */
export function holdStorage(storage: WebGpuStorage): void {
  const own = storage as Storage;
  if (own.released || own.pending) throw new Error('webgpu: a pending value can only read a live, written storage');
  own.holders++;
}

/** Ends one {@link holdStorage}; the buffer goes back to the pool if its tensor released it too. */
export function letGoOfStorage(storage: WebGpuStorage): void {
  const own = storage as Storage;
  own.holders--;
  if (own.holders === 0 && own.ownerReleased && !own.released) own.free();
}

/**
 * The tensor core's release: returns a storage's buffer to the pool, unless a pending value
 * still reads it (then when the last one lets go). A pending value released before it ran
 * dispatches nothing and lets go of what it reads. A second release is ignored.
 */
export function releaseStorage(storage: WebGpuStorage): void {
  const own = storage as Storage;
  if (own.ownerReleased || own.released) return;
  own.ownerReleased = true;
  own.dropWork();
  if (own.holders === 0) own.free();
}

/** Copies host values into a new storage. */
export function uploadStorage(values: TypedArray, dtype: DType): WebGpuStorage {
  const storage = createStorage(dtype, values.length, 'upload') as Storage;
  if (dtype === 'float32' && values.length === 1) storage.constant = Math.fround(Number(values[0]));
  const words =
    dtype === 'float32'
      ? Float32Array.from(values as ArrayLike<number>)
      : dtype === 'int32'
        ? Int32Array.from(values as ArrayLike<number>)
        : Uint32Array.from(values as ArrayLike<number>, (value) => (value !== 0 ? 1 : 0));
  // A queued kernel may still read this (pooled) buffer's previous contents: submit it first,
  // since the queue runs a write before any command buffer submitted after it.
  flushDispatches();
  if (words.length > 0) webGpuContext('upload').device.queue.writeBuffer(storage.buffer, 0, words);
  return storage;
}

/**
 * Reads the first `size` values of a storage back to the host: the only asynchronous operation
 * of the backend. Rejects with any device error recorded since the last read, so a shader or
 * validation error never leaves a tensor silently unwritten.
 */
export async function readStorage(storage: WebGpuStorage, dtype: DType, size: number): Promise<TypedArray> {
  if (storage.released) throw new Error('webgpu.read: the tensor storage was already released');
  // A pending value's kernel is queued here, before the flush below submits it ahead of the copy.
  const buffer = storage.buffer;
  const { device, errors } = webGpuContext('read');
  const bytes = Math.max(4, size * 4);
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    flushDispatches();
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    if (errors.length > 0) {
      const reported = errors.splice(0, errors.length);
      throw new Error(`webgpu.read: the device reported ${reported.length} error(s): ${reported.join('; ')}`);
    }
    const words = staging.getMappedRange(0, bytes);
    switch (dtype) {
      case 'float32':
        return new Float32Array(words.slice(0, size * 4));
      case 'int32':
        return new Int32Array(words.slice(0, size * 4));
      case 'bool':
        return Uint8Array.from(new Uint32Array(words, 0, size));
      default:
        throw new Error(`webgpu.read: ${dtype} is not supported on the webgpu backend`);
    }
  } finally {
    staging.destroy();
  }
}
