import { describe, expect, it } from 'vitest';
import { optimalLearningRate } from '@vane/optim';
import { fitSurge, surgePlot, SURGE_PRESETS } from './surge-scaling.js';

// Spec Appendix A: S = S_min(1 + B_crit/B) with S_min = 1000, B_crit = 500 for B ∈ {32 … 2048}.
const batchSizes = [32, 64, 128, 256, 512, 1024, 2048];
const stepsOf = (batchSize: number) => 1000 * (1 + 500 / batchSize);

describe('surge fit', () => {
  it('recovers B_noise = 500 and S_min = 1000 from the Appendix A (S, E) points', () => {
    const points = batchSizes.map((batchSize) => ({ batchSize, steps: stepsOf(batchSize), examples: batchSize * stepsOf(batchSize), optimalLearningRate: 1e-3 }));
    const { fit } = fitSurge(points);
    expect('bNoise' in fit && fit.bNoise).toBeCloseTo(500, 6);
    expect('sMin' in fit && fit.sMin).toBeCloseTo(1000, 6);
  });

  it('recovers ε_max from optima that follow the Adam law, and matches the Appendix A law values', () => {
    const points = batchSizes.map((batchSize) => ({
      batchSize, steps: stepsOf(batchSize), examples: batchSize * stepsOf(batchSize),
      optimalLearningRate: optimalLearningRate({ kind: 'adam', batchSize, bNoise: 500, epsMax: 1e-3 }),
    }));
    const { epsMax } = fitSurge(points);
    expect(epsMax!.adam).toBeCloseTo(1e-3, 12);
    // Appendix A, B_noise = 1000, ε_max = 1e-3: Adam law at B = 100 is 5.7496e-4, SGD law at B = 100 is 9.09e-5.
    expect(optimalLearningRate({ kind: 'adam', batchSize: 100, bNoise: 1000, epsMax: 1e-3 })).toBeCloseTo(5.7496e-4, 8);
    expect(optimalLearningRate({ kind: 'sgd', batchSize: 100, bNoise: 1000, epsMax: 1e-3 })).toBeCloseTo(9.09e-5, 7);
  });

  it('reports a failed fit instead of throwing, and still plots the measured points', () => {
    const points = [{ batchSize: 8, optimalLearningRate: 1e-3 }, { batchSize: 16, optimalLearningRate: 2e-3 }];
    const result = fitSurge(points);
    expect('error' in result.fit && result.fit.error).toMatch(/fitBNoise/);
    const svg = surgePlot({ ...result, points, config: SURGE_PRESETS.test! });
    expect(svg).toContain('measured optimum');
    expect(svg).not.toContain('Adam law');
  });

  it('plots the Adam (surge), SGD and McCandlish curves next to the measured points', () => {
    const points = batchSizes.map((batchSize) => ({ batchSize, steps: stepsOf(batchSize), examples: batchSize * stepsOf(batchSize), optimalLearningRate: 1e-3 }));
    const svg = surgePlot({ ...fitSurge(points), points, config: SURGE_PRESETS.test! });
    for (const name of ['measured optimum', 'Adam law (surge)', 'SGD law', 'McCandlish']) expect(svg).toContain(name);
  });
});
