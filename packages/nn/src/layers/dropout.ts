/**
 * `Dropout`: random zeroing during training (Srivastava et al., 2014).
 *
 * Source: `packages/nn/src/layers/dropout.ts`.
 */
import {
  checkOptionKeys,
  describeValue,
  div,
  less,
  mul,
  rand,
  where,
  type RandomGenerator,
  type Tensor,
} from '@vane/tensor';
import { Module, type ParameterTree } from '../module.js';

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Source of the masks; defaults to the global generator, whose state checkpoints save. */
  generator?: RandomGenerator;
}

/**
 * In training mode, zeroes each element with probability `p` and scales the survivors by
 * `1/(1−p)` so the expectation is unchanged; in evaluation mode, the identity.
 *
 * @example
 * const dropout = new Dropout(0.5, { generator: seed(0) });
 * dropout.eval().forward(ones([4])); // [1, 1, 1, 1]
 */
export class Dropout extends Module {
  private readonly generator: RandomGenerator | undefined;

  constructor(
    readonly p = 0.5,
    options: DropoutOptions = {},
  ) {
    super();
    checkOptionKeys('Dropout', options, ['generator']);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw new Error(`Dropout: 'p' must be a number in [0, 1], got ${describeValue(p)}`);
    this.generator = options.generator;
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    return dropout(input, this.p, this.training, this.generator);
  }
}

/** The functional form of {@link Dropout}. */
export function dropout(input: Tensor, p: number, training: boolean, generator?: RandomGenerator): Tensor {
  if (!training || p === 0) return input;
  if (p === 1) return mul(input, 0);
  const keepMask = less(rand(input.shape, { generator }), 1 - p);
  return where(keepMask, div(input, 1 - p), 0);
}
