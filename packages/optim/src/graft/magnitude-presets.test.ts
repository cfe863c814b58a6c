import { tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import type { TensorTree } from '../transform.js';
import { GRAFT_MAGNITUDE_PRESETS, graftMagnitude } from './magnitude-presets.js';

const f64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });
const valuesOf = (value: TensorTree): number[] =>
  tree.leaves(value).flatMap((leaf) => Array.from((leaf as Tensor).dataSync()));

/** The outputs of a preset over a stream of single-tensor gradients. */
function outputs(name: Parameters<typeof graftMagnitude>[0], stream: number[][], options = {}): number[][] {
  const transform = graftMagnitude(name, options);
  const params = { w: f64(stream[0]!.map(() => 0)) };
  let state = transform.init(params);
  return stream.map((g) => {
    const [out, next] = transform.update({ w: f64(g) }, state, params);
    state = next;
    return valuesOf(out);
  });
}

// Every expectation below is a hand derivation; ε = 1e-10 shifts values of order 1 by ~1e-10,
// so they are compared to 1e-9.
const close = (actual: number[][], expected: number[][]) =>
  actual.forEach((row, step) =>
    row.forEach((value, index) => expect(Math.abs(value - expected[step]![index]!)).toBeLessThanOrEqual(1e-9)),
  );

describe('graftMagnitude presets (Shampoo GraftingType)', () => {
  it('sgd passes the gradient through', () => {
    expect(outputs('sgd', [[3, -4]])).toEqual([[3, -4]]);
  });
  it('adagrad: S ← S + g², g/(√S + ε)', () => {
    // Step 1: S = (9, 16) → (1, −1). Step 2: g = (1, 0), S = (10, 16) → (1/√10, 0).
    close(
      outputs('adagrad', [
        [3, -4],
        [1, 0],
      ]),
      [
        [1, -1],
        [1 / Math.sqrt(10), 0],
      ],
    );
  });
  it('adagradNormalized: ĝ = g/(‖g‖ + 1e-25) first', () => {
    // ĝ₁ = (0.6, −0.8), S = (0.36, 0.64) → (1, −1). ĝ₂ = (1, 0), S = (1.36, 0.64) → (1/√1.36, 0).
    close(
      outputs('adagradNormalized', [
        [3, -4],
        [2, 0],
      ]),
      [
        [1, -1],
        [1 / Math.sqrt(1.36), 0],
      ],
    );
  });
  it('rmsprop: S ← β₂S + (1 − β₂)g²; β₂ = 1 is a plain sum', () => {
    // β₂ = 0.5: S₁ = 2 → 2/√2; S₂ = 1 + 0.5·1 = 1.5 → 1/√1.5.
    close(outputs('rmsprop', [[2], [1]], { beta2: 0.5 }), [[Math.SQRT2], [1 / Math.sqrt(1.5)]]);
    close(
      outputs(
        'rmsprop',
        [
          [3, -4],
          [1, 0],
        ],
        { beta2: 1 },
      ),
      [
        [1, -1],
        [1 / Math.sqrt(10), 0],
      ],
    );
  });
  it('rmspropNormalized', () => {
    // ĝ₁ = (0.6, −0.8), β₂ = 0.5: S = (0.18, 0.32) → (0.6/√0.18, −0.8/√0.32) = (√2, −√2).
    close(outputs('rmspropNormalized', [[3, -4]], { beta2: 0.5 }), [[Math.SQRT2, -Math.SQRT2]]);
  });
  it('sqrtN: sign(g), whose norm is √(non-zeros)', () => {
    expect(outputs('sqrtN', [[3, -4, 0, 0.1]])).toEqual([[1, -1, 0, 1]]);
  });
  it('are the library transforms they name (their state included), not copies of them', () => {
    const params = { w: f64([0, 0]) };
    const keys = (name: Parameters<typeof graftMagnitude>[0], options = {}) =>
      JSON.stringify(tree.map(() => 0, graftMagnitude(name, options).init(params) as never));
    expect(keys('adagrad')).toBe('{"sumOfSquares":{"w":0}}'); // scaleByRss
    expect(keys('rmsprop')).toBe('{"secondMoment":{"w":0}}'); // scaleByRms
    expect(keys('rmsprop', { beta2: 1 })).toBe('{"sumOfSquares":{"w":0}}');
    expect(keys('adagradNormalized')).toBe('[{},{"sumOfSquares":{"w":0}}]'); // chain(normalize, scaleByRss)
    expect(keys('sqrtN')).toBe('{}'); // scaleBySign
  });
  it('lists the presets and checks options', () => {
    expect(GRAFT_MAGNITUDE_PRESETS).toEqual([
      'sgd',
      'adagrad',
      'rmsprop',
      'rmspropNormalized',
      'sqrtN',
      'adagradNormalized',
    ]);
    expect(() => graftMagnitude('adagrad', { beta2: 0.9 })).toThrow(
      "graftMagnitude: 'beta2' must be absent for the 'adagrad' preset",
    );
    expect(() => graftMagnitude('rmsprop', { eps: -1 })).toThrow(
      "graftMagnitude: 'eps' must be a finite number > 0, got -1",
    );
  });
});
