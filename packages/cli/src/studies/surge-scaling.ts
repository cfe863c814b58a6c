/**
 * `vane surge`: the optimal learning rate against the batch size (spec §3.4, Surge Eq. 22–24).
 *
 * For every batch size, every learning rate of a grid and every seed, Adam trains from scratch
 * until the training loss reaches a target (surge-measurement.ts). Per batch size the optimal
 * learning rate is the one with the fewest seed-mean steps to the target; B_noise is fitted by
 * Eq. 22 to the steps S and examples E of those optimal-rate runs only (Eq. 22 and
 * `fitBNoise`'s contract require each batch size at its own optimal rate); ε_max follows for the
 * Adam (Eq. 23) and SGD (Eq. 24) laws, and each law is also fitted with B_noise free, to see which
 * one the measured optima follow. The gradient noise scale B_simple, measured where each run
 * reached the target, is reported beside the fitted B_noise.
 */
import { join } from 'node:path';
import { epsMaxFromOptima, fitBNoise, optimalLearningRate, type BatchScalingKind } from '@vane/optim';
import { markdownTable, textTable } from '../format/table.js';
import { formatRate } from '../format/numbers.js';
import { writeTextAtomic } from '../files/json-file.js';
import { stringifyWithNonFinite } from '../format/json-numbers.js';
import { createOutputDirectory } from '../output-directory.js';
import { svgLinePlot, type PlotSeries } from '../plot/svg-line-plot.js';
import { mean } from '../statistics/summary-statistics.js';
import type { RunConfiguration, RunRecord } from './run-configuration.js';
import { runMany, type RunManyOptions } from './run-many.js';
import { fitBatchSizeLaw, type BatchSizeLawFit } from './surge-law-fit.js';
import type { SurgeMeasurement } from './surge-measurement.js';

/** The study's grid. */
export interface SurgeConfig {
  model: string;
  dataset: string;
  batchSizes: number[];
  /** The learning rates tried at every batch size. */
  learningRates: number[];
  seeds: number;
  targetLoss: number;
  betas: [number, number];
  /** A run that has not reached the target after this many examples counts as not reached. */
  maxExamples: number;
  /** Examples of the training split the target loss is measured on. */
  evaluationExamples: number;
  /** B_small, the number of micro-batches and the number of measurements of the noise-scale estimate. */
  noiseMicroBatchSize: number;
  noiseMicroBatches: number;
  noiseMeasurements: number;
  trainLimit?: number;
}

/** Learning rates `first · 2^k`, k = 0 … count − 1. */
const doubling = (first: number, count: number) =>
  Array.from({ length: count }, (_, k) => Number((first * 2 ** k).toPrecision(6)));

/**
 * Named grids. Learning rates double from one to the next (8 or 10 of them), so every batch
 * size's optimum is bracketed; `fashion` is the Fashion-MNIST run of docs/experiments.md (the
 * whole 48,000-example training split, a 1024-example micro-batch average per noise measurement).
 */
export const SURGE_PRESETS: Record<string, SurgeConfig> = {
  quick: {
    model: 'mlp',
    dataset: 'digits',
    batchSizes: [4, 8, 16, 32, 64, 128, 256],
    learningRates: doubling(5e-4, 8),
    seeds: 3,
    targetLoss: 0.5,
    betas: [0.9, 0.999],
    maxExamples: 100_000,
    evaluationExamples: 2048,
    noiseMicroBatchSize: 32,
    noiseMicroBatches: 8,
    noiseMeasurements: 16,
  },
  fashion: {
    model: 'mlp',
    dataset: 'fashion-mnist',
    batchSizes: [8, 16, 32, 64, 128, 256, 512, 1024, 2048],
    learningRates: doubling(1.25e-4, 10),
    seeds: 3,
    targetLoss: 0.6,
    betas: [0.9, 0.999],
    maxExamples: 100_000,
    evaluationExamples: 2048,
    noiseMicroBatchSize: 64,
    noiseMicroBatches: 32,
    noiseMeasurements: 16,
  },
  test: {
    model: 'mlp',
    dataset: 'digits',
    batchSizes: [8, 64],
    learningRates: [1e-3, 1e-2],
    seeds: 1,
    targetLoss: 2.0,
    betas: [0.9, 0.999],
    maxExamples: 20_000,
    evaluationExamples: 256,
    trainLimit: 256,
    noiseMicroBatchSize: 16,
    noiseMicroBatches: 2,
    noiseMeasurements: 2,
  },
};

