/**
 * The packed operands of matmul (packed-matmul.ts) kept with the storage they were packed from,
 * so that a tensor multiplied again in the same layout is not packed again.
 *
 * A storage of the gpu backend never changes once written (no op writes into an existing
 * texture; a pending chain, elementwise-fusion.ts, runs once), so a packed copy stays valid until
 * the storage is released, when {@link releasePacks} frees it. In the MLP step the weight
 * gradients `hᵀ · dz` read the row-major packs of `h` and `dz` that the forward product `h · w`
 * and the backward `dz · wᵀ` made (outer-product.ts), and the batch `x`, the same tensor every
 * step in the benchmarks, is packed once instead of twice per step (a fresh batch per step is
 * packed once per step, for `x · w` and `xᵀ · dz` alike). The cost: a packed operand lives as long
 * as its tensor instead of one product.
 *
 * The cached textures are temporaries of the packs, not storages, so {@link gpuTextureCount}
 * does not count them ({@link cachedPackCount} does); each storage keeps at most
 * {@link PACKS_PER_STORAGE}.
 */
import type { GpuStorage } from './storage.js';

/** Packed layouts kept per storage at most (the MLP step's `x` needs two: `x` and `xᵀ`). */
export const PACKS_PER_STORAGE = 4;

/** Per storage: packed texture by layout key. */
const packs = new WeakMap<GpuStorage, Map<string, unknown>>();
let kept = 0;

/** Packed textures the cache holds now (for tests: a loop that disposes its tensors keeps it constant). */
export function cachedPackCount(): number {
  return kept;
}

/**
 * The packed texture of `storage` in layout `key`, made by `make` the first time. `kept`: the
 * cache holds it (the caller must not delete it); false once the storage holds
 * {@link PACKS_PER_STORAGE} layouts, when the texture is the caller's temporary as before. Nothing
 * is evicted, so a texture handed out for one product (both operands may be one storage) stays.
 */
export function cachedPack(storage: GpuStorage, key: string, make: () => unknown): { texture: unknown; kept: boolean } {
  let layouts = packs.get(storage);
  const known = layouts?.get(key);
  if (known !== undefined) return { texture: known, kept: true };
  const texture = make();
  if (layouts === undefined) {
    layouts = new Map();
    packs.set(storage, layouts);
  }
  if (layouts.size >= PACKS_PER_STORAGE) return { texture, kept: false };
  layouts.set(key, texture);
  kept++;
  return { texture, kept: true };
}

/** Deletes the packed textures kept for `storage` (when the storage itself is released). */
export function releasePacks(storage: GpuStorage): void {
  const layouts = packs.get(storage);
  if (layouts === undefined) return;
  layouts.forEach(discard);
  kept -= layouts.size;
  packs.delete(storage);
}

const discard = (texture: unknown) => (texture as { delete?: () => void } | undefined)?.delete?.();
