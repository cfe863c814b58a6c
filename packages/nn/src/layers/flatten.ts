/**
 * `Flatten`: merges a range of axes into one.
 *
 * Source: `packages/nn/src/layers/flatten.ts`.
 */
import { flatten, type Tensor } from '@vane/tensor';
import { Module, type ParameterTree } from '../module';

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