/** One learning rate at one batch size, over the seeds. */
export interface SurgeGridEntry {
  learningRate: number;
  /** Seeds that reached the target, and seeds that diverged. */
  reached: number;
  diverged: number;
  /** Seed-mean steps and examples to the target (only when every seed reached it). */
  steps?: number;
  examples?: number;
}

/** One batch size: its grid and its optimum. */
export interface SurgePoint {
  batchSize: number;
  grid: SurgeGridEntry[];
  /** The learning rate with the fewest seed-mean steps among those every seed reached the target with. */
  optimalLearningRate?: number;
  /** Seed-mean steps and examples of the optimal rate's runs. */
  steps?: number;
  examples?: number;
  /** Whether the optimum is the grid's smallest or largest rate (then the true optimum may lie outside). */
  optimumAtGridEdge?: boolean;
  /**
   * The optimum between grid points: the vertex of the parabola through log(steps) against
   * log(learning rate) at the optimum and its two neighbours (only when both neighbours reached the target).
   */
  interpolatedOptimalLearningRate?: number;
  /** Seed-mean B_simple of the optimal rate's runs, measured where they reached the target. */
  bSimple?: number;
  /**
   * The median B_simple over every run at this batch size that reached the target (all rates and
   * seeds): the same loss, so the same quantity, from more measurements than the optimum's seeds.
   */
  bSimpleMedianAllRuns?: number;
}

/** What `vane surge` writes to results.json. */
export interface SurgeResults {
  study: 'surge';
  config: SurgeConfig;
  points: SurgePoint[];
  /** The B_noise fit (Eq. 22) on the optimal-rate runs, or the reason it failed. */
  fit: { bNoise: number; sMin: number } | { error: string };
  /** ε_max of each law at the Eq. 22 B_noise (Eq. 23/24). */
  epsMax?: Record<BatchScalingKind, number>;
  /** Each law fitted with B_noise free (present with at least two optima). */
  lawFits?: { adam: BatchSizeLawFit; sgd: BatchSizeLawFit };
  /** The median over batch sizes of the optimal-rate runs' B_simple. */
  bSimpleMedian?: number;
  measurements: SurgeMeasurement[];
  seconds: number;
}

/**
 * The x of the vertex of the parabola through three points (x0 < x1 < x2, y1 the smallest),
 * or undefined if they are collinear.
 *
 * @example
 * parabolaVertex([0, 1, 2], [1, 0, 1]); // 1
 */
export function parabolaVertex(
  xs: readonly [number, number, number],
  ys: readonly [number, number, number],
): number | undefined {
  const [x0, x1, x2] = xs;
  const [y0, y1, y2] = ys;
  const numerator = (x1 - x0) ** 2 * (y1 - y2) - (x1 - x2) ** 2 * (y1 - y0);
  const denominator = (x1 - x0) * (y1 - y2) - (x1 - x2) * (y1 - y0);
  return denominator === 0 ? undefined : x1 - numerator / (2 * denominator);
}

/** The median of a non-empty list. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Aggregates the runs: per batch size and learning rate the seed-mean steps and examples (when
 * every seed reached the target), per batch size the rate with the fewest steps, then the fits.
 */
