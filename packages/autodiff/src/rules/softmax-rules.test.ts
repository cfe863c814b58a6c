/**
 * The softmax and logSoftmax rules against their closed forms computed in float64 here, on the
 * fused first-order path and on the op-by-op path taken while an outer pass records (so that
 * the gradient can be differentiated again), along the last and a leading axis.
 */
import { describe, expect, it } from 'vitest';
import { logSoftmax, randn, seed, softmax, type Tensor } from '@vane/tensor';
import { vjp } from '../vjp.js';

/** softmax of a row-major [rows, columns] array along `axis`, in float64. */
function referenceSoftmax(x: Float64Array, rows: number, columns: number, axis: 0 | 1): Float64Array {
  const out = new Float64Array(x.length);
  const [lines, length] = axis === 1 ? [rows, columns] : [columns, rows];
  const at = (line: number, position: number) => (axis === 1 ? line * columns + position : position * columns + line);
  for (let line = 0; line < lines; line++) {
    let peak = -Infinity;
    for (let position = 0; position < length; position++) peak = Math.max(peak, x[at(line, position)]!);
    let total = 0;
    for (let position = 0; position < length; position++) total += Math.exp(x[at(line, position)]! - peak);
    for (let position = 0; position < length; position++)
      out[at(line, position)] = Math.exp(x[at(line, position)]! - peak) / total;
  }
  return out;
}

/** Σ along `axis` of `values`, broadcast back to every element of its line. */
function lineSums(values: Float64Array, rows: number, columns: number, axis: 0 | 1): Float64Array {
  const out = new Float64Array(values.length);
  for (let row = 0; row < rows; row++)
    for (let column = 0; column < columns; column++) {
      let total = 0;
      for (let position = 0; position < (axis === 1 ? columns : rows); position++)
        total += values[axis === 1 ? row * columns + position : position * columns + column]!;
      out[row * columns + column] = total;
    }
  return out;
}

const float64 = (t: Tensor) => Float64Array.from(t.dataSync() as Float32Array);

/** Every element within 1e-5 (float32 arithmetic on values of order 1). */
function expectNear(actual: Tensor, expected: Float64Array): void {
  const values = float64(actual);
  expect(values.length).toBe(expected.length);
  values.forEach((value, index) => expect(Math.abs(value - expected[index]!)).toBeLessThan(1e-5));
}

describe('softmax rules', () => {
  const [rows, columns] = [6, 10];
  for (const axis of [1, 0] as const) {
    const generator = seed(40 + axis);
    const x = randn([rows, columns], { generator });
    const g = randn([rows, columns], { generator });
    const p = referenceSoftmax(float64(x), rows, columns, axis);
    const gValues = float64(g);
    // logSoftmax: g − p·Σg; softmax: p ⊙ (g − Σ g⊙p).
    const logSoftmaxExpected = lineSums(gValues, rows, columns, axis).map(
      (total, index) => gValues[index]! - p[index]! * total,
    );
    const softmaxExpected = lineSums(
      gValues.map((value, index) => value * p[index]!),
      rows,
      columns,
      axis,
    ).map((total, index) => p[index]! * (gValues[index]! - total));

    for (const [name, op, expected] of [
      ['logSoftmax', logSoftmax, logSoftmaxExpected],
      ['softmax', softmax, softmaxExpected],
    ] as const) {
      it(`${name} along axis ${axis}: the fused first-order gradient is the closed form`, () => {
        const [, pullBack] = vjp((input: Tensor) => op(input, axis), x);
        expectNear(pullBack(g)[0], expected);
      });

      it(`${name} along axis ${axis}: the recorded (differentiable) gradient is the closed form`, () => {
        // The inner pull-back runs while the outer vjp records, so its rule takes the op-by-op path.
        const [inner] = vjp((input: Tensor) => {
          const [, pullBack] = vjp((value: Tensor) => op(value, axis), input);
          return pullBack(g)[0];
        }, x);
        expectNear(inner, expected);
      });
    }
  }
});
