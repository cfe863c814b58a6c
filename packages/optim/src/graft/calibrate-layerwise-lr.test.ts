import { memory, tensor, tree, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { chain } from '../combinators/chain.js';
import { adam } from '../optimizers/adam.js';
import { sgd } from '../optimizers/sgd.js';
import type { TensorTree } from '../transform.js';
import { scaleByLearningRate } from '../transforms/scale-by-learning-rate.js';
import { trace } from '../transforms/trace.js';
import { calibrateLayerwiseLR } from './calibrate-layerwise-lr.js';
import { scaleByLayerRatios } from './scale-by-layer-ratios.js';

const f64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });
const valuesOf = (value: TensorTree): number[] =>
  tree.leaves(value).flatMap((leaf) => Array.from((leaf as Tensor).dataSync()));

// Gradient of f(w, b) = ½‖w‖² + 2‖b‖²: (w, 4b), so every step has a closed form.
const quadraticGradient = (params: TensorTree): TensorTree => {
  const { w, b } = params as { w: Tensor; b: Tensor };
  return { w: f64(Array.from(w.dataSync())), b: f64(Array.from(b.dataSync()).map((x) => 4 * x)) };
};

describe('calibrateLayerwiseLR (experimental)', () => {
  const params = { w: f64([3, 4]), b: f64([1, -1, 1, -1]) };

  it('M = SGD(lr 0.5) gives r = 0.5 in every layer and takes SGD steps', () => {
    const calibration = calibrateLayerwiseLR({
      magnitude: sgd({ lr: 0.5 }),
      params,
      gradient: quadraticGradient,
      steps: 2,
    });
    expect(calibration.ratios).toEqual({ w: 0.5, b: 0.5 });
    expect(calibration.history).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    // w ← w − 0.5w twice = w/4; b ← b − 0.5·4b = −b, twice = b.
    expect(valuesOf(calibration.params)).toEqual([0.75, 1, 1, -1, 1, -1]);
    expect(calibration.scale).toBe(1);
  });

  it("M = Adam: r_ℓ = ‖Δ_Adam,ℓ‖/‖g_ℓ‖, √n·η/‖g_ℓ‖ at the first step (Adam's first step is η·sign(g))", () => {
    const calibration = calibrateLayerwiseLR({
      magnitude: adam({ lr: 0.01 }),
      params,
      gradient: quadraticGradient,
      steps: 1,
    });
    // w: ‖g‖ = 5, n = 2 → 0.01·√2/5; b: ‖g‖ = 8, n = 4 → 0.01·2/8. ε = 1e-8 perturbs by ~1e-8 relative.
    const { w, b } = calibration.ratios as { w: number; b: number };
    expect(Math.abs(w - (0.01 * Math.SQRT2) / 5) / w).toBeLessThan(1e-7);
    expect(Math.abs(b - 0.0025) / b).toBeLessThan(1e-7);
  });

  it('aggregates a window by median or mean and normalises by the mean ratio', () => {
    // Adam on this quadratic: the ratio changes from step to step; check the aggregation against history.
    const run = (aggregate: 'median' | 'mean', normalize = false) =>
      calibrateLayerwiseLR({
        magnitude: adam({ lr: 0.1 }),
        params,
        gradient: quadraticGradient,
        steps: 5,
        window: 3,
        aggregate,
        normalize,
      });
    const median = run('median');
    const last3 = median.history.slice(-3);
    const sortedW = last3.map((row) => row[0]!).sort((a, b) => a - b);
    expect((median.ratios as { w: number }).w).toBe(sortedW[1]);
    const mean = run('mean');
    expect((mean.ratios as { b: number }).b).toBeCloseTo(last3.reduce((total, row) => total + row[1]!, 0) / 3, 15);
    const normalized = run('median', true);
    const { w, b } = normalized.ratios as { w: number; b: number };
    expect((w + b) / 2).toBeCloseTo(1, 15);
    expect(w / b).toBeCloseTo((median.ratios as { w: number }).w / (median.ratios as { b: number }).b, 12);
  });

  it('the frozen ratios drive plain SGD through scaleByLayerRatios', () => {
    const layerwise = chain(scaleByLayerRatios({ w: 2, b: 0.25 }), scaleByLearningRate(0.1));
    const [updates] = layerwise.update({ w: f64([1, 1]), b: f64([4, 4, 4, 4]) }, layerwise.init(params), params);
    expect(valuesOf(updates)).toEqual([-0.2, -0.2, -0.1, -0.1, -0.1, -0.1]);
    expect(() => scaleByLayerRatios({ w: -1 })).toThrow(
      "scaleByLayerRatios: 'ratios.w' must be a finite number ≥ 0, got -1",
    );
  });

  it('with momentum, the ratios applied after trace({ decay: μ }) reproduce M’s step lengths', () => {
    // A constant gradient (the loss is linear), so the momentum buffer after t steps is
    // g·(1 − μᵗ)/(1 − μ) in calibration and in the deployed SGD alike, and Adam's step is
    // 0.01·sign(g) every step (m̂ = g, v̂ = g²).
    const constant = (): TensorTree => ({ w: f64([3, 4]), b: f64([4, -4, 4, -4]) });
    const steps = 30;
    const adamStep = { w: 0.01 * Math.SQRT2, b: 0.01 * 2 };
    const deployedStepNorms = (ratios: unknown, momentum: number) => {
      const layerwise = chain(trace({ decay: momentum }), scaleByLayerRatios(ratios as never), scaleByLearningRate(1));
      let state = layerwise.init(params);
      let updates: TensorTree = params;
      for (let step = 0; step < steps; step++) [updates, state] = layerwise.update(constant(), state, params);
      const { w, b } = updates as { w: Tensor; b: Tensor };
      const norm = (t: Tensor) => Math.hypot(...Array.from(t.dataSync()));
      return { w: norm(w), b: norm(b) };
    };
    const measured = calibrateLayerwiseLR({
      magnitude: adam({ lr: 0.01 }),
      params,
      gradient: constant,
      steps,
      momentum: 0.9,
    });
    const consistent = deployedStepNorms(measured.ratios, 0.9);
    expect(Math.abs(consistent.w - adamStep.w) / adamStep.w).toBeLessThan(1e-6);
    expect(Math.abs(consistent.b - adamStep.b) / adamStep.b).toBeLessThan(1e-6);
    // Ratios measured without momentum and applied after trace(0.9) overshoot by (1 − 0.9³⁰)/0.1 ≈ 9.58.
    const mismatched = deployedStepNorms(
      calibrateLayerwiseLR({ magnitude: adam({ lr: 0.01 }), params, gradient: constant, steps }).ratios,
      0.9,
    );
    expect(mismatched.w / adamStep.w).toBeCloseTo((1 - 0.9 ** 30) / 0.1, 5);
  });

  it('leaves the caller’s params alive and leaks nothing', () => {
    const before = memory().numTensors;
    const calibration = calibrateLayerwiseLR({
      magnitude: adam({ lr: 0.1 }),
      params,
      gradient: quadraticGradient,
      steps: 4,
    });
    tree.leaves(calibration.params).forEach((leaf) => (leaf as Tensor).dispose());
    expect(memory().numTensors).toBe(before);
    expect(valuesOf(params)).toEqual([3, 4, 1, -1, 1, -1]);
  });

  it('checks its options', () => {
    expect(() => calibrateLayerwiseLR({ magnitude: sgd(), params, gradient: quadraticGradient, steps: 0 })).toThrow(
      "calibrateLayerwiseLR: 'steps' must be a positive integer, got 0",
    );
    expect(() =>
      calibrateLayerwiseLR({ magnitude: sgd(), params, gradient: quadraticGradient, steps: 2, window: 3 }),
    ).toThrow("calibrateLayerwiseLR: 'window' must be at most 'steps' (2), got 3");
    expect(() =>
      calibrateLayerwiseLR({ magnitude: sgd(), params, gradient: quadraticGradient, steps: 2, momentum: 1 }),
    ).toThrow("calibrateLayerwiseLR: 'momentum' must be a number in [0, 1), got 1");
  });
});
