/**
 * Reducing a broadcast gradient back to the shape of the operand it belongs to.
 */
import { formatShape, reshape, sum, type Shape, type Tensor } from '@vane/tensor';

/**
 * Sums `gradient` over the axes along which an operand of `shape` was broadcast: the leading
 * axes it lacked and the axes where it had size 1. The inverse of NumPy broadcasting, applied
 * once by the tape to every gradient a rule returns.
 *
 * If x of shape s was broadcast to B(x) of shape t, then ∂L/∂x = Σ over the broadcast axes of
 * ∂L/∂B(x), because every broadcast copy of an element contributes to L.
 *
 * @example
 * sumToShape(ones([4, 2, 3]), [2, 1]) // shape [2, 1], every entry 12
 * @see NumPy's broadcasting rules (numpy.org/doc/stable/user/basics.broadcasting.html).
 */
export function sumToShape(gradient: Tensor, shape: Shape): Tensor {
  if (gradient.ndim === shape.length && gradient.shape.every((dimension, axis) => dimension === shape[axis]))
    return gradient;
  const lead = gradient.ndim - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < gradient.ndim; axis++) {
    const target = axis < lead ? undefined : shape[axis - lead]!;
    if (target === undefined || (target === 1 && gradient.shape[axis] !== 1)) axes.push(axis);
    else if (target !== gradient.shape[axis]) {
      throw new Error(
        `sumToShape: a gradient of shape ${formatShape(gradient.shape)} cannot be reduced to ${formatShape(shape)}`,
      );
    }
  }
  if (lead < 0)
    throw new Error(
      `sumToShape: a gradient of shape ${formatShape(gradient.shape)} cannot be reduced to ${formatShape(shape)}`,
    );
  return reshape(sum(gradient, axes), shape);
}
