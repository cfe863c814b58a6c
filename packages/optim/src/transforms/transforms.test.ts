/** Small transforms, against values worked out by hand. */
import { tensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { trajectory, valuesOf } from '../test-support/run.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { addDecayedWeights } from './add-decayed-weights.js';
import { clip } from './clip.js';
import { clipByGlobalNorm, globalNorm } from './clip-by-global-norm.js';
import { ema } from './ema.js';
import { scale } from './scale.js';
import { scaleByLearningRate, scaleBySchedule } from './scale-by-learning-rate.js';
import { scaleBySign } from './scale-by-sign.js';
import { trace } from './trace.js';
import { zeroNans } from './zero-nans.js';

const f64 = (values: number[]) => tensor(values, { dtype: 'float64' });
/** The updates a transform returns for each of several inputs, as plain arrays. */
function outputs(
  tx: GradientTransformation<any>,
  inputs: number[][],
  params: number[] = inputs[0]!.map(() => 1),
): number[][] {
  let state = tx.init({ w: f64(params) });
  return inputs.map((values) => {
    const [updates, next] = tx.update({ w: f64(values) }, state, { w: f64(params) });
    state = next;
    return valuesOf((updates as { w: Tensor }).w);
  });
}

describe('scaling transforms', () => {
  it('scale, scaleByLearningRate (sign flip, schedules) and scaleBySchedule', () => {
    expect(outputs(scale(-2), [[1, -0.5]])).toEqual([[-2, 1]]);
    expect(outputs(scaleByLearningRate(0.5), [[1, -2]])).toEqual([[-0.5, 1]]);
    expect(outputs(scaleByLearningRate(0.5, { flipSign: false }), [[1, -2]])).toEqual([[0.5, -1]]);
    expect(
      outputs(
        scaleByLearningRate((step) => 1 / (step + 1)),
        [[1], [1], [1]],
      ),
    ).toEqual([[-1], [-0.5], [-1 / 3]]);
    expect(
      outputs(
        scaleBySchedule((step) => step),
        [[3], [3]],
      ),
    ).toEqual([[0], [3]]);
    expect(() => scaleByLearningRate(-1)).toThrow(
      "scaleByLearningRate: 'learningRate' must be a finite number ≥ 0, got -1",
    );
  });

  it('scaleBySign and zeroNans', () => {
    expect(outputs(scaleBySign(), [[2, -0.1, 0, Number.NaN]])[0]).toEqual([1, -1, 0, Number.NaN]);
    expect(outputs(zeroNans(), [[Number.NaN, Infinity, -1]])).toEqual([[0, Infinity, -1]]);
  });
});

describe('clipping', () => {
  it('clip bounds each element', () => {
    expect(outputs(clip(0.5), [[2, -3, 0.25]])).toEqual([[0.5, -0.5, 0.25]]);
  });

  it('clipByGlobalNorm rescales all leaves together only above the bound', () => {
    // ‖([3], [4])‖ = 5 > 1, so everything is divided by 5.
    const tx = clipByGlobalNorm(1);
    const updates: TensorTree = { a: f64([3]), b: f64([0, 4]) };
    const [clipped] = tx.update(updates, tx.init(updates));
    expect(valuesOf((clipped as any).a)[0]).toBeCloseTo(0.6, 15);
    expect(valuesOf((clipped as any).b)[1]).toBeCloseTo(0.8, 15);
    const [kept] = clipByGlobalNorm(10).update(updates, {});
    expect(valuesOf((kept as any).b)).toEqual([0, 4]);
    expect(globalNorm(updates).item()).toBe(5);
  });
});

describe('momentum and averages', () => {
  it('trace starts at the first gradient and dampens later ones (PyTorch)', () => {
    // b₁ = g₁ = 1; b₂ = 0.9·1 + (1 − 0.5)·2 = 1.9; b₃ = 0.9·1.9 + 0.5·0 = 1.71.
    expect(outputs(trace({ decay: 0.9, dampening: 0.5 }), [[1], [2], [0]])).toEqual([[1], [1.9], [0.9 * 1.9]]);
    // Nesterov: u = g + μb: 1 + 0.9·1 = 1.9; b₂ = 0.9 + 2 = 2.9, u = 2 + 0.9·2.9 = 4.61.
    const nesterov = outputs(trace({ decay: 0.9, nesterov: true }), [[1], [2]]);
    expect(nesterov[0]![0]).toBeCloseTo(1.9, 15);
    expect(nesterov[1]![0]).toBeCloseTo(4.61, 14);
  });

  it('ema debiases by 1 − βᵗ', () => {
    // m₁ = 0.5·2 = 1 → 1/(1 − 0.5) = 2; m₂ = 0.5·1 + 0.5·4 = 2.5 → 2.5/(1 − 0.25) = 10/3.
    const [first, second] = outputs(ema(0.5), [[2], [4]]);
    expect(first).toEqual([2]);
    expect(second![0]).toBeCloseTo(10 / 3, 15);
    expect(outputs(ema(0.5, { debias: false }), [[2], [4]])).toEqual([[1], [2.5]]);
  });
});

describe('addDecayedWeights', () => {
  it('adds λ·p, with schedules and masks', () => {
    expect(outputs(addDecayedWeights(0.1), [[1, 2]], [10, -20])).toEqual([[2, 0]]);
    expect(
      outputs(
        addDecayedWeights((step) => step),
        [[0], [0]],
        [3],
      ),
    ).toEqual([[0], [3]]);
    const tx = addDecayedWeights(0.5, { w: true, b: false });
    const params: TensorTree = { w: f64([2]), b: f64([2]) };
    const [updates] = tx.update({ w: f64([0]), b: f64([0]) }, tx.init(params), params);
    expect(valuesOf((updates as any).w)).toEqual([1]);
    expect(valuesOf((updates as any).b)).toEqual([0]);
  });

  it('needs params', () => {
    const tx = addDecayedWeights(0.1);
    expect(() => tx.update({ w: f64([1]) }, tx.init({ w: f64([1]) }))).toThrow(
      "addDecayedWeights.update: this transform needs 'params'",
    );
  });
});

describe('the trajectory helper applies updates', () => {
  it('p ← p + u', () => {
    const run = trajectory(scale(1), { w: f64([1]) }, [{ w: f64([2]) }, { w: f64([3]) }]);
    expect(valuesOf(run.params[1].w)).toEqual([6]);
  });
});
