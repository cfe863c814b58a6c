import { tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { adamHd } from './adam-hd.js';
import { scaleByDeltaBarDelta } from './delta-bar-delta.js';
import { sgdHd } from './sgd-hd.js';

const f64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });
const valuesOf = (value: TensorTree): number[] =>
  tree.leaves(value).flatMap((leaf) => Array.from((leaf as Tensor).dataSync()));

function feed<S>(
  optimizer: GradientTransformation<S>,
  gradients: number[][],
  params: TensorTree = { w: f64(gradients[0]!.map(() => 0)) },
): { updates: number[][]; state: S } {
  let state = optimizer.init(params);
  const updates: number[][] = [];
  for (const g of gradients) {
    const [update, next] = optimizer.update({ w: f64(g) }, state, params);
    updates.push(valuesOf(update));
    state = next;
  }
  return { updates, state };
}

describe('scaleByDeltaBarDelta', () => {
  it('follows the hand derivation (θ = 0.5, κ = 0.1, 1 − φ = 0.5, unbounded)', () => {
    // t1: δ̄₀ = 0 → gain 1, out 1, δ̄₁ = 0.5. t2: δ̄₁·1 > 0 → 1.1, δ̄₂ = 0.75.
    // t3: 0.75·(−1) < 0 → 0.55, out −0.55, δ̄₃ = −0.125. t4: (−0.125)(−1) > 0 → 0.65, out −0.65.
    const { updates, state } = feed(
      scaleByDeltaBarDelta({ averaging: 0.5, increase: 0.1, decrease: 0.5, minGain: 0, maxGain: 1e9 }),
      [[1], [1], [-1], [-1]],
    );
    [1, 1.1, -0.55, -0.65].forEach((expected, step) => expect(updates[step]![0]).toBeCloseTo(expected, 15));
    expect(valuesOf(state.averageGradient)[0]).toBeCloseTo(-0.5625, 15);
  });

  it("θ = 0 is Hinton's local-gain rule on consecutive gradients, with the gains clamped", () => {
    // Gains after each step: 1, 1.05, 0.9975, 0.947625 (flip), then held ≥ minGain.
    const { updates } = feed(scaleByDeltaBarDelta({ averaging: 0 }), [[2], [2], [-2], [2]]);
    expect(updates.map((row) => row[0])).toEqual([2, 2 * 1.05, -2 * 1.05 * 0.95, 2 * 1.05 * 0.95 * 0.95]);
    const clamped = feed(scaleByDeltaBarDelta({ averaging: 0, decrease: 0.1, minGain: 0.5 }), [[1], [-1], [1], [-1]]);
    expect(clamped.updates.map((row) => row[0])).toEqual([1, -0.5, 0.5, -0.5]);
  });

  it('checks its options', () => {
    expect(() => scaleByDeltaBarDelta({ averaging: 1 })).toThrow(
      "scaleByDeltaBarDelta: 'averaging' must be in [0, 1), got 1",
    );
    expect(() => scaleByDeltaBarDelta({ minGain: 2, maxGain: 1 })).toThrow(
      "scaleByDeltaBarDelta: 'maxGain' must be ≥ 'minGain' (2), got 1",
    );
  });
});

describe('sgdHd', () => {
  it('follows the hand derivation (α₀ = 0.5, β = 0.1)', () => {
    // t1: u₀ = 0 → α 0.5, out −0.5. t2: h = 2·1 → α 0.7, out −1.4. t3: h = −1·2 → α 0.5, out 0.5.
    const { updates, state } = feed(sgdHd({ lr: 0.5, hypergradientLr: 0.1 }), [[1], [2], [-1]]);
    // α = 0.5 + 0.2 − 0.2 rounds in float64: compare to 1e-15.
    [-0.5, -1.4, 0.5].forEach((expected, step) => expect(updates[step]![0]).toBeCloseTo(expected, 15));
    expect(state.learningRate.item()).toBeCloseTo(0.5, 15);
  });

  it('uses the full inner product over all parameters and the momentum direction', () => {
    // Two elements: h₂ = ⟨(1, −1), (1, 3)⟩ = −2 → α = 1 − 0.1·2 = 0.8.
    const plain = feed(sgdHd({ lr: 1, hypergradientLr: 0.1 }), [
      [1, 3],
      [1, -1],
    ]);
    expect(plain.updates[1]).toEqual([-0.8, 0.8]);
    // Momentum 0.5: b₁ = g₁ = 1, b₂ = 0.5 + 2 = 2.5; h₂ = g₂·u₁ = 2·1 → α = 1.2, out −3.
    const heavyBall = feed(sgdHd({ lr: 1, hypergradientLr: 0.1, momentum: 0.5 }), [[1], [2]]);
    expect(heavyBall.updates.map((row) => row[0])).toEqual([-1, -3]);
  });
});

describe('adamHd', () => {
  it('matches an independent scalar re-implementation of adam_hd.py (α₀ = 0.01, β = 0.01)', () => {
    // Values from a float64 Python transcription of the reference algorithm (spec §1.5(d)):
    // α = 0.01, 0.02999999367544668, 0.020348174782338836 and the updates below.
    const { updates, state } = feed(adamHd({ lr: 0.01, hypergradientLr: 0.01 }), [[1], [2], [-1]]);
    const expected = [-0.00999999683772334, -0.0289554505749792, -0.008548049469138425];
    // A handful of float64 roundings in a different order: 1e-13 relative.
    updates.forEach((row, step) =>
      expect(Math.abs(row[0]! - expected[step]!)).toBeLessThanOrEqual(1e-13 * Math.abs(expected[step]!)),
    );
    expect(Math.abs(state.learningRate.item() - 0.020348174782338836)).toBeLessThanOrEqual(1e-15);
  });

  it('checks its options', () => {
    expect(() => adamHd({ betas: [0.9, 1] })).toThrow("adamHd: 'betas[1]' must be in [0, 1), got 1");
    expect(() => sgdHd({ nesterov: true })).toThrow("sgdHd: 'nesterov' must be used with momentum > 0");
  });
});
