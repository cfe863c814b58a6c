/**
 * `Linear`: an affine map `y = x·Wᵀ + b` over the last axis.
 *
 * Source: `packages/nn/src/layers/linear.ts`.
 */
import { add, checkOptionKeys, matmul, type DType, type RandomGenerator, type Tensor } from '@vane/tensor';
import { formatShape } from '@vane/tensor';
import { kaimingUniform, uniform } from '../initializers/initializers.js';
import { Module, parameter, type ParameterTree } from '../module.js';
import { checkParameterDType, checkPositiveInteger } from '../validation.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Source of randomness for the initial weights. */
  generator?: RandomGenerator;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/**
 * A fully connected layer: input `[..., inFeatures]` → output `[..., outFeatures]`,
 * `y = x·Wᵀ + b` with `weight` of shape `[outFeatures, inFeatures]` and `bias` `[outFeatures]`.
 *
 * Initialisation as PyTorch: `W ~ U(−1/√in, 1/√in)` (Kaiming uniform with a = √5) and
 * `b ~ U(−1/√in, 1/√in)`.
 *
 * @example
 * const layer = new Linear(4, 2, { generator: seed(0) });
 * layer.forward(ones([3, 4])).shape; // [3, 2]
 */
export class Linear extends Module {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    checkOptionKeys('Linear', options, ['bias', 'generator', 'dtype']);
    checkPositiveInteger('Linear', 'inFeatures', inFeatures);
    checkPositiveInteger('Linear', 'outFeatures', outFeatures);
    const dtype = checkParameterDType('Linear', options.dtype);
    const bound = 1 / Math.sqrt(inFeatures);
    this.registerParameter(
      'weight',
      kaimingUniform([outFeatures, inFeatures], { a: Math.sqrt(5), generator: options.generator, dtype }),
    );
    if (options.bias ?? true)
      this.registerParameter('bias', uniform([outFeatures], bound, { generator: options.generator, dtype }));
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    const weight = parameter(params, 'weight', 'Linear');
    if (input.ndim < 1 || input.shape[input.ndim - 1] !== this.inFeatures) {
      throw new Error(
        `Linear.apply: 'input' has shape ${formatShape(input.shape)}, expected [..., ${this.inFeatures}]`,
      );
    }
    const product = matmul(input, weight.T);
    const bias = params.bias as Tensor | undefined;
    return bias === undefined ? product : add(product, bias);
  }
}

/** Re-exported for the layers that import it from here; the check lives in `../validation`. */
export { checkPositiveInteger } from '../validation.js';
