import { describe, expect, it } from 'vitest';
import { ones, seed, tensor, zeros, type Tensor } from '@vane/tensor';
import { GELU, LeakyReLU, ReLU, SiLU, Sigmoid, Softmax, Tanh } from './activations.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Linear } from './linear.js';
import { Sequential } from './sequential.js';
import { checkLayerAgainstTorch, torchCase } from '../test-support/torch-fixtures.js';

// Both sides compute in float64; differences come only from summation order (≈1e-15
// relative), and 1e-10 leaves room for the erf-based GELU's own approximation error.
const TOLERANCE = { absolute: 1e-10, relative: 1e-10 };

describe('Linear', () => {
  it('matches torch.nn.Linear outputs and gradients', () => {
    checkLayerAgainstTorch(new Linear(5, 3, { dtype: 'float64' }), torchCase('linear'), TOLERANCE);
    checkLayerAgainstTorch(
      new Linear(5, 3, { dtype: 'float64', bias: false }),
      torchCase('linear-3d-no-bias'),
      TOLERANCE,
    );
  });

  it('initialises like PyTorch: weight and bias in ±1/√in', () => {
    const layer = new Linear(100, 50, { generator: seed(1) });
    const weight = Array.from((layer.parameters().weight as Tensor).dataSync() as Float32Array);
    const bound = 1 / Math.sqrt(100);
    expect(Math.max(...weight.map(Math.abs))).toBeLessThanOrEqual(bound);
    // U(−b, b) has variance b²/3; 5000 samples estimate it to within a few percent.
    const variance = weight.reduce((total, value) => total + value * value, 0) / weight.length;
    expect(variance / ((bound * bound) / 3)).toBeGreaterThan(0.9);
    expect(variance / ((bound * bound) / 3)).toBeLessThan(1.1);
  });

  it('is seeded', () => {
    const a = new Linear(3, 2, { generator: seed(5) }).parameters().weight as Tensor;
    const b = new Linear(3, 2, { generator: seed(5) }).parameters().weight as Tensor;
    expect(a.toArray()).toEqual(b.toArray());
  });

  it('names the layer and shapes on a bad input', () => {
    expect(() => new Linear(4, 2).forward(zeros([3, 5]))).toThrow(
      "Linear.apply: 'input' has shape [3,5], expected [..., 4]",
    );
    expect(() => new Linear(0, 2)).toThrow("Linear: 'inFeatures' must be a positive integer, got 0");
  });
});

describe('activations', () => {
  const layers = {
    relu: new ReLU(),
    gelu: new GELU(),
    'gelu-tanh': new GELU('tanh'),
    silu: new SiLU(),
    tanh: new Tanh(),
    sigmoid: new Sigmoid(),
    'leaky-relu': new LeakyReLU(0.2),
    softmax: new Softmax(),
  };
  for (const [name, layer] of Object.entries(layers)) {
    it(`${name} matches torch`, () => {
      // The exact GELU goes through Vane's erf, accurate to ~1e-7 relative in float64 per
      // docs/tensor.md; elsewhere float64 rounding only.
      checkLayerAgainstTorch(layer, torchCase(name), name === 'gelu' ? { absolute: 1e-7, relative: 1e-7 } : TOLERANCE);
    });
  }
});

describe('Sequential, Flatten, Dropout', () => {
  it('names parameters by position like PyTorch', () => {
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
    expect(model.namedParameters().map(([path]) => path)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(model.forward(ones([3, 4])).shape).toEqual([3, 2]);
    expect(model.parameterCount()).toBe(4 * 8 + 8 + 8 * 2 + 2);
  });

  it('flattens all but the batch axis', () => {
    expect(new Flatten().forward(zeros([2, 3, 4])).shape).toEqual([2, 12]);
  });

  it('drops with probability p and rescales in training, identity in eval', () => {
    const dropout = new Dropout(0.25, { generator: seed(3) });
    const values = Array.from(dropout.forward(ones([10000])).dataSync());
    const zerosCount = values.filter((value) => value === 0).length;
    // Binomial(10000, 0.25): standard deviation 43, so ±250 is about 6 standard deviations.
    expect(Math.abs(zerosCount - 2500)).toBeLessThan(250);
    expect(values.filter((value) => value !== 0).every((value) => Math.abs(value - 4 / 3) < 1e-6)).toBe(true);
    expect(
      Array.from(
        dropout
          .eval()
          .forward(tensor([1, 2]))
          .dataSync(),
      ),
    ).toEqual([1, 2]);
  });
});
