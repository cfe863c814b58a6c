import { memory, randn, seed, tensor, tree, zeros, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gradientNoiseScale, noiseScaleEstimate } from './gradient-noise-scale.js';
import { noiseScaleFromPerExample } from './noise-scale-from-per-example.js';
import { signExpectation } from './sign-expectation.js';
import { twoBatchEstimate } from './two-batch-estimate.js';

describe('twoBatchEstimate', () => {
  it('recovers |G|² = 2, tr Σ = 200, B_simple = 100 from exact expectations (spec Appendix A)', () => {
    // E‖G_B‖² = 2 + 200/B: 27 at B = 8 and 3.5625 at B = 128.
    const estimate = twoBatchEstimate({
      smallBatchSize: 8,
      smallSquaredNorm: 27,
      bigBatchSize: 128,
      bigSquaredNorm: 3.5625,
    });
    expect(estimate.gradientSquaredNorm).toBeCloseTo(2, 12);
    expect(estimate.traceCovariance).toBeCloseTo(200, 10);
    expect(estimate.bSimple).toBeCloseTo(100, 10);
  });
  it('checks its options', () => {
    expect(() =>
      twoBatchEstimate({ smallBatchSize: 8, smallSquaredNorm: 1, bigBatchSize: 8, bigSquaredNorm: 1 }),
    ).toThrow("twoBatchEstimate: 'bigBatchSize' must be greater than 'smallBatchSize' (8), got 8");
  });
});

describe('noiseScaleFromPerExample', () => {
  it('matches a hand computation', () => {
    // g = [1, 0], [3, 2]: ḡ = [2, 1], unbiased variances 2 and 2 → tr Σ = 4; |G|² = 5 − 4/2 = 3.
    const estimate = noiseScaleFromPerExample(
      tensor(
        [
          [1, 0],
          [3, 2],
        ],
        { dtype: 'float64' },
      ),
    );
    expect(estimate.traceCovariance).toBeCloseTo(4, 14);
    expect(estimate.gradientSquaredNorm).toBeCloseTo(3, 14);
    expect(estimate.bSimple).toBeCloseTo(4 / 3, 14);
  });
  it('agrees with the two-batch estimator at B_small = 1, B_big = M on a tree (spec §3.2)', () => {
    const generator = seed(3);
    const grads = {
      w: randn([6, 3, 2], { generator, dtype: 'float64' }),
      b: randn([6, 4], { generator, dtype: 'float64' }),
    };
    const perExample = noiseScaleFromPerExample(grads);
    // Independent route: mean of per-example squared norms and squared norm of the mean, by plain loops.
    const w = grads.w.toArray() as number[][][];
    const b = grads.b.toArray() as number[][];
    const vectors = w.map((example, index) => [...example.flat(), ...b[index]!]);
    const mean = vectors[0]!.map(
      (_, coordinate) => vectors.reduce((total, vector) => total + vector[coordinate]!, 0) / vectors.length,
    );
    const smallSquaredNorm =
      vectors.reduce((total, vector) => total + vector.reduce((s, x) => s + x * x, 0), 0) / vectors.length;
    const bigSquaredNorm = mean.reduce((s, x) => s + x * x, 0);
    const twoBatch = twoBatchEstimate({ smallBatchSize: 1, smallSquaredNorm, bigBatchSize: 6, bigSquaredNorm });
    expect(perExample.traceCovariance).toBeCloseTo(twoBatch.traceCovariance, 10);
    expect(perExample.gradientSquaredNorm).toBeCloseTo(twoBatch.gradientSquaredNorm, 10);
    tree.leaves(grads).forEach((leaf) => leaf.dispose());
  });
  it('rejects inconsistent example axes', () => {
    expect(() => noiseScaleFromPerExample({ a: zeros([3, 2]), b: zeros([4]) })).toThrow(
      'noiseScaleFromPerExample: every leaf',
    );
    expect(() => noiseScaleFromPerExample(zeros([1, 5]))).toThrow('at least 2 examples');
  });
});

