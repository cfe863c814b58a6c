/**
 * `vane surge`: the optimal learning rate against the batch size (spec §3.4). Measures the
 * best Adam learning rate per batch size, fits B_noise from the steps and examples needed to
 * reach the target loss (Surge Eq. 22), ε_max for the Adam (Eq. 23) and SGD (Eq. 24) laws, and
 * plots the measured points with both curves.
 */
import { join } from 'node:path';
import { epsMaxFromOptima, fitBNoise, optimalLearningRate, type BatchScalingKind } from '@vane/optim';
import { markdownTable, textTable } from '../format/table.js';
import { formatRate } from '../format/numbers.js';
import { writeTextAtomic } from '../files/json-file.js';
import { stringifyWithNonFinite } from '../format/json-numbers.js';
import { createOutputDirectory } from '../output-directory.js';
import { svgLinePlot } from '../plot/svg-line-plot.js';
import { mean } from '../statistics/summary-statistics.js';
import type { RunConfiguration, RunRecord } from './run-configuration.js';
import { runMany, type RunManyOptions } from './run-many.js';
import type { SurgeMeasurement } from './surge-measurement.js';

/** The study's grid. */
export interface SurgeConfig {
  model: string;
  dataset: string;
  batchSizes: number[];
  learningRates: number[];
  seeds: number;
  targetLoss: number;
  extraSteps: number;
  warmupLearningRate: number;
  betas: [number, number];
  maxExamples: number;
  trainLimit?: number;
}

const range = (start: number, stop: number, step: number) => Array.from({ length: Math.round((stop - start) / step) + 1 }, (_, i) => Number((start + i * step).toPrecision(6)));

/** Named grids; the learning rates follow the paper's CNN row (1e-4 … 1e-3 by 1e-4), widened upwards since a small MLP tolerates more. */
export const SURGE_PRESETS: Record<string, SurgeConfig> = {
  quick: {
    model: 'mlp', dataset: 'digits', batchSizes: [2, 4, 8, 16, 32, 64, 128, 256], learningRates: [...range(1e-4, 1e-3, 1e-4), 2e-3, 4e-3, 8e-3, 1.6e-2, 3.2e-2, 6.4e-2, 1.28e-1],
    seeds: 2, targetLoss: 0.5, extraSteps: 10, warmupLearningRate: 1e-3, betas: [0.9, 0.999], maxExamples: 200_000,
  },
  test: {
    model: 'mlp', dataset: 'digits', batchSizes: [8, 64], learningRates: [1e-3, 1e-2],
    seeds: 1, targetLoss: 2.0, extraSteps: 2, warmupLearningRate: 1e-2, betas: [0.9, 0.999], maxExamples: 20_000, trainLimit: 256,
  },
};

/** What `vane surge` writes to results.json. */
export interface SurgeResults {
  study: 'surge';
  config: SurgeConfig;
  /** Per batch size: the seed-mean steps and examples to the target, and the optimal learning rate (median over seeds' choices of the seed-mean decrease). */
  points: { batchSize: number; steps?: number; examples?: number; optimalLearningRate: number }[];
  /** The B_noise fit (Eq. 22), or the reason it failed. */
  fit: { bNoise: number; sMin: number } | { error: string };
  epsMax?: Record<BatchScalingKind, number>;
  measurements: SurgeMeasurement[];
  seconds: number;
}

/**
 * Aggregates measurements: for each batch size the learning rate with the largest seed-mean
 * loss decrease, and the seed-mean S and E; then the fits.
 */
export function summarizeSurge(config: SurgeConfig, measurements: readonly SurgeMeasurement[]): Pick<SurgeResults, 'points' | 'fit' | 'epsMax'> {
  const points = config.batchSizes.map((batchSize) => {
    const own = measurements.filter((m) => m.task.batchSize === batchSize);
    const decreases = config.learningRates.map((_, index) => mean(own.map((m) => m.decreases[index]!)));
    const finite = decreases.map((value) => (Number.isFinite(value) ? value : -Infinity));
    const reached = own.filter((m) => m.steps !== undefined);
    return {
      batchSize,
      ...(reached.length === own.length && own.length > 0 ? { steps: mean(reached.map((m) => m.steps!)), examples: mean(reached.map((m) => m.examples!)) } : {}),
      optimalLearningRate: config.learningRates[finite.indexOf(Math.max(...finite))]!,
    };
  });
  return { points, ...fitSurge(points) };
}

/** Fits B_noise (Eq. 22) and ε_max per law (Eq. 23/24) from per-batch-size points. */
export function fitSurge(points: SurgeResults['points']): Pick<SurgeResults, 'fit' | 'epsMax'> {
  const reached = points.filter((p) => p.steps !== undefined && p.examples !== undefined);
  let fit: SurgeResults['fit'];
  try {
    fit = fitBNoise(reached.map((p) => ({ steps: p.steps!, examples: p.examples! })));
  } catch (error) {
    return { fit: { error: (error as Error).message } };
  }
  const optima = points.map((p) => ({ batchSize: p.batchSize, learningRate: p.optimalLearningRate }));
  return {
    fit,
    epsMax: {
      adam: epsMaxFromOptima(optima, fit.bNoise, 'adam'),
      sgd: epsMaxFromOptima(optima, fit.bNoise, 'sgd'),
      mccandlish: epsMaxFromOptima(optima, fit.bNoise, 'mccandlish'),
    },
  };
}