export function summarizeSurge(
  config: SurgeConfig,
  measurements: readonly SurgeMeasurement[],
): Pick<SurgeResults, 'points' | 'fit' | 'epsMax' | 'lawFits' | 'bSimpleMedian'> {
  const points = config.batchSizes.map((batchSize): SurgePoint => {
    const runsAt = (learningRate: number) =>
      measurements.filter((m) => m.task.batchSize === batchSize && m.task.learningRate === learningRate);
    const grid = config.learningRates.map((learningRate): SurgeGridEntry => {
      const runs = runsAt(learningRate);
      const reached = runs.filter((m) => m.steps !== undefined);
      const all = runs.length > 0 && reached.length === runs.length;
      return {
        learningRate,
        reached: reached.length,
        diverged: runs.filter((m) => m.diverged).length,
        ...(all ? { steps: mean(reached.map((m) => m.steps!)), examples: mean(reached.map((m) => m.examples!)) } : {}),
      };
    });
    const candidates = grid.filter((entry) => entry.steps !== undefined);
    const allNoise = measurements
      .filter((m) => m.task.batchSize === batchSize)
      .map((m) => m.noise?.bSimple)
      .filter((value): value is number => value !== undefined && Number.isFinite(value));
    const allRuns = allNoise.length > 0 ? { bSimpleMedianAllRuns: median(allNoise) } : {};
    if (candidates.length === 0) return { batchSize, grid, ...allRuns };
    const best = candidates.reduce((a, b) => (b.steps! < a.steps! ? b : a));
    const noise = runsAt(best.learningRate)
      .map((m) => m.noise?.bSimple)
      .filter((value): value is number => value !== undefined && Number.isFinite(value));
    const index = config.learningRates.indexOf(best.learningRate);
    const [before, after] = [grid[index - 1], grid[index + 1]];
    const vertex =
      before?.steps !== undefined && after?.steps !== undefined
        ? parabolaVertex(
            [Math.log(before.learningRate), Math.log(best.learningRate), Math.log(after.learningRate)],
            [Math.log(before.steps), Math.log(best.steps!), Math.log(after.steps)],
          )
        : undefined;
    return {
      batchSize,
      grid,
      optimalLearningRate: best.learningRate,
      steps: best.steps!,
      examples: best.examples!,
      optimumAtGridEdge: index === 0 || index === config.learningRates.length - 1,
      ...(vertex === undefined ? {} : { interpolatedOptimalLearningRate: Math.exp(vertex) }),
      ...(noise.length > 0 ? { bSimple: mean(noise) } : {}),
      ...allRuns,
    };
  });
  const noise = points.map((p) => p.bSimple).filter((value): value is number => value !== undefined);
  return { points, ...fitSurge(points), ...(noise.length > 0 ? { bSimpleMedian: median(noise) } : {}) };
}

/**
 * Fits B_noise (Eq. 22) on the points that have an optimum, ε_max per law at that B_noise
 * (Eq. 23/24), and each law with B_noise free.
 */
export function fitSurge(
  points: readonly Pick<SurgePoint, 'batchSize' | 'steps' | 'examples' | 'optimalLearningRate'>[],
): Pick<SurgeResults, 'fit' | 'epsMax' | 'lawFits'> {
  const optima = points
    .filter((p) => p.optimalLearningRate !== undefined)
    .map((p) => ({ batchSize: p.batchSize, learningRate: p.optimalLearningRate! }));
  const lawFits =
    optima.length >= 2
      ? { lawFits: { adam: fitBatchSizeLaw(optima, 'adam'), sgd: fitBatchSizeLaw(optima, 'sgd') } }
      : {};
  const reached = points.filter((p) => p.steps !== undefined && p.examples !== undefined);
  let fit: SurgeResults['fit'];
  try {
    fit = fitBNoise(reached.map((p) => ({ steps: p.steps!, examples: p.examples! })));
  } catch (error) {
    return { fit: { error: (error as Error).message }, ...lawFits };
  }
  return {
    fit,
    epsMax: {
      adam: epsMaxFromOptima(optima, fit.bNoise, 'adam'),
      sgd: epsMaxFromOptima(optima, fit.bNoise, 'sgd'),
      mccandlish: epsMaxFromOptima(optima, fit.bNoise, 'mccandlish'),
    },
    ...lawFits,
  };
}

