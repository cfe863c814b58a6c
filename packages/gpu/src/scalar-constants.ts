/**
 * Scalar constants stay on the device: a one-value upload (the learning rate of `w.sub(g.mul(lr))`,
 * `mean`'s divisor, the `1` of a gradient seed) is uploaded once and shared afterwards.
 *
 * The tensor core turns every JS number operand into a scalar tensor, so without this each
 * training step would upload the same few constants again (10 uploads and 10 dispatches per
 * step of the bench's MLP). The cache keeps one gpu.js texture per float32 bit pattern and
 * hands out clones: gpu.js counts a texture's references across its clones (`_refs`) and frees
 * the GL texture only when the last clone is deleted, so a storage released by its tensor, or
 * an entry evicted from the cache, never frees a texture another storage still reads. Kernels
 * never write into an input texture (outputs are immutable), so sharing is safe.
 */

interface CloneableTexture {
  clone(): CloneableTexture;
  delete(): void;
}

/** Constants kept at most; the oldest is dropped beyond this (its users keep their clones). */
export const SCALAR_CONSTANT_LIMIT = 256;

const constants = new Map<number, CloneableTexture>();
// The value behind each constant's GL texture object, which all clones of it share. Outputs
// are immutable and the upload kernel takes no texture argument (so gpu.js never renders into
// one of these again): the value of such a texture never changes.
const values = new WeakMap<object, number>();
const bits = new Uint32Array(1);
const float = new Float32Array(bits.buffer);

/** The cache key of a float32 value: its bit pattern, so −0, +0 and NaN payloads stay apart. */
function keyOf(value: number): number {
  float[0] = value;
  return bits[0]!;
}

/** A clone of the cached texture holding `value`, or `undefined` when it is not cached. */
export function cachedConstant(value: number): unknown {
  const texture = constants.get(keyOf(value));
  return texture?.clone();
}

/** Keeps a clone of `texture` (a one-value texture holding `value`) for later uploads of it. */
export function rememberConstant(value: number, texture: unknown): void {
  const candidate = texture as Partial<CloneableTexture> | undefined;
  // Only gpu.js textures can be shared; an array returned on a fallback path is not cached.
  if (typeof candidate?.clone !== 'function' || typeof candidate.delete !== 'function') return;
  if (constants.size >= SCALAR_CONSTANT_LIMIT) {
    const [oldestKey, oldest] = constants.entries().next().value as [number, CloneableTexture];
    oldest.delete();
    constants.delete(oldestKey);
  }
  constants.set(keyOf(value), (candidate as CloneableTexture).clone());
  const shared = (candidate as { texture?: unknown }).texture;
  if (typeof shared === 'object' && shared !== null) values.set(shared, Math.fround(value));
}

/**
 * The value of `texture` when it is (a clone of) a cached scalar constant, else `undefined`:
 * fused elementwise chains pass such an operand as a uniform instead of reading a texture.
 */
export function constantValue(texture: unknown): number | undefined {
  const shared = (texture as { texture?: unknown } | undefined)?.texture;
  return typeof shared === 'object' && shared !== null ? values.get(shared) : undefined;
}

/**
 * How many scalar constants the gpu backend keeps on the device (at most
 * {@link SCALAR_CONSTANT_LIMIT}); they are not counted by `gpuTextureCount()`.
 *
 * @example
 * tensor(0.5, { backend: 'gpu' }); gpuConstantCount(); // 1 (or more, with earlier constants)
 */
export function gpuConstantCount(): number {
  return constants.size;
}
