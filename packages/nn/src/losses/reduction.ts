/**
 * The `reduction` option shared by every loss, and shape checks.
 *
 * Source: `packages/nn/src/losses/reduction.ts`.
 */
import { formatShape, mean, sum, type Tensor } from '@vane/tensor';

/** How per-element losses become the result: their mean (default), their sum, or unchanged. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Applies `reduction` to per-element losses. */
export function reduce(losses: Tensor, reduction: Reduction | undefined, caller: string): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean':
      return mean(losses);
    case 'sum':
      return sum(losses);
    case 'none':
      return losses;
    default:
      throw new Error(`${caller}: 'reduction' must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}

/** Throws unless `input` and `target` have the same shape. */
export function checkSameShape(caller: string, input: Tensor, target: Tensor): void {
  if (input.shape.length !== target.shape.length || input.shape.some((size, axis) => size !== target.shape[axis])) {
    throw new Error(`${caller}: 'target' has shape ${formatShape(target.shape)}, expected the shape of 'input' ${formatShape(input.shape)}`);
  }
}