/** A log-spaced grid of batch sizes around the measured ones, for the law curves. */
function batchGrid(batchSizes: readonly number[]): number[] {
  const low = Math.min(...batchSizes) / 2;
  const high = Math.max(...batchSizes) * 2;
  return Array.from({ length: 60 }, (_, i) => low * (high / low) ** (i / 59));
}

/** The measured optima with the Adam (Surge) and SGD curves: at the Eq. 22 B_noise, and fitted freely. */
export function surgePlot(results: Pick<SurgeResults, 'points' | 'fit' | 'epsMax' | 'lawFits' | 'config'>): string {
  const measured: PlotSeries = {
    name: 'measured optimum',
    markersOnly: true,
    points: results.points
      .filter((p) => p.optimalLearningRate !== undefined)
      .map((p) => ({ x: p.batchSize, y: p.optimalLearningRate! })),
  };
  const series: PlotSeries[] = [measured];
  const grid = batchGrid(results.config.batchSizes);
  const curve = (
    kind: BatchScalingKind,
    bNoise: number,
    epsMax: number,
    name: string,
    dashed: boolean,
  ): PlotSeries => ({
    name,
    dashed,
    points: grid.map((batchSize) => ({ x: batchSize, y: optimalLearningRate({ kind, batchSize, bNoise, epsMax }) })),
  });
  if (results.epsMax && 'bNoise' in results.fit) {
    const bNoise = results.fit.bNoise;
    series.push(
      curve('adam', bNoise, results.epsMax.adam, `Adam law, Eq. 22 B_noise ${bNoise.toFixed(0)}`, false),
      curve('sgd', bNoise, results.epsMax.sgd, `SGD law, Eq. 22 B_noise ${bNoise.toFixed(0)}`, false),
    );
  }
  if (results.lawFits) {
    const { adam, sgd } = results.lawFits;
    series.push(
      curve('adam', adam.bNoise, adam.epsMax, `Adam law, free fit (B_noise ${adam.bNoise.toPrecision(3)})`, true),
      curve('sgd', sgd.bNoise, sgd.epsMax, `SGD law, free fit (B_noise ${sgd.bNoise.toPrecision(3)})`, true),
    );
  }
  return svgLinePlot(series, {
    title: `Optimal Adam learning rate vs batch size (${results.config.model} on ${results.config.dataset})`,
    xLabel: 'batch size',
    yLabel: 'optimal learning rate (fewest steps to target)',
    logX: true,
    logY: true,
  });
}

/** Steps to the target against the learning rate, one line per batch size (seed means; only rates every seed reached the target with). */
export function surgeGridPlot(results: Pick<SurgeResults, 'points' | 'config'>): string {
  const series = results.points.map((p): PlotSeries => ({
    name: `B = ${p.batchSize}`,
    points: p.grid
      .filter((entry) => entry.steps !== undefined)
      .map((entry) => ({ x: entry.learningRate, y: entry.steps! })),
  }));
  return svgLinePlot(series, {
    title: `Steps to training loss ${results.config.targetLoss} (${results.config.model} on ${results.config.dataset})`,
    xLabel: 'learning rate',
    yLabel: 'steps to target',
    logX: true,
    logY: true,
  });
}

