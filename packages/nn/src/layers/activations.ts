/**
 * Activation layers: parameter-free modules wrapping the elementwise ops of `@vane/tensor`,
 * so they can sit in a `Sequential`.
 *
 * Source: `packages/nn/src/layers/activations.ts`.
 */
import { gelu, leakyRelu, mul, relu, sigmoid, silu, softmax, tanh, type Tensor } from '@vane/tensor';
import { Module, type ParameterTree } from '../module.js';

/**
 * `max(x, 0)`.
 *
 * @example
 * new ReLU().forward(tensor([-1, 2])); // [0, 2]
 */
export class ReLU extends Module {
  apply(_params: ParameterTree, input: Tensor): Tensor {
    return relu(input);
  }
}

/**
 * Gaussian error linear unit, `x·Φ(x) = x/2 · (1 + erf(x/√2))` (Hendrycks and Gimpel, 2016);
 * the exact form, PyTorch's default. `approximate: 'tanh'` uses
 * `x/2 · (1 + tanh(√(2/π)·(x + 0.044715x³)))`.
 *
 * @example
 * new GELU().forward(tensor([1])); // [0.8413]
 */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh')
      throw new Error(`GELU: 'approximate' must be 'none' or 'tanh', got '${String(approximate)}'`);
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    if (this.approximate === 'none') return gelu(input);
    const cubic = mul(input.mul(input).mul(input), 0.044715);
    return mul(input, 0.5).mul(tanh(input.add(cubic).mul(Math.sqrt(2 / Math.PI))).add(1));
  }
}

/**
 * `x·σ(x)` (also called swish).
 *
 * @example
 * new SiLU().forward(tensor([0])); // [0]
 */
export class SiLU extends Module {
  apply(_params: ParameterTree, input: Tensor): Tensor {
    return silu(input);
  }
}

/**
 * `tanh(x)`.
 *
 * @example
 * new Tanh().forward(tensor([0])); // [0]
 */
export class Tanh extends Module {
  apply(_params: ParameterTree, input: Tensor): Tensor {
    return tanh(input);
  }
}

/**
 * `σ(x) = 1 / (1 + e^(−x))`.
 *
 * @example
 * new Sigmoid().forward(tensor([0])); // [0.5]
 */
export class Sigmoid extends Module {
  apply(_params: ParameterTree, input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/**
 * `x` for `x ≥ 0`, `slope·x` otherwise (default slope 0.01, as PyTorch).
 *
 * @example
 * new LeakyReLU(0.1).forward(tensor([-1])); // [-0.1]
 */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }
}

/**
 * `softmax(x)_i = e^(x_i) / Σ_j e^(x_j)` along `axis` (default the last).
 *
 * @example
 * new Softmax().forward(tensor([0, 0])); // [0.5, 0.5]
 */
export class Softmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    return softmax(input, this.axis);
  }
}
