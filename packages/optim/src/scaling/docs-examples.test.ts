import { readFileSync } from 'node:fs';
import { tensor } from '@vane/tensor';
import {
  optimalLearningRate,
  transferLearningRate,
  fitBNoise,
  epsMaxFromOptima,
  twoBatchEstimate,
  gradientNoiseScale,
  noiseScaleEstimate,
  noiseScaleFromPerExample,
  signExpectation,
  chain,
  adamw,
  signDescentOptimalLearningRate,
  surgeNoiseScale,
  predictedSteps,
  predictedExamples,
  criticalBatchSize,
} from '../index.js';
import { describe, expect, it } from 'vitest';
import { findUndocumentedExamples } from '@vane/testkit';

// Each example below is copied verbatim from docs/scaling.md; the last test fails if a code
// block of the page no longer appears here, so the page cannot drift from tested code.
describe('docs/scaling.md examples', () => {
  it('runs the examples in order', () => {
    // Spec Appendix A: B_noise = 1000, ε_max = 1e-3.
    expect(optimalLearningRate({ kind: 'sgd', batchSize: 100, bNoise: 1000, epsMax: 1e-3 })).toBeCloseTo(9.0909e-5, 9);
    expect(optimalLearningRate({ kind: 'adam', batchSize: 100, bNoise: 1000, epsMax: 1e-3 })).toBeCloseTo(5.7496e-4, 8);
    expect(optimalLearningRate({ kind: 'adam', batchSize: 1000, bNoise: 1000, epsMax: 1e-3 })).toBe(1e-3);
    expect(optimalLearningRate({ kind: 'adam', batchSize: 10000, bNoise: 1000, epsMax: 1e-3 })).toBeCloseTo(
      5.7496e-4,
      8,
    );
    // With Theorem 4's limit ε_∞ = 8e-4: q = 2, 𝓔² = B/(B + 4000), ε = 4e-3·𝓔/(1 + 4𝓔²).
    const bothRegimes = { kind: 'adam', bNoise: 1000, epsMax: 1e-3, largeBatchAsymptote: 8e-4 } as const;
    expect(optimalLearningRate({ ...bothRegimes, batchSize: 1000 })).toBeCloseTo((4e-3 * Math.sqrt(0.2)) / 1.8, 15);
    expect(optimalLearningRate({ ...bothRegimes, batchSize: 1e12 })).toBeCloseTo(8e-4, 9);
    expect(() => optimalLearningRate({ ...bothRegimes, batchSize: 1000, largeBatchAsymptote: 2e-3 })).toThrow(
      /must be ≤ 'epsMax'/,
    );
    // Spec Appendix A: 3e-4 tuned at B = 256, B_noise = 1024, moved to B = 2048.
    const transfer = { lr: 3e-4, fromBatch: 256, toBatch: 2048, bNoise: 1024 };
    expect(transferLearningRate({ kind: 'sgd', ...transfer })).toBeCloseTo(1e-3, 12);
    expect(transferLearningRate({ kind: 'adam', ...transfer })).toBeCloseTo(3.5355e-4, 8);
    expect(transferLearningRate({ kind: 'mccandlish', ...transfer })).toBeCloseTo(5.477e-4, 7);
    // Synthetic runs with S = 1000·(1 + 500/B): B_noise = 500, S_min = 1000 (spec Appendix A).
    const runs = [32, 128, 512, 2048].map((b) => ({ steps: 1000 * (1 + 500 / b), examples: b * 1000 * (1 + 500 / b) }));
    const fit = fitBNoise(runs);
    expect(fit.bNoise).toBeCloseTo(500, 8);
    expect(fit.sMin).toBeCloseTo(1000, 8);
    expect(epsMaxFromOptima([{ batchSize: 256, learningRate: 3e-4 }], 1024, 'adam')).toBeCloseTo(3.75e-4, 12);
    expect(epsMaxFromOptima([{ batchSize: 256, learningRate: 3e-4 }], 1024, 'sgd')).toBeCloseTo(1.5e-3, 12);
    // B_noise = 500, S_min = 1000, E_min = 5e5: the critical batch size costs 2·S_min and 2·E_min.
    expect(predictedSteps({ batchSize: 500, bNoise: 500, sMin: 1000 })).toBe(2000);
    expect(predictedExamples({ batchSize: 500, bNoise: 500, eMin: 5e5 })).toBe(1e6);
    expect(predictedSteps({ batchSize: 100, bNoise: 500, sMin: 1000 })).toBe(6000);
    expect(predictedExamples({ batchSize: 2000, bNoise: 500, eMin: 5e5 })).toBe(2.5e6);
    expect(criticalBatchSize({ loss: 1 })).toBe(2e8);
    // Halving the loss multiplies B_crit by 2^(1/0.21) ≈ 27.1: 2e8/2^(1/0.21) ≈ 7.37e6 tokens at L = 2.
    expect(criticalBatchSize({ loss: 2 })).toBeCloseTo(7371465.3056, 3);
    expect(criticalBatchSize({ loss: 2, bStar: 1000, alphaB: 0.5 })).toBeCloseTo(250, 12);
    // E‖G_B‖² = 2 + 200/B at B = 8 and B = 128 (spec Appendix A).
    const estimate = twoBatchEstimate({
      smallBatchSize: 8,
      smallSquaredNorm: 27,
      bigBatchSize: 128,
      bigSquaredNorm: 3.5625,
    });
    expect(estimate.gradientSquaredNorm).toBeCloseTo(2, 12);
    expect(estimate.traceCovariance).toBeCloseTo(200, 10);
    expect(estimate.bSimple).toBeCloseTo(100, 10);
    const params = { w: tensor([0, 0], { dtype: 'float64' }) };
    const optimizer = chain(gradientNoiseScale({ microBatchSize: 8 }), adamw({ lr: 1e-3 }));
    const state = optimizer.init(params);
    // Two micro-batches of 8 whose squared norms are 27 and whose mean has squared norm 14.5:
    // the expectations at B = 8 and B = 16 when |G|² = 2 and tr Σ = 200.
    const a = Math.sqrt(14.5);
    const c = Math.sqrt(12.5);
    const microBatchGradients = [
      { w: tensor([a, c], { dtype: 'float64' }) },
      { w: tensor([a, -c], { dtype: 'float64' }) },
    ];
    const [, next] = optimizer.update({ w: tensor([a, 0], { dtype: 'float64' }) }, state, params, {
      microBatchGradients,
    });
    expect(noiseScaleEstimate(next[0]).bSimple).toBeCloseTo(100, 8);
    // g = (1, 0) and (3, 2): ḡ = (2, 1), tr Σ = 2 + 2 = 4, |G|² = 5 − 4/2 = 3.
    const perExample = noiseScaleFromPerExample(
      tensor(
        [
          [1, 0],
          [3, 2],
        ],
        { dtype: 'float64' },
      ),
    );
    expect(perExample.bSimple).toBeCloseTo(4 / 3, 14);
    // Spec Appendix A, μ/σ = 0.05.
    expect(signExpectation(0.05, 100)).toBeCloseTo(0.38292, 5);
    expect(signExpectation(0.05, 100, { approximate: true })).toBeCloseTo(0.37054, 5);
    expect(signExpectation(0.05, 1000, { approximate: true })).toBeCloseTo(0.78366, 5);
    // 50 coupled coordinates (Hᵢᵢ = 1, Hᵢⱼ = 0.8), μᵢ/σᵢ = 0.01: B_noise = 50π/(2·1e-4·50·49·0.8) ≈ 400.
    const model = {
      mean: Array.from({ length: 50 }, () => 0.01),
      std: Array.from({ length: 50 }, () => 1),
      hessian: Array.from({ length: 50 }, (_, i) => Array.from({ length: 50 }, (_, j) => (i === j ? 1 : 0.8))),
    };
    const surge = surgeNoiseScale(model);
    expect(surge.bNoise).toBeCloseTo((50 * Math.PI) / (2 * 1e-4 * 50 * 49 * 0.8), 8);
    const exactAt100 = signDescentOptimalLearningRate(model, 100);
    const lawAt100 = optimalLearningRate({ kind: 'adam', batchSize: 100, bNoise: surge.bNoise, epsMax: surge.epsMax });
    expect(Math.abs(lawAt100 - exactAt100) / exactAt100).toBeLessThan(0.01);
  });

  it('contains every code block of docs/scaling.md', () => {
    const documentation = readFileSync(new URL('../../../../docs/scaling.md', import.meta.url), 'utf8');
    const { blocks, missing } = findUndocumentedExamples(
      documentation,
      readFileSync(new URL(import.meta.url), 'utf8'),
      { skipImports: true },
    );
    expect(blocks).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });
});
