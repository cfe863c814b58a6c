/**
 * mish, the worked example of "how to add an op" (docs/architecture.md): one entry in
 * `@vane/tensor`'s unary op table gives the function, the method, the kernels and the
 * gradient. Checked against the closed forms in float64.
 */
import { mish, tensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { grad } from './index.js';

const VALUES = [-30, -4, -1.5, -0.25, 0, 0.3, 1, 2.5, 8, 40];
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const reference = (x: number) => x * Math.tanh(softplus(x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const derivative = (x: number) => Math.tanh(softplus(x)) + x * (1 - Math.tanh(softplus(x)) ** 2) * sigmoid(x);

describe('mish', () => {
  it('is x·tanh(softplus(x)), as a function and a method, on float64 and float32', () => {
    const x = tensor(VALUES, { dtype: 'float64' });
    const values = Array.from(mish(x).dataSync());
    VALUES.forEach((value, index) => expect(values[index]).toBeCloseTo(reference(value), 14));
    expect(Array.from(x.mish().dataSync())).toEqual(values);
    const single = Array.from(mish(tensor(VALUES)).dataSync());
    VALUES.forEach((value, index) =>
      expect(Math.abs(single[index]! - reference(value))).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(reference(value)))),
    );
  });

  it('differentiates to tanh(sp(x)) + x·(1 − tanh²(sp(x)))·σ(x)', () => {
    const x = tensor(VALUES, { dtype: 'float64' });
    const gradient = Array.from((grad((input: Tensor) => mish(input).sum())(x) as Tensor).dataSync());
    VALUES.forEach((value, index) => expect(gradient[index]).toBeCloseTo(derivative(value), 12));
  });
});
