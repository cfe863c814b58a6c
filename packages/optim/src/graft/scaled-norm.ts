/**
 * Euclidean norms that neither underflow nor overflow: ‖x‖ = s·‖x/s‖ with s = max|x|.
 */
import { abs, add, div, greater, max, maximum, mul, sqrt, square, sum, where, zeros, type Tensor } from '@vane/tensor';

/**
 * ‖x‖₂ over all the given tensors together, as a 0-d tensor, computed as s·√(Σ(x/s)²) with
 * s = max|x|. The plain √(Σx²) loses everything when the squares underflow (|x| below ~1e-154
 * in float64, ~1e-19 in float32) or overflow, and a grafted step divides by this norm, so a
 * tiny but non-zero direction must still get its true length.
 *
 * @param leaves - the tensors (empty ones are skipped); the result has the first one's dtype.
 * @returns a 0-d tensor: 0 when every element is 0 (or there are none), NaN if any element is NaN.
 * @example
 * scaledNorm([tensor([3e-200, 4e-200], { dtype: 'float64' })]).item(); // 5e-200 (√(Σx²) gives 0)
 */
export function scaledNorm(leaves: readonly Tensor[]): Tensor {
  const present = leaves.filter((leaf) => leaf.size > 0);
  if (present.length === 0) {
    const like = leaves[0];
    return zeros([], like === undefined ? {} : { dtype: like.dtype, backend: like.backend.name });
  }
  const scale = present.map((leaf) => max(abs(leaf))).reduce((a, b) => maximum(a, b));
  const safeScale = where(greater(scale, 0), scale, 1);
  const sumOfSquares = present.map((leaf) => sum(square(div(leaf, safeScale)))).reduce((a, b) => add(a, b));
  return mul(sqrt(sumOfSquares), safeScale);
}
