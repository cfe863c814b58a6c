import { describe, expect, it } from 'vitest';
import { teacherStudent } from './teacher-student.js';

/** An independent forward pass written from the documented formula, in double precision. */
function evaluate(
  layerSizes: number[],
  weights: Float32Array[],
  biases: Float32Array[],
  input: ArrayLike<number>,
): number[] {
  let activations = Array.from(input);
  for (let layer = 0; layer < weights.length; layer += 1) {
    const isLast = layer === weights.length - 1;
    activations = Array.from({ length: layerSizes[layer + 1] }, (_, row) => {
      const preActivation = activations.reduce(
        (sum, value, column) => sum + weights[layer][row * layerSizes[layer] + column] * value,
        biases[layer][row],
      );
      return isLast ? preActivation : Math.tanh(preActivation);
    });
  }
  return activations;
}

describe('teacherStudent', () => {
  it('produces targets equal to the documented teacher network when noise is 0', () => {
    const problem = teacherStudent({ count: 50, inputSize: 4, outputSize: 3, hidden: [6, 5], noise: 0, seed: 12 });
    expect(problem.inputShape).toEqual([4]);
    expect(problem.targetShape).toEqual([3]);
    expect(problem.teacher.layerSizes).toEqual([4, 6, 5, 3]);
    expect(problem.teacher.weights.map((weight) => weight.length)).toEqual([24, 30, 15]);
    for (let example = 0; example < 50; example += 1) {
      const expected = evaluate(
        problem.teacher.layerSizes,
        problem.teacher.weights,
        problem.teacher.biases,
        problem.inputs.subarray(example * 4, example * 4 + 4),
      );
      expected.forEach((value, unit) => expect(problem.targets[example * 3 + unit]).toBeCloseTo(value, 5));
    }
  });

  it('adds noise of the requested size on top of the same teacher and inputs', () => {
    const options = { count: 3000, inputSize: 5, outputSize: 2, hidden: 8, seed: 4 };
    const clean = teacherStudent({ ...options, noise: 0 });
    const noisy = teacherStudent({ ...options, noise: 0.3 });
    expect(noisy.inputs).toEqual(clean.inputs);
    expect(noisy.teacher.weights).toEqual(clean.teacher.weights);
    let sumOfSquares = 0;
    for (let index = 0; index < clean.targets.length; index += 1) {
      sumOfSquares += (noisy.targets[index] - clean.targets[index]) ** 2;
    }
    const rootMeanSquare = Math.sqrt(sumOfSquares / clean.targets.length);
    // 6000 draws: the standard error of the RMS is ≈ 0.3/√12000 ≈ 0.0027.
    expect(Math.abs(rootMeanSquare - 0.3)).toBeLessThan(0.014);
  });

  it('draws standard normal inputs and weights with variance 1/fan_in', () => {
    const problem = teacherStudent({ count: 2000, inputSize: 10, outputSize: 5, hidden: [400], noise: 0, seed: 1 });
    // Bounds are 5 standard errors: 20000 inputs, 4000 first-layer and 2000 second-layer weights.
    const mean = (values: Float32Array) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = (values: Float32Array) => mean(values.map((value) => value * value)) - mean(values) ** 2;
    expect(Math.abs(mean(problem.inputs))).toBeLessThan(0.035);
    expect(Math.abs(variance(problem.inputs) - 1)).toBeLessThan(0.05);
    expect(Math.abs(variance(problem.teacher.weights[0]) - 1 / 10)).toBeLessThan(0.012);
    expect(Math.abs(variance(problem.teacher.weights[1]) - 1 / 400)).toBeLessThan(0.0005);
  });

  it('supports a linear teacher with hidden: []', () => {
    const problem = teacherStudent({ count: 5, inputSize: 2, outputSize: 1, hidden: [], noise: 0, seed: 6 });
    const [weight] = problem.teacher.weights;
    const [bias] = problem.teacher.biases;
    for (let example = 0; example < 5; example += 1) {
      const x = problem.inputs.subarray(example * 2, example * 2 + 2);
      expect(problem.targets[example]).toBeCloseTo(weight[0] * x[0] + weight[1] * x[1] + bias[0], 5);
    }
  });

  it('rejects bad sizes, naming them', () => {
    const base = { count: 5, inputSize: 2, outputSize: 1, noise: 0, seed: 1 };
    expect(() => teacherStudent({ ...base, inputSize: 0 })).toThrow(
      'teacherStudent: inputSize must be an integer ≥ 1, got 0',
    );
    expect(() => teacherStudent({ ...base, hidden: [4, -1] })).toThrow(
      'teacherStudent: hidden[1] must be an integer ≥ 1, got -1',
    );
    expect(() => teacherStudent({ ...base, noise: Number.NaN })).toThrow(
      'teacherStudent: noise must be a finite number ≥ 0, got NaN',
    );
  });
});