/** The optimal-rate runs' (E, S) with the fitted Eq. 22 hyperbola S = S_min(1 + B_noise/B), E = B·S. */
export function surgeTradeoffPlot(results: Pick<SurgeResults, 'points' | 'fit' | 'config'>): string {
  const measured: PlotSeries = {
    name: 'optimal-rate runs',
    markersOnly: true,
    points: results.points.filter((p) => p.steps !== undefined).map((p) => ({ x: p.examples!, y: p.steps! })),
  };
  const series = [measured];
  if ('bNoise' in results.fit) {
    const { bNoise, sMin } = results.fit;
    series.push({
      name: `Eq. 22 fit: B_noise ${bNoise.toFixed(0)}, S_min ${sMin.toFixed(0)}`,
      points: batchGrid(results.config.batchSizes).map((b) => ({
        x: b * sMin * (1 + bNoise / b),
        y: sMin * (1 + bNoise / b),
      })),
    });
  }
  return svgLinePlot(series, {
    title: 'Steps vs examples to the target at the optimal learning rate',
    xLabel: 'examples E',
    yLabel: 'steps S',
    logX: true,
    logY: true,
  });
}

/** The per-batch-size table: optimum, its steps and examples, B_simple. */
export function surgeTable(points: readonly SurgePoint[], format: 'text' | 'markdown'): string {
  const header = [
    'batch size',
    'optimal lr',
    'interpolated',
    'steps to target',
    'examples to target',
    'B_simple (optimal-rate runs)',
    'B_simple (median, all runs)',
  ];
  const rows = points.map((p) => [
    String(p.batchSize),
    p.optimalLearningRate === undefined
      ? 'none reached'
      : `${formatRate(p.optimalLearningRate)}${p.optimumAtGridEdge ? ' (grid edge)' : ''}`,
    p.interpolatedOptimalLearningRate === undefined ? '–' : p.interpolatedOptimalLearningRate.toExponential(1),
    p.steps === undefined ? '–' : p.steps.toFixed(0),
    p.examples === undefined ? '–' : p.examples.toFixed(0),
    p.bSimple === undefined ? '–' : p.bSimple.toFixed(0),
    p.bSimpleMedianAllRuns === undefined ? '–' : p.bSimpleMedianAllRuns.toFixed(0),
  ]);
  return format === 'text' ? textTable(header, rows) : markdownTable(header, rows);
}

/** Seed-mean steps to the target per batch size (rows) and learning rate (columns); '–' where a seed did not reach it, '×' where one diverged. */
export function surgeGridTable(results: Pick<SurgeResults, 'points' | 'config'>, format: 'text' | 'markdown'): string {
  const header = ['batch size', ...results.config.learningRates.map(formatRate)];
  const rows = results.points.map((p) => [
    String(p.batchSize),
    ...p.grid.map((entry) => (entry.steps !== undefined ? entry.steps.toFixed(0) : entry.diverged > 0 ? '×' : '–')),
  ]);
  return format === 'text' ? textTable(header, rows) : markdownTable(header, rows);
}

/** A summary of the fits. */
export function surgeFitText(
  results: Pick<SurgeResults, 'fit' | 'epsMax' | 'points' | 'lawFits' | 'bSimpleMedian'>,
): string {
  const lines: string[] = [];
  if ('error' in results.fit) lines.push(`B_noise could not be fitted: ${results.fit.error}`);
  else {
    lines.push(
      `Eq. 22 on the optimal-rate runs: B_noise = ${results.fit.bNoise.toFixed(1)}, S_min = ${results.fit.sMin.toFixed(1)} steps`,
    );
    lines.push(
      `ε_max at that B_noise: Adam law ${results.epsMax!.adam.toExponential(3)}, SGD law ${results.epsMax!.sgd.toExponential(3)}, McCandlish α=0.5 ${results.epsMax!.mccandlish.toExponential(3)}`,
    );
  }
  if (results.lawFits) {
    for (const fit of [results.lawFits.adam, results.lawFits.sgd]) {
      lines.push(
        `${fit.kind === 'adam' ? 'Adam (Surge)' : 'SGD'} law, B_noise free: B_noise = ${fit.bNoise.toPrecision(3)}${fit.atRangeEdge ? ' (at the search range edge: not pinned down)' : ''}, ε_max = ${fit.epsMax.toExponential(3)}, rms error ${fit.rmsLog10Error.toFixed(3)} decades`,
      );
    }
  }
  const optima = results.points.filter((p) => p.optimalLearningRate !== undefined);
  if (optima.length > 0) {
    const peak = optima.reduce((best, p) => (p.optimalLearningRate! > best.optimalLearningRate! ? p : best));
    lines.push(
      `largest measured optimum ${formatRate(peak.optimalLearningRate!)} at B = ${peak.batchSize} (the Adam law peaks at B = B_noise)`,
    );
  }
  if (results.bSimpleMedian !== undefined)
    lines.push(
      `B_simple (gradient noise scale where the optimal-rate runs reached the target), median over batch sizes: ${results.bSimpleMedian.toFixed(1)}`,
    );
  return lines.join('\n');
}

