/**
 * Fan-in and fan-out of a weight shape, and the gain of a nonlinearity, as PyTorch's
 * `torch.nn.init` computes them (`_calculate_fan_in_and_fan_out`, `calculate_gain`).
 *
 * Source: `packages/nn/src/initializers/fan.ts`.
 */

/** `[fanIn, fanOut]` of a weight: `shape[1]·r` and `shape[0]·r` with `r` the product of the remaining (receptive-field) sizes. */
export function computeFans(shape: readonly number[], caller = 'computeFans'): [number, number] {
  if (shape.length < 2)
    throw new Error(`${caller}: fan in and fan out need a shape with at least 2 dimensions, got [${shape.join(',')}]`);
  const receptive = shape.slice(2).reduce((product, size) => product * size, 1);
  return [shape[1]! * receptive, shape[0]! * receptive];
}

/** A nonlinearity that {@link calculateGain} knows. */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/**
 * The recommended gain for a nonlinearity: 1 for linear/sigmoid, 5/3 for tanh, √2 for ReLU,
 * √(2 / (1 + a²)) for leaky ReLU with negative slope `a`, 3/4 for SELU.
 *
 * @example
 * calculateGain('relu'); // 1.4142
 */
export function calculateGain(nonlinearity: Nonlinearity, slope = 0.01): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + slope * slope));
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'`);
  }
}
