/// <reference types="@webgpu/types" preserve="true" />
/**
 * Tensor storage on the `webgpu` backend: one storage buffer of 32-bit words per tensor
 * (`f32` for float32, `i32` for int32, `u32` 0/1 for bool — WGSL has no 8-bit type), taken from
 * a pool of released buffers so a training step allocates nothing after its first run.
 *
 * Reusing a released buffer right away is safe: a device has one queue, and WebGPU runs its
 * submissions in order, so a later kernel writing the buffer runs after every earlier kernel
 * that read it.
 */
import type { DType, TensorView, TypedArray } from '@vane/tensor';
import { webGpuContext } from './webgpu-device.js';
import { flushDispatches } from './webgpu-queue.js';

/** A tensor's values on the WebGPU device. */
export interface WebGpuStorage {
  /** The storage buffer (at least 16 bytes, its size a power of two: the pool's buckets). */
  readonly buffer: GPUBuffer;
  readonly dtype: DType;
  /** Values held. */
  readonly size: number;
  /** Set by `release`; a released storage must not be used again. */
  released: boolean;
}

/** The storage behind a view handed to the `webgpu` backend (always one of its own). */
export function viewStorage(view: TensorView): WebGpuStorage {
  return view.data as WebGpuStorage;
}

const pool = new Map<number, GPUBuffer[]>();
let liveBuffers = 0;

/** Buffers holding live tensors (not in the pool): what tests check for leaks. */
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

/** A storage for `size` values of `dtype`, its contents undefined (kernels overwrite all of it). */
export function createStorage(dtype: DType, size: number, op: string): WebGpuStorage {
  wgslElementType(dtype, op);
  const bytes = bucketBytes(size);
  let buffer = pool.get(bytes)?.pop();
  if (!buffer) {
    const { device } = webGpuContext(op);
    if (bytes > device.limits.maxStorageBufferBindingSize)
      throw new Error(
        `webgpu.${op}: ${size} values need ${bytes} bytes, above this device's storage-buffer limit of ${device.limits.maxStorageBufferBindingSize}`,
      );
    buffer = device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }
  liveBuffers++;
  return { buffer, dtype, size, released: false };
}

/** Returns a storage's buffer to the pool (a second release is ignored). */
export function releaseStorage(storage: WebGpuStorage): void {
  if (storage.released) return;
  storage.released = true;
  liveBuffers--;
  const bucket = pool.get(storage.buffer.size);
  if (bucket) bucket.push(storage.buffer);
  else pool.set(storage.buffer.size, [storage.buffer]);
}

/** Copies host values into a new storage. */
export function uploadStorage(values: TypedArray, dtype: DType): WebGpuStorage {
  const storage = createStorage(dtype, values.length, 'upload');
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
  const { device, errors } = webGpuContext('read');
  const bytes = Math.max(4, size * 4);
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    flushDispatches();
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(storage.buffer, 0, staging, 0, bytes);
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