/** Writes results.json, table.md, surge.svg, steps-by-lr.svg and tradeoff.svg. */
export function writeSurge(directory: string, results: SurgeResults): string[] {
  createOutputDirectory(directory);
  const files = {
    'results.json': stringifyWithNonFinite(results),
    'table.md': [
      `# Optimal learning rate vs batch size: ${results.config.model} on ${results.config.dataset}`,
      '',
      surgeTable(results.points, 'markdown'),
      '',
      ...surgeFitText(results)
        .split('\n')
        .map((line) => `- ${line}`),
      '',
      `Seed-mean steps to training loss ${results.config.targetLoss} per batch size and learning rate ('–': a seed did not reach it in ${results.config.maxExamples} examples, '×': a seed diverged):`,
      '',
      surgeGridTable(results, 'markdown'),
      '',
    ].join('\n'),
    'surge.svg': surgePlot(results),
    'steps-by-lr.svg': surgeGridPlot(results),
    'tradeoff.svg': surgeTradeoffPlot(results),
  };
  for (const [name, content] of Object.entries(files)) writeTextAtomic(join(directory, name), content);
  return Object.keys(files).map((name) => join(directory, name));
}

/** The study's runs (batch size × learning rate × seed) as plain-data configurations (see run-configuration.ts). */
export function surgePlan(config: SurgeConfig): RunConfiguration[] {
  return config.batchSizes.flatMap((batchSize) =>
    config.learningRates.flatMap((learningRate) =>
      Array.from({ length: config.seeds }, (_, seed): RunConfiguration => ({
        kind: 'surge',
        task: {
          model: config.model,
          dataset: config.dataset,
          batchSize,
          learningRate,
          seed,
          targetLoss: config.targetLoss,
          betas: config.betas,
          maxExamples: config.maxExamples,
          evaluationExamples: config.evaluationExamples,
          noiseMicroBatchSize: config.noiseMicroBatchSize,
          noiseMicroBatches: config.noiseMicroBatches,
          noiseMeasurements: config.noiseMeasurements,
          trainLimit: config.trainLimit,
        },
      })),
    ),
  );
}

/** The progress line of a finished run. */
function describeMeasurement(record: RunRecord): string {
  const m = record.result as SurgeMeasurement;
  const outcome =
    m.steps !== undefined
      ? `${m.steps.toFixed(0)} steps, B_simple ${m.noise?.bSimple.toFixed(0) ?? '?'}`
      : m.diverged
        ? 'diverged'
        : `not reached (loss ${m.finalLoss.toFixed(3)})`;
  return `B=${m.task.batchSize} lr=${formatRate(m.task.learningRate)} seed=${m.task.seed}: ${outcome}`;
}

/**
 * Runs every batch size × learning rate × seed on worker threads and summarizes them.
 *
 * @example
 * const results = await runSurge(SURGE_PRESETS.test!);
 */
export async function runSurge(config: SurgeConfig, options: RunManyOptions = {}): Promise<SurgeResults> {
  const started = performance.now();
  const records = await runMany(surgePlan(config), { describe: describeMeasurement, ...options });
  const measurements = records.map((record) => record.result as SurgeMeasurement);
  return {
    study: 'surge',
    config,
    ...summarizeSurge(config, measurements),
    measurements,
    seconds: (performance.now() - started) / 1000,
  };
}
