import fc from 'fast-check';
import type { DType, Tensor, Tree } from '@vane/tensor';
import { arbShape, type ArbShapeOptions } from './arb-shape.js';
import { arbTensor } from './arb-tensor.js';

/** Options of {@link arbParams}. */
export interface ArbParamsOptions extends ArbShapeOptions {
  /** Element type of every leaf (default 'float32'). */
  readonly dtype?: DType;
  /** Fewest leaves (default 1). */
  readonly minLeaves?: number;
  /** Most leaves (default 3). */
  readonly maxLeaves?: number;
  /** Smallest element (default −1). */
  readonly min?: number;
  /** Largest element (default 1). */
  readonly max?: number;
}

/**
 * Parameter trees: a plain object of layers, each an object holding a tensor leaf or a nested
 * array of them, so structure-handling code meets objects, arrays and nesting.
 *
 * Math: between minLeaves and maxLeaves tensor leaves with shapes from {@link arbShape} and
 * elements in [min, max]; keys are `layer0`, `layer1`, …; layers whose index is odd hold the
 * tensor inside an array (`{ layer1: [tensor] }`) to exercise array paths.
 *
 * @example
 * fc.assert(fc.property(arbParams({ dtype: 'float64' }), (params) => tree.leaves(params).length >= 1));
 */
export function arbParams(options: ArbParamsOptions = {}): fc.Arbitrary<Tree<Tensor>> {
  const { dtype = 'float32', minLeaves = 1, maxLeaves = 3, min = -1, max = 1, ...shapeOptions } = options;
  return fc
    .array(arbTensor({ dtype, shape: arbShape(shapeOptions), min, max }), {
      minLength: minLeaves,
      maxLength: maxLeaves,
    })
    .map((leaves) => {
      const params: Record<string, Tree<Tensor>> = {};
      leaves.forEach((leaf, index) => {
        params[`layer${index}`] = index % 2 === 1 ? [leaf] : { weight: leaf };
      });
      return params;
    });
}
