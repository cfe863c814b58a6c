/**
 * `Flatten`: merges a range of axes into one.
 *
 * Source: `packages/nn/src/layers/flatten.ts`.
 */
import { flatten, formatShape, reshape, type Tensor } from '@vane/tensor';
import { Module, type ParameterTree } from '../module.js';

/**
 * Merges axes `startAxis..endAxis` (default 1..−1: everything but the batch axis), so
 * `[N, C, H, W]` becomes `[N, C·H·W]`.
 *
 * @example
 * new Flatten().forward(zeros([2, 3, 4])).shape; // [2, 12]
 */
export class Flatten extends Module {
  constructor(
    readonly startAxis = 1,
    readonly endAxis = -1,
  ) {
    super();
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    return flatten(input, this.startAxis, this.endAxis);
  }
}

/**
 * The inverse of {@link Flatten}: splits axis `axis` into `sizes` (as PyTorch's
 * `nn.Unflatten`), for example `[N, 64]` → `[N, 1, 8, 8]`, or adds a channel axis.
 *
 * @example
 * new Unflatten(1, [1, 8, 8]).forward(zeros([2, 64])).shape; // [2, 1, 8, 8]
 */
export class Unflatten extends Module {
  constructor(
    readonly axis: number,
    readonly sizes: readonly number[],
  ) {
    super();
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    const axis = this.axis < 0 ? this.axis + input.ndim : this.axis;
    const product = this.sizes.reduce((total, size) => total * size, 1);
    if (axis < 0 || axis >= input.ndim || input.shape[axis] !== product) {
      throw new Error(
        `Unflatten.apply: 'input' has shape ${formatShape(input.shape)}; axis ${this.axis} must have ${product} elements to split into [${this.sizes.join(',')}]`,
      );
    }
    return reshape(input, [...input.shape.slice(0, axis), ...this.sizes, ...input.shape.slice(axis + 1)]);
  }
}
