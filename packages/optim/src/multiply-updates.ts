/**
 * The element-by-element product of updates with a multiplier tree, as its own pass: the
 * fallback of `FusionHooks.updateWithMultiplier` when the product cannot fold into the
 * kernel that makes the updates.
 */
import { fusedMap, mul, type Tensor } from '@vane/tensor';
import { MULTIPLY } from './kernels.js';
import type { TensorTree } from './transform.js';
import { mapTensors } from './tree-utilities.js';

/** u·a for one leaf: one fused pass for same-rank multipliers, a broadcasting `mul` for a 0-d one. */
export function multiplyUpdate(update: Tensor, multiplier: Tensor): Tensor {
  return multiplier.ndim === update.ndim ? fusedMap(MULTIPLY, [update, multiplier]) : mul(update, multiplier);
}

/** `multiplyUpdate` over matching trees of updates and multipliers. */
export function multiplyUpdates(updates: TensorTree, multiplier: TensorTree): TensorTree {
  return mapTensors(
    (update: Tensor, factor: Tensor) => multiplyUpdate(update, factor),
    updates,
    multiplier,
  ) as TensorTree;
}
