import { add, cast, div, greater, mul, norm, sqrt, square, tidy, where, type Tensor } from '@vane/tensor';
import type { EmptyState, GradientTransformation, TensorTree } from '../transform.js';
import { mapTensors, tensorLeaves } from '../tree-utilities.js';
import { checkNonNegative } from '../validation.js';

/**
 * The global L2 norm of a tree, ‖u‖ = √(Σ over every leaf and element of uᵢ²), as a scalar
 * tensor on the leaves' backend (no read-back). An empty tree has norm 0.
 *
 * @example
 * globalNorm({ w: tensor([3]), b: tensor([4]) }).item(); // 5
 */
export function globalNorm(updates: TensorTree): Tensor {
  return tidy(() => {
    const leaves = tensorLeaves(updates);
    if (leaves.length === 0) throw new Error('globalNorm: the tree has no tensor leaves');
    if (leaves.length === 1) return norm(leaves[0]!);
    let sumOfSquares = square(norm(leaves[0]!));
    for (const leaf of leaves.slice(1)) sumOfSquares = add(sumOfSquares, square(norm(leaf)));
    return sqrt(sumOfSquares);
  });
}

/**
 * Rescales all updates together so that their global norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_` without its 1e-6, optax's `clip_by_global_norm`).
 *
 * Update: u ← u·(c/‖u‖) if ‖u‖ > c, else u unchanged, with ‖u‖ the {@link globalNorm}.
 * The comparison and the factor stay on the device. State: none.
 *
 * @param maxNorm - c ≥ 0.
 * @example
 * const tx = chain(clipByGlobalNorm(1), adamw({ lr: 3e-4 }));
 * @see Pascanu, Mikolov, Bengio, "On the difficulty of training recurrent neural networks" (2013).
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  checkNonNegative('clipByGlobalNorm', 'maxNorm', maxNorm);
  return {
    init: () => ({}),
    update: (updates, state) => {
      if (tensorLeaves(updates).length === 0) return [updates, state];
      const clipped = tidy(() => {
        const total = globalNorm(updates);
        const factor = where(greater(total, maxNorm), div(maxNorm, total), 1);
        return mapTensors((u: Tensor) => mul(u, cast(factor, u.dtype)), updates);
      });
      return [clipped, state];
    },
  };
}
