import { describe, expect, it } from 'vitest';
import { optimalLearningRate } from '@vane/optim';
import {
  fitSurge,
  parabolaVertex,
  summarizeSurge,
  surgeGridTable,
  surgeTable,
  surgePlan,
  surgePlot,
  SURGE_PRESETS,
  surgeTradeoffPlot,
  type SurgeConfig,
} from './surge-scaling.js';
import { fitBatchSizeLaw } from './surge-law-fit.js';
import type { SurgeMeasurement, SurgeTask } from './surge-measurement.js';

// Spec Appendix A: S = S_min(1 + B_crit/B) with S_min = 1000, B_crit = 500 for B ∈ {32 … 2048}.
const batchSizes = [32, 64, 128, 256, 512, 1024, 2048];
const stepsOf = (batchSize: number) => 1000 * (1 + 500 / batchSize);

describe('surge fit', () => {
  it('recovers B_noise = 500 and S_min = 1000 from the Appendix A (S, E) points', () => {
    const points = batchSizes.map((batchSize) => ({
      batchSize,
      steps: stepsOf(batchSize),
      examples: batchSize * stepsOf(batchSize),
      optimalLearningRate: 1e-3,
    }));
    const { fit } = fitSurge(points);
    expect('bNoise' in fit && fit.bNoise).toBeCloseTo(500, 6);
    expect('sMin' in fit && fit.sMin).toBeCloseTo(1000, 6);
  });

  it('recovers ε_max from optima that follow the Adam law, and matches the Appendix A law values', () => {
    const points = batchSizes.map((batchSize) => ({
      batchSize,
      steps: stepsOf(batchSize),
      examples: batchSize * stepsOf(batchSize),
      optimalLearningRate: optimalLearningRate({ kind: 'adam', batchSize, bNoise: 500, epsMax: 1e-3 }),
    }));
    const { epsMax } = fitSurge(points);
    expect(epsMax!.adam).toBeCloseTo(1e-3, 12);
    // Appendix A, B_noise = 1000, ε_max = 1e-3: Adam law at B = 100 is 5.7496e-4, SGD law at B = 100 is 9.09e-5.
    expect(optimalLearningRate({ kind: 'adam', batchSize: 100, bNoise: 1000, epsMax: 1e-3 })).toBeCloseTo(5.7496e-4, 8);
    expect(optimalLearningRate({ kind: 'sgd', batchSize: 100, bNoise: 1000, epsMax: 1e-3 })).toBeCloseTo(9.09e-5, 7);
  });

  it('reports a failed fit instead of throwing, and still plots the measured points', () => {
    const points = [
      { batchSize: 8, optimalLearningRate: 1e-3, grid: [] },
      { batchSize: 16, optimalLearningRate: 2e-3, grid: [] },
    ];
    const result = fitSurge(points);
    expect('error' in result.fit && result.fit.error).toMatch(/fitBNoise/);
    const svg = surgePlot({ ...result, points, config: SURGE_PRESETS.test! });
    expect(svg).toContain('measured optimum');
    expect(svg).not.toContain('Eq. 22 B_noise');
  });

  it('plots the Adam (surge) and SGD curves at the Eq. 22 B_noise and fitted freely, and the (E, S) hyperbola', () => {
    const points = batchSizes.map((batchSize) => ({
      batchSize,
      steps: stepsOf(batchSize),
      examples: batchSize * stepsOf(batchSize),
      optimalLearningRate: 1e-3,
      grid: [],
    }));
    const results = { ...fitSurge(points), points, config: SURGE_PRESETS.test! };
    const svg = surgePlot(results);
    for (const name of [
      'measured optimum',
      'Adam law, Eq. 22 B_noise 500',
      'SGD law, Eq. 22 B_noise 500',
      'Adam law, free fit',
      'SGD law, free fit',
    ])
      expect(svg).toContain(name);
    expect(surgeTradeoffPlot(results)).toContain('Eq. 22 fit: B_noise 500, S_min 1000');
  });
});

describe('parabolaVertex', () => {
  it('finds the vertex of y = (x − 3)² + 1 from three unequally spaced points, and undefined for collinear ones', () => {
    const f = (x: number) => (x - 3) ** 2 + 1;
    expect(parabolaVertex([1, 2.5, 6], [f(1), f(2.5), f(6)])).toBeCloseTo(3, 12);
    expect(parabolaVertex([0, 1, 2], [0, 1, 2])).toBeUndefined();
  });
});

