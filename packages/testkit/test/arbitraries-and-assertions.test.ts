import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sgd } from '@vane/optim';
import { isTensor, tensor, tree, zeros, type Tensor } from '@vane/tensor';
import {
  arbGradientStream,
  arbHyperparams,
  arbParams,
  arbShape,
  arbTensor,
  expectAllClose,
  expectNoLeaks,
  HYPERPARAMETER_OPTIMIZERS,
} from '../src/index.js';
import { OPTIMIZER_NAMES, optimizerEntry } from '@vane/optim';

describe('arbitraries', () => {
  it('arbShape respects its bounds', () => {
    fc.assert(
      fc.property(
        arbShape({ maxRank: 2, maxDimension: 3 }),
        (shape) => shape.length <= 2 && shape.every((d) => d >= 1 && d <= 3),
      ),
      { numRuns: 50 },
    );
  });
  it('arbTensor gives the dtype, shape and range asked for', () => {
    fc.assert(
      fc.property(
        arbTensor({ dtype: 'float32', shape: [2, 3], min: -1, max: 1 }),
        (x) =>
          x.dtype === 'float32' && x.shape.join() === '2,3' && Array.from(x.dataSync()).every((v) => v >= -1 && v <= 1),
      ),
      { numRuns: 30 },
    );
    fc.assert(
      fc.property(arbTensor({ dtype: 'int32', min: -3, max: 3 }), (x) =>
        Array.from(x.dataSync()).every((v) => Number.isInteger(v) && v >= -3 && v <= 3),
      ),
      { numRuns: 30 },
    );
  });
  it('arbParams makes trees of tensors', () => {
    fc.assert(
      fc.property(
        arbParams({ dtype: 'float64' }),
        (params) =>
          tree.leaves(params).length >= 1 &&
          tree.leaves(params).every((leaf) => isTensor(leaf) && leaf.dtype === 'float64'),
      ),
      { numRuns: 30 },
    );
  });
  it('gradient streams have the promised sign patterns', () => {
    const params = { w: zeros([4]), b: [zeros([2])] };
    const signs = (g: unknown) =>
      tree.leaves(g as any).flatMap((leaf) => Array.from((leaf as Tensor).dataSync(), Math.sign));
    fc.assert(
      fc.property(arbGradientStream({ params, length: 4, kind: 'consistentSign' }), (stream) =>
        stream.every((g) => signs(g).join() === signs(stream[0]).join()),
      ),
      { numRuns: 30 },
    );
    fc.assert(
      fc.property(arbGradientStream({ params, length: 4, kind: 'alternatingSign' }), (stream) =>
        stream.every((g, t) => signs(g).every((s, i) => s === (t % 2 === 0 ? 1 : -1) * signs(stream[0])[i]!)),
      ),
      { numRuns: 30 },
    );
    fc.assert(
      fc.property(arbGradientStream({ params, length: 3, kind: 'withZeros' }), (stream) => stream.length === 3),
      { numRuns: 10 },
    );
  });
  it('arbHyperparams gives options every optimizer of the registry accepts', () => {
    expect(HYPERPARAMETER_OPTIMIZERS).toEqual(OPTIMIZER_NAMES);
    for (const name of HYPERPARAMETER_OPTIMIZERS) {
      fc.assert(
        fc.property(arbHyperparams(name), (options) => {
          optimizerEntry(name)!.factory(options);
        }),
        { numRuns: 20 },
      );
    }
    expect(() => arbHyperparams('nonsense')).toThrow(/unknown optimizer 'nonsense'/);
  });
});

describe('assertions', () => {
  it('expectAllClose names the differing path and index', () => {
    expectAllClose({ a: tensor([1, 2]) }, { a: tensor([1, 2 + 1e-7]) });
    expect(() => expectAllClose({ a: [tensor([1, 2])] }, { a: [tensor([1, 2.5])] })).toThrow(
      "at 'a.0'[1]: 2 vs expected 2.5",
    );
    expect(() => expectAllClose({ a: tensor([1]) }, { b: tensor([1]) })).toThrow(/structures differ/);
  });
  it('expectNoLeaks accepts a tidy update and catches a leaking one', () => {
    const params = { w: tensor([1, 2, 3]) };
    const optimizer = sgd({ lr: 0.1, momentum: 0.9 });
    const state = optimizer.init(params);
    const gradients = { w: tensor([1, 1, 1]) };
    const [, next] = expectNoLeaks(() => optimizer.update(gradients, state, params));
    expectNoLeaks(() => optimizer.update(gradients, next, params));
    expect(() =>
      expectNoLeaks(() => {
        params.w.mul(2);
        return null;
      }),
    ).toThrow(/1 tensor\(s\) leaked/);
  });
});
