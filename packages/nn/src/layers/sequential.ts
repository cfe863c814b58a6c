/**
 * `Sequential`: modules applied one after the other.
 *
 * Source: `packages/nn/src/layers/sequential.ts`.
 */
import type { Tensor } from '@vane/tensor';
import { Module, subtree, type ParameterTree } from '../module.js';

/**
 * Applies its layers in order, `y = f_n(… f_2(f_1(x)))`. Layer `i`'s parameters sit under
 * the name `String(i)`, as in PyTorch (`0.weight`, `2.bias`, …).
 *
 * @example
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
 * model.namedParameters().map(([path]) => path); // ['0.weight', '0.bias', '2.weight', '2.bias']
 */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, index) => {
      if (!(layer instanceof Module)) throw new Error(`Sequential: argument ${index} is not a Module`);
      this.registerModule(String(index), layer);
    });
    this.layers = layers;
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    let output = input;
    this.layers.forEach((layer, index) => {
      output = layer.apply(subtree(params, String(index)), output);
    });
    return output;
  }
}