describe('fitBatchSizeLaw (both parameters free)', () => {
  it('recovers B_noise and ε_max of the law the optima follow, with zero error, and the other law fits worse', () => {
    const sizes = [8, 16, 32, 64, 128, 256, 512, 1024];
    for (const kind of ['adam', 'sgd'] as const) {
      const points = sizes.map((batchSize) => ({
        batchSize,
        learningRate: optimalLearningRate({ kind, batchSize, bNoise: 64, epsMax: 1e-2 }),
      }));
      const fit = fitBatchSizeLaw(points, kind);
      // The grid has 4001 points over 6 + log10(1024/8) ≈ 8.1 decades: a spacing of 0.47%.
      expect(fit.bNoise / 64).toBeGreaterThan(0.995);
      expect(fit.bNoise / 64).toBeLessThan(1.005);
      expect(fit.epsMax / 1e-2).toBeCloseTo(1, 2);
      expect(fit.rmsLog10Error).toBeLessThan(1e-3);
      expect(fit.atRangeEdge).toBe(false);
      const other = fitBatchSizeLaw(points, kind === 'adam' ? 'sgd' : 'adam');
      expect(other.rmsLog10Error).toBeGreaterThan(0.05);
    }
  });

  it('says when the optima do not pin B_noise down (a constant optimum under the SGD law: B_noise → 0)', () => {
    const fit = fitBatchSizeLaw(
      [8, 64, 512].map((batchSize) => ({ batchSize, learningRate: 3e-3 })),
      'sgd',
    );
    expect(fit.atRangeEdge).toBe(true);
    expect(fit.epsMax).toBeCloseTo(3e-3, 5);
  });

  it('refuses fewer than two optima', () => {
    expect(() => fitBatchSizeLaw([{ batchSize: 8, learningRate: 1e-3 }], 'adam')).toThrow(
      /fitBatchSizeLaw: needs at least two measured optima, got 1/,
    );
  });
});

describe('summarizeSurge', () => {
  // Two batch sizes × three rates × two seeds with known steps; B = 8 is best at 2e-3, B = 64 at 4e-3
  // (its 8e-3 runs are faster but one seed diverged, so that rate is not a candidate).
  const config: SurgeConfig = {
    ...SURGE_PRESETS.test!,
    batchSizes: [8, 64],
    learningRates: [1e-3, 2e-3, 4e-3, 8e-3],
    seeds: 2,
  };
  const steps: Record<number, (number | undefined)[][]> = {
    8: [
      [400, 420],
      [300, 310],
      [350, 360],
      [undefined, undefined],
    ],
    64: [
      [200, 210],
      [120, 130],
      [80, 90],
      [50, undefined],
    ],
  };
  const measurements: SurgeMeasurement[] = surgePlan(config).map((run) => {
    const task = (run as { task: SurgeTask }).task;
    const value = steps[task.batchSize]![config.learningRates.indexOf(task.learningRate)]![task.seed];
    return {
      task,
      diverged: value === undefined && task.learningRate === 8e-3 && task.batchSize === 64,
      finalLoss: 1,
      checks: 10,
      ...(value === undefined
        ? {}
        : {
            steps: value,
            examples: value * task.batchSize,
            noise: {
              bSimple: task.batchSize === 64 ? 300 : task.learningRate === 1e-3 ? 500 : 100 + task.seed,
              gradientSquaredNorm: 1,
              traceCovariance: 1,
            },
          }),
    };
  });
  const summary = summarizeSurge(config, measurements);

  it('picks per batch size the rate with the fewest seed-mean steps among rates every seed reached the target with', () => {
    expect(summary.points.map((p) => p.optimalLearningRate)).toEqual([2e-3, 4e-3]);
    expect(summary.points.map((p) => [p.steps, p.examples])).toEqual([
      [305, 305 * 8],
      [85, 85 * 64],
    ]);
    expect(summary.points.map((p) => p.optimumAtGridEdge)).toEqual([false, false]);
    expect(summary.points[1]!.grid[3]).toEqual({ learningRate: 8e-3, reached: 1, diverged: 1 });
    expect(summary.points[0]!.grid[3]).toEqual({ learningRate: 8e-3, reached: 0, diverged: 0 });
  });

  it('fits B_noise by Eq. 22 on the optimal-rate runs only, and reports their B_simple', () => {
    // Two points determine the hyperbola: 1/S = −B_noise/E + 1/S_min through (2440, 305) and (5440, 85).
    const slope = (1 / 85 - 1 / 305) / (1 / 5440 - 1 / 2440);
    expect('bNoise' in summary.fit && summary.fit.bNoise).toBeCloseTo(-slope, 9);
    expect(summary.points.map((p) => p.bSimple)).toEqual([100.5, 300]);
    // B = 8: six runs reached the target, B_simple 500, 500 (lr 1e-3), 100, 101, 100, 101: median 101; B = 64: seven runs, all 300.
    expect(summary.points.map((p) => p.bSimpleMedianAllRuns)).toEqual([101, 300]);
    expect(summary.bSimpleMedian).toBe(200.25);
    // The vertex in log–log through (1e-3, 410), (2e-3, 305), (4e-3, 355): computed independently below.
    const [a, b, c] = [Math.log(410), Math.log(305), Math.log(355)];
    const expected = 2e-3 * 2 ** ((a - c) / (2 * (a - 2 * b + c)));
    expect(summary.points[0]!.interpolatedOptimalLearningRate).toBeCloseTo(expected, 12);
    expect(summary.points[1]!.interpolatedOptimalLearningRate).toBeUndefined(); // its upper neighbour (8e-3) has a seed that did not reach the target
    expect(surgeTable(summary.points, 'markdown')).toContain(
      `| 8 | 2e-3 | ${expected.toExponential(1)} | 305 | 2440 | 101 | 101 |`,
    );
    expect(summary.lawFits!.adam.kind).toBe('adam');
  });

  it('tables the grid with – for not reached and × for diverged', () => {
    const table = surgeGridTable({ points: summary.points, config }, 'markdown');
    expect(table).toContain('| 8 | 410 | 305 | 355 | – |');
    expect(table).toContain('| 64 | 205 | 125 | 85 | × |');
  });
});
