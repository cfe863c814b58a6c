import { full } from '@vane/tensor';
import type { Module, ParameterTree } from '../../src/module.js';
import { unflattenNamed } from '../../src/module.js';

/** Sets every parameter of `model` to `value`. */
export function fill(model: Module, value: number): void {
  const tree: ParameterTree = unflattenNamed(
    model.namedParameters().map(([name, tensor]) => [name, full(tensor.shape, value)]),
  );
  model.loadParameters(tree);
}
