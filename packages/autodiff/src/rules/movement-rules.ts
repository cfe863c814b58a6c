/**
 * Gradient rules of the movement ops: reshape, permute, expand, slice, flip, pad and concat.
 */
import { flip, pad, permute, reshape, slice, split, zeros, type SliceSpec, type Tensor } from '@vane/tensor';
import type { GradientRule } from '../gradient-rule.js';

type MovementName = 'reshape' | 'permute' | 'expand' | 'slice' | 'flip' | 'pad' | 'concat';

/** Zero padding of `axis` only: `before` zeros in front, `after` behind. */
function padAxis(x: Tensor, axis: number, before: number, after: number): Tensor {
  if (before === 0 && after === 0) return x;
  const pads = x.shape.map((): [number, number] => [0, 0]);
  pads[axis] = [before, after];
  return pad(x, pads);
}

/**
 * The adjoint of a strided slice: places `g` (the sliced shape) into zeros of `inputShape` at
 * positions start + i·step along each axis. Written with pad/reshape/flip/slice so that it is
 * itself differentiable.
 */
function unslice(
  g: Tensor,
  inputShape: readonly number[],
  starts: readonly number[],
  steps: readonly number[],
): Tensor {
  if (g.size === 0) return zeros(inputShape, { dtype: g.dtype, backend: g.backend.name });
  let result = g;
  for (let axis = 0; axis < inputShape.length; axis++) {
    const size = inputShape[axis]!;
    const length = result.shape[axis]!;
    let step = steps[axis]!;
    let first = starts[axis]!;
    if (step === 1 && length === size) continue;
    if (step < 0) {
      // Walking backwards from `first` visits the same positions as walking forwards from the
      // last one, in reverse order.
      result = flip(result, axis);
      first += (length - 1) * step;
      step = -step;
    }
    if (step > 1) {
      // Interleave step − 1 zeros after every element: [L] → [L, 1] → [L, step] → [L·step],
      // then drop the trailing zeros after the last element.
      const shape = [...result.shape];
      const splitShape = [...shape.slice(0, axis), length, 1, ...shape.slice(axis + 1)];
      const spread = padAxis(reshape(result, splitShape), axis + 1, 0, step - 1);
      const merged = reshape(spread, [...shape.slice(0, axis), length * step, ...shape.slice(axis + 1)]);
      const specs: SliceSpec[] = shape.map(() => null);
      specs[axis] = { stop: (length - 1) * step + 1 };
      result = slice(merged, specs);
    }
    const span = (length - 1) * step + 1;
    result = padAxis(result, axis, first, size - first - span);
  }
  return result;
}

/** Rules of the movement ops. */
export const movementRules: { readonly [K in MovementName]: GradientRule<K> } = {
  reshape: ({ outputGradient: g, attributes: { inputShape }, needsGradient }) => [
    needsGradient[0] ? reshape(g, inputShape) : null,
  ],
  permute: ({ outputGradient: g, attributes: { axes }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const inverse = axes.map((_, axis) => axes.indexOf(axis));
    return [permute(g, inverse)];
  },
  // expand is broadcasting, and the tape sums every gradient back to its input's shape.
  expand: ({ outputGradient: g, needsGradient }) => [needsGradient[0] ? g : null],
  slice: ({ outputGradient: g, attributes: { inputShape, starts, steps }, needsGradient }) => [
    needsGradient[0] ? unslice(g, inputShape, starts, steps) : null,
  ],
  flip: ({ outputGradient: g, attributes: { axes }, needsGradient }) => [needsGradient[0] ? flip(g, axes) : null],
  pad: ({ inputs: [x], outputGradient: g, attributes: { pads }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const specs: SliceSpec[] = x!.shape.map((size, axis) => ({ start: pads[axis]![0], stop: pads[axis]![0] + size }));
    return [slice(g, specs)];
  },
  concat: ({ outputGradient: g, attributes: { axis, sizes }, needsGradient }) => {
    const pieces = split(g, sizes, axis);
    return pieces.map((piece, index) => (needsGradient[index] ? piece : null));
  },
};