// Synthetic problem with known statistics: per-example gradients g_i = G + σ·z_i, z_i ~ N(0, I)
// in d dimensions, so |G|² is chosen and tr Σ = d·σ².
function syntheticProblem(dimension: number, sigma: number) {
  const generator = seed(11);
  const trueGradient = randn([dimension], { generator, dtype: 'float64' });
  const gradientSquaredNorm = (trueGradient.toArray() as number[]).reduce((s, x) => s + x * x, 0);
  const microBatch = (size: number): Tensor => {
    const noise = randn([size, dimension], { generator, dtype: 'float64', std: sigma });
    const perExampleMean = noise.mean(0);
    const gradient = perExampleMean.add(trueGradient);
    noise.dispose();
    perExampleMean.dispose();
    return gradient;
  };
  return { trueGradient, gradientSquaredNorm, traceCovariance: dimension * sigma * sigma, microBatch };
}

describe('gradientNoiseScale', () => {
  it('estimates B_simple = tr Σ/|G|² on a synthetic problem from micro-batches at fixed parameters', () => {
    const problem = syntheticProblem(40, 3);
    const monitor = gradientNoiseScale({ microBatchSize: 4, decay: 0.99 });
    const params = { w: zeros([40], { dtype: 'float64' }) };
    let state = monitor.init(params);
    for (let step = 0; step < 1500; step++) {
      const micro = [problem.microBatch(4), problem.microBatch(4), problem.microBatch(4), problem.microBatch(4)];
      const mean = micro.reduce((a, b) => a.add(b)).div(4);
      const [out, next] = monitor.update({ w: mean }, state, params, {
        microBatchGradients: micro.map((w) => ({ w })),
      });
      expect(out).toEqual({ w: mean });
      for (const key of ['squaredNormAverage', 'traceAverage', 'averageWeight', 'noiseScale'] as const)
        state[key].dispose();
      state = next;
      micro.forEach((t) => t.dispose());
      mean.dispose();
    }
    const estimate = noiseScaleEstimate(state);
    const truth = problem.traceCovariance / problem.gradientSquaredNorm;
    // The EMA (β = 0.99) averages ≈ 200 independent measurements; each tr Σ estimate has a
    // relative sd of about √(2/(d·(k−1))) ≈ 13% here, so the average is within ~1% and the
    // |G|² estimate similarly; 6% leaves a wide margin for the ratio without being vacuous.
    expect(Math.abs(estimate.traceCovariance - problem.traceCovariance) / problem.traceCovariance).toBeLessThan(0.06);
    expect(
      Math.abs(estimate.gradientSquaredNorm - problem.gradientSquaredNorm) / problem.gradientSquaredNorm,
    ).toBeLessThan(0.06);
    expect(Math.abs(estimate.bSimple - truth) / truth).toBeLessThan(0.08);
  });

  it('recovers exact statistics when the micro-batch norms equal their expectations', () => {
    // Two orthogonal micro-batch gradients of squared norm 27 whose mean has squared norm 13.5:
    // B_small = 8, B_big = 16 gives |G|² = (16·13.5 − 8·27)/8 = 0 — so use a mean with 2 + 200/16 = 14.5:
    // g₁ = (a, c), g₂ = (a, −c) with a² + c² = 27 and a² = 14.5 → c² = 12.5.
    const a = Math.sqrt(14.5);
    const c = Math.sqrt(12.5);
    const monitor = gradientNoiseScale({ microBatchSize: 8, decay: 0.5 });
    const params = { w: zeros([2], { dtype: 'float64' }) };
    const state = monitor.init(params);
    const micro = [{ w: tensor([a, c], { dtype: 'float64' }) }, { w: tensor([a, -c], { dtype: 'float64' }) }];
    const [, next] = monitor.update({ w: tensor([a, 0], { dtype: 'float64' }) }, state, params, {
      microBatchGradients: micro,
    });
    const estimate = noiseScaleEstimate(next);
    // E‖G_8‖² = 27 and E‖G_16‖² = 14.5 correspond to |G|² = 2, tr Σ = 200.
    expect(estimate.gradientSquaredNorm).toBeCloseTo(2, 10);
    expect(estimate.traceCovariance).toBeCloseTo(200, 8);
    expect(estimate.bSimple).toBeCloseTo(100, 8);
    expect(next.count).toBe(1);
  });

  it('sequential mode groups consecutive updates and skips non-finite measurements', () => {
    const monitor = gradientNoiseScale({ microBatchSize: 8, groupSize: 2 });
    const params = { w: zeros([2], { dtype: 'float64' }) };
    let state = monitor.init(params);
    expect(Number.isNaN(noiseScaleEstimate(state).bSimple)).toBe(true);
    expect(state.noiseScale.item()).toBe(0);
    const a = Math.sqrt(14.5);
    const c = Math.sqrt(12.5);
    [, state] = monitor.update({ w: tensor([a, c], { dtype: 'float64' }) }, state, params);
    expect(state.count).toBe(0);
    expect(state.buffer!.count).toBe(1);
    [, state] = monitor.update({ w: tensor([a, -c], { dtype: 'float64' }) }, state, params);
    expect(state.count).toBe(1);
    expect(noiseScaleEstimate(state).bSimple).toBeCloseTo(100, 8);
    [, state] = monitor.update({ w: tensor([Number.NaN, 0], { dtype: 'float64' }) }, state, params);
    [, state] = monitor.update({ w: tensor([1, 0], { dtype: 'float64' }) }, state, params);
    expect(state.count).toBe(2);
    expect(noiseScaleEstimate(state).bSimple).toBeCloseTo(100, 8);
  });

  it('does not leak tensors across steps once old states are released', () => {
    const monitor = gradientNoiseScale({ microBatchSize: 2 });
    const params = { w: zeros([3]) };
    let state = monitor.init(params);
    const g1 = { w: tensor([1, 2, 3]) };
    const g2 = { w: tensor([0, 1, 0]) };
    const before = memory().numTensors;
    for (let step = 0; step < 3; step++) {
      const [, next] = monitor.update(g1, state, params, { microBatchGradients: [g1, g2] });
      for (const key of ['squaredNormAverage', 'traceAverage', 'averageWeight', 'noiseScale'] as const)
        if (next[key] !== state[key]) state[key].dispose();
      state = next;
    }
    expect(memory().numTensors).toBe(before);
  });

  it('names the option in errors', () => {
    expect(() => gradientNoiseScale({ microBatchSize: 0 })).toThrow(
      "gradientNoiseScale: 'microBatchSize' must be a finite number > 0, got 0",
    );
    expect(() => gradientNoiseScale({ microBatchSize: 4, groupSize: 1 })).toThrow(
      "gradientNoiseScale: 'groupSize' must be an integer ≥ 2, got 1",
    );
    const monitor = gradientNoiseScale({ microBatchSize: 4 });
    const params = { w: zeros([2]) };
    expect(() => monitor.update(params, monitor.init(params), params)).toThrow(
      'gradientNoiseScale.update: pass the micro-batch gradients',
    );
    expect(() => monitor.update(params, monitor.init(params), params, { microBatchGradients: [params] })).toThrow(
      "'extras.microBatchGradients' must be an array of at least two gradient trees, got 1 tree(s)",
    );
  });
});

describe('signExpectation (Surge Theorem 2 and Eq. 10)', () => {
  it('reproduces the erf-versus-approximation vectors of spec Appendix A (μ/σ = 0.05)', () => {
    // Printed to 5 significant digits: compare to half a unit in the last digit.
    const rows: [number, number, number][] = [
      [1, 0.039878, 0.039863],
      [100, 0.38292, 0.37054],
      [1000, 0.88615, 0.78366],
    ];
    for (const [batchSize, exact, approximate] of rows) {
      expect(Math.abs(signExpectation(0.05, batchSize) - exact)).toBeLessThanOrEqual(0.5e-5 + 1e-12);
      expect(Math.abs(signExpectation(0.05, batchSize, { approximate: true }) - approximate)).toBeLessThanOrEqual(
        0.5e-5 + 1e-12,
      );
    }
  });
  it('is odd in the signal-to-noise ratio and tends to ±1', () => {
    expect(signExpectation(-0.3, 50)).toBeCloseTo(-signExpectation(0.3, 50), 15);
    expect(signExpectation(1, 1e4)).toBeCloseTo(1, 12);
  });
});