/** The measured optima with the Adam (Surge), SGD and McCandlish α = 0.5 curves. */
export function surgePlot(results: Pick<SurgeResults, 'points' | 'fit' | 'epsMax' | 'config'>): string {
  const measured = { name: 'measured optimum', markersOnly: true, points: results.points.map((p) => ({ x: p.batchSize, y: p.optimalLearningRate })) };
  const series = [measured];
  if (results.epsMax && 'bNoise' in results.fit) {
    const bNoise = results.fit.bNoise;
    const low = Math.min(...results.config.batchSizes) / 2;
    const high = Math.max(...results.config.batchSizes) * 2;
    const grid = Array.from({ length: 60 }, (_, i) => low * (high / low) ** (i / 59));
    const curve = (kind: BatchScalingKind, name: string, dashed: boolean) => ({
      name, dashed,
      points: grid.map((batchSize) => ({ x: batchSize, y: optimalLearningRate({ kind, batchSize, bNoise, epsMax: results.epsMax![kind] }) })),
    });
    series.push(curve('adam', 'Adam law (surge)', false) as never, curve('sgd', 'SGD law', true) as never, curve('mccandlish', 'McCandlish α=0.5', true) as never);
  }
  return svgLinePlot(series, {
    title: `Optimal Adam learning rate vs batch size (${results.config.model} on ${results.config.dataset})`,
    xLabel: 'batch size', yLabel: 'optimal learning rate', logX: true, logY: true,
  });
}

/** The per-batch-size table. */
export function surgeTable(points: SurgeResults['points'], format: 'text' | 'markdown'): string {
  const header = ['batch size', 'steps to target', 'examples to target', 'optimal lr'];
  const rows = points.map((p) => [String(p.batchSize), p.steps === undefined ? 'not reached' : p.steps.toFixed(0), p.examples === undefined ? 'not reached' : p.examples.toFixed(0), formatRate(p.optimalLearningRate)]);
  return format === 'text' ? textTable(header, rows) : markdownTable(header, rows);
}

/** A summary of the fits. */
export function surgeFitText(results: Pick<SurgeResults, 'fit' | 'epsMax' | 'points'>): string {
  if ('error' in results.fit) return `B_noise could not be fitted: ${results.fit.error}`;
  const peak = results.points.reduce((best, p) => (p.optimalLearningRate > best.optimalLearningRate ? p : best));
  return [
    `fitted B_noise = ${results.fit.bNoise.toFixed(1)} (S_min = ${results.fit.sMin.toFixed(1)} steps)`,
    `ε_max: Adam law ${results.epsMax!.adam.toExponential(3)}, SGD law ${results.epsMax!.sgd.toExponential(3)}, McCandlish α=0.5 ${results.epsMax!.mccandlish.toExponential(3)}`,
    `largest measured optimum at B = ${peak.batchSize} (the Adam law predicts its peak at B = B_noise)`,
  ].join('\n');
}

/** Writes results.json, table.md and surge.svg. */
export function writeSurge(directory: string, results: SurgeResults): string[] {
  createOutputDirectory(directory);
  const files = {
    'results.json': stringifyWithNonFinite(results),
    'table.md': [`# Optimal learning rate vs batch size: ${results.config.model} on ${results.config.dataset}`, '', surgeTable(results.points, 'markdown'), '', ...surgeFitText(results).split('\n').map((line) => `- ${line}`), ''].join('\n'),
    'surge.svg': surgePlot(results),
  };
  for (const [name, content] of Object.entries(files)) writeTextAtomic(join(directory, name), content);
  return Object.keys(files).map((name) => join(directory, name));
}

/** The study's runs (batch size × seed) as plain-data configurations (see run-configuration.ts). */
export function surgePlan(config: SurgeConfig): RunConfiguration[] {
  return config.batchSizes.flatMap((batchSize) =>
    Array.from({ length: config.seeds }, (_, seed): RunConfiguration => ({
      kind: 'surge',
      task: {
        model: config.model, dataset: config.dataset, batchSize, seed, warmupLearningRate: config.warmupLearningRate, targetLoss: config.targetLoss,
        extraSteps: config.extraSteps, learningRates: config.learningRates, betas: config.betas, maxExamples: config.maxExamples, trainLimit: config.trainLimit,
      },
    })),
  );
}

/** The progress line of a finished measurement. */
function describeMeasurement(record: RunRecord): string {
  const m = record.result as SurgeMeasurement;
  return `B=${m.task.batchSize} seed=${m.task.seed}: ${m.steps === undefined ? 'target not reached' : `${m.steps} steps`}, best lr ${formatRate(m.bestLearningRate)}`;
}

/**
 * Runs every batch size × seed on worker threads.
 *
 * @example
 * const results = await runSurge(SURGE_PRESETS.test!);
 */
export async function runSurge(config: SurgeConfig, options: RunManyOptions = {}): Promise<SurgeResults> {
  const started = performance.now();
  const records = await runMany(surgePlan(config), { describe: describeMeasurement, ...options });
  const measurements = records.map((record) => record.result as SurgeMeasurement);
  return { study: 'surge', config, ...summarizeSurge(config, measurements), measurements, seconds: (performance.now() - started) / 1000 };
}
