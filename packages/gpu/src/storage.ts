/**
 * The storages of the gpu backend and the count of the textures it holds.
 */
import type { TensorView } from '@vane/tensor';

/** A storage of the gpu backend: a float32 texture of `size` values (none when empty). */
export interface GpuStorage {
  texture: any;
  readonly size: number;
}

/** The gpu storage behind a view's data. */
export const asStorage = (data: unknown) => data as GpuStorage;

/** The texture of a view; throws on an empty or released storage. */
export function textureOf(view: TensorView): unknown {
  const storage = asStorage(view.data);
  if (storage.texture === undefined) throw new Error('gpu: read from an empty or released storage');
  return storage.texture;
}

let liveTextures = 0;

/** Wraps a kernel's output texture as a storage of `size` values and counts it. */
export function result(texture: unknown, size: number): GpuStorage {
  if (texture !== undefined) liveTextures++;
  return { texture, size };
}

/**
 * Counts a storage whose texture does not exist yet (+1: a pending elementwise chain) or whose
 * count passes to another storage object (−1), so that {@link gpuTextureCount} counts every
 * live storage once.
 */
export function countStorage(delta: 1 | -1): void {
  liveTextures += delta;
}

/** Deletes a texture the backend holds (nothing for `undefined`). */
export function deleteTexture(texture: unknown): void {
  if (texture === undefined) return;
  (texture as { delete?: () => void }).delete?.();
  liveTextures--;
}

/**
 * Textures the gpu backend holds right now (tensor storages and the few temporaries of a
 * running op); a pending elementwise result counts as the one texture it will become. A loop
 * that disposes what it creates keeps this constant.
 *
 * @example
 * const before = gpuTextureCount(); tidy(() => x.mul(2)); gpuTextureCount() === before; // true
 */
export function gpuTextureCount(): number {
  return liveTextures;
}

/** The storage of an empty tensor: no texture. */
export const EMPTY = (): GpuStorage => ({ texture: undefined, size: 0 });
