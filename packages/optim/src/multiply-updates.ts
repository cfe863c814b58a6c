/**
 * The element-by-element product of updates with a multiplier tree, as its own pass: what
 * `active` does with its gain when the base's composition point leaves no kernel unrun for the
 * product to compose into (or the product cannot join it: float64, a 0-d gain).
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
