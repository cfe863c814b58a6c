import { describe, expect, it } from 'vitest';
import { ones, tensor, zeros, type Tensor } from '@vane/tensor';
import { Dropout } from './layers/dropout.js';
import { Linear } from './layers/linear.js';
import { ReLU } from './layers/activations.js';
import { Sequential } from './layers/sequential.js';
import { Module, flattenNamed, unflattenNamed, type ParameterTree } from './module.js';

class Scale extends Module {
  constructor() {
    super();
    this.registerParameter('factor', ones([1]));
    this.registerBuffer('calls', zeros([1]));
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    return input.mul(params.factor as Tensor);
  }
}

describe('Module', () => {
  it('exposes parameters as a named tree and applies functionally', () => {
    const model = new Sequential(new Scale(), new ReLU(), new Scale());
    expect(model.namedParameters().map(([path]) => path)).toEqual(['0.factor', '2.factor']);
    expect(model.namedBuffers().map(([path]) => path)).toEqual(['0.calls', '2.calls']);
    const params = { 0: { factor: tensor([2]) }, 2: { factor: tensor([3]) } };
    expect(Array.from(model.apply(params, tensor([1, -1])).dataSync())).toEqual([6, 0]);
    expect(Array.from(model.forward(tensor([1, -1])).dataSync())).toEqual([1, 0]); // own parameters unchanged
  });

  it('loadParameters replaces values and rejects wrong names, shapes and dtypes without changing anything', () => {
    const layer = new Linear(2, 1);
    const before = layer.parameters().weight;
    expect(() => layer.loadParameters({ weight: zeros([1, 3]), bias: zeros([1]) })).toThrow(
      "Linear.loadParameters: 'weight' has shape [1,3] float32, expected [1,2] float32",
    );
    expect(() => layer.loadParameters({ weight: zeros([1, 2]) })).toThrow(
      "Linear.loadParameters: missing tensor 'bias' (expected shape [1], float32)",
    );
    expect(() => layer.loadParameters({ weight: zeros([1, 2]), bias: zeros([1]), extra: zeros([1]) })).toThrow(
      "Linear.loadParameters: unexpected tensor(s) 'extra'",
    );
    expect(() => layer.loadParameters({ weight: zeros([1, 2], { dtype: 'float64' }), bias: zeros([1]) })).toThrow(
      'float64, expected [1,2] float32',
    );
    expect(layer.parameters().weight).toBe(before);
    layer.loadParameters({ weight: tensor([[1, 2]]), bias: tensor([3]) });
    expect(layer.forward(tensor([[1, 1]])).item()).toBe(6);
  });

  it('train() and eval() reach every child', () => {
    const model = new Sequential(new Linear(2, 2), new Dropout(0.5));
    model.eval();
    expect(model.layers.every((layer) => !layer.training)).toBe(true);
    model.train();
    expect(model.layers.every((layer) => layer.training)).toBe(true);
  });

  it('flattenNamed and unflattenNamed are inverses', () => {
    const tree = { a: { b: zeros([1]), c: ones([2]) }, d: zeros([3]) };
    expect(unflattenNamed(flattenNamed(tree))).toEqual(tree);
  });
});
