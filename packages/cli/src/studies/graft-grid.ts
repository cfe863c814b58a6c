/**
 * The M#D grafting grid (spec §2.4): every pair of a magnitude optimizer M and a direction
 * optimizer D, each at its own tuned learning rate, and how much of the variance of the final
 * metric the rows (M) explain versus the columns (D). The paper's claim: M matters more.
 */
import { join } from 'node:path';
import { writeTextAtomic } from '../files/json-file.js';
import { stringifyWithNonFinite } from '../format/json-numbers.js';
import { createOutputDirectory } from '../output-directory.js';
import { markdownTable, textTable } from '../format/table.js';
import { formatMetric } from '../format/numbers.js';
import { svgHeatmap } from '../plot/svg-heatmap.js';
import { mean } from '../statistics/summary-statistics.js';
import { varianceDecomposition, type VarianceDecomposition } from '../statistics/variance-decomposition.js';
import type { RunResult, RunSpec } from '../training/run-training.js';
import type { RunConfiguration } from './run-configuration.js';
import { describeSchedule, type WarmupStepDecay } from '../training/learning-rate-schedule.js';
import { OPTIMIZER_NAMES, OPTIMIZER_REGISTRY } from '@vane/optim';
import { describeTrainingRecord, runMany, type RunManyOptions } from './run-many.js';

/** The grid's settings. */
export interface GraftConfig {
  model: string;
  dataset: string;
  /** Base optimizers with their tuned learning rates. */
  optimizers: Record<string, number>;
  seeds: number;
  epochs: number;
  batchSize: number;
  trainLimit?: number;
  dataDirectory?: string;
  /**
   * Heavy-ball momentum given to every optimizer of the grid, M and D alike (the paper's
   * β1 = 0.9 for all), each in its own way: see {@link graftOperand}. Absent: each optimizer's
   * defaults (SGD momentum 0.9 and Adam β1 = 0.9 in the CLI; AdaGrad and RMSProp without).
   */
  momentum?: number;
  /** The learning-rate schedule of every run; the rates in `optimizers` are its peaks. Absent: constant rates. */
  schedule?: WarmupStepDecay;
}

/** The base optimizers of the study with learning rates tuned on digits (see docs/experiments.md). */
const TUNED = { sgd: 0.1, adam: 1e-3, adagrad: 1e-2, rmsprop: 1e-3 };

/** Named grids. */
export const GRAFT_PRESETS: Record<string, GraftConfig> = {
  quick: { model: 'mlp', dataset: 'digits', optimizers: TUNED, seeds: 2, epochs: 10, batchSize: 64 },
  full: { model: 'mlp', dataset: 'digits', optimizers: TUNED, seeds: 3, epochs: 30, batchSize: 32 },
  // The paper's setup (Agarwal et al. 2020, §4): momentum 0.9 for every optimizer, linear
  // warm-up then stepwise exponential decay, on Fashion-MNIST. Peak rates fixed in advance
  // (docs/experiments.md §2b says how): adam and sgd from the Fashion-MNIST sweep (§1b);
  // adagrad and rmsprop from a one-seed pilot with momentum 0.9 at constant rates.
  paper: {
    model: 'mlp',
    dataset: 'fashion-mnist',
    optimizers: { sgd: 1e-2, adam: 1e-3, adagrad: 1e-2, rmsprop: 1e-4 },
    seeds: 3,
    epochs: 10,
    batchSize: 64,
    trainLimit: 8192,
    momentum: 0.9,
    schedule: { warmupEpochs: 1, decayEveryEpochs: 2, decayRate: 0.5 },
  },
  test: {
    model: 'mlp',
    dataset: 'digits',
    optimizers: { sgd: 0.1, adam: 1e-3 },
    seeds: 1,
    epochs: 1,
    batchSize: 64,
    trainLimit: 256,
  },
};

/**
 * One optimizer of the grid as an expression, at its rate and with the grid's momentum μ:
 * through its own momentum option where it has one (SGD, RMSProp: PyTorch's heavy ball
 * b ← μb + u), as β1 where it has betas (Adam: an average of the gradients), otherwise as
 * `trace(…, decay=μ)` on its update (AdaGrad: b ← μb + u after its learning rate, the
 * same heavy ball while the rate is constant).
 *
 * @example
 * graftOperand('adagrad', 1e-2, 0.9); // 'trace(adagrad(lr=0.01),decay=0.9)'
 */
export function graftOperand(name: string, lr: number, momentum?: number): string {
  if (momentum === undefined) return `${name}(lr=${lr})`;
  const entry = OPTIMIZER_NAMES.find((known) => known.toLowerCase() === name);
  const options = entry === undefined ? {} : OPTIMIZER_REGISTRY[entry].options;
  if ('momentum' in options) return `${name}(lr=${lr},momentum=${momentum})`;
  if ('betas' in options) return `${name}(lr=${lr},beta1=${momentum})`;
  return `trace(${name}(lr=${lr}),decay=${momentum})`;
}

/** The optimizer expression of cell M#D. */
export function graftExpression(config: GraftConfig, magnitude: string, direction: string): string {
  const operand = (name: string) => graftOperand(name, config.optimizers[name]!, config.momentum);
  return `graft(${operand(magnitude)},${operand(direction)})`;
}

/** Every run of the grid, row (M) major. */
export function graftSpecs(config: GraftConfig): RunSpec[] {
  const names = Object.keys(config.optimizers);
  return names.flatMap((magnitude) =>
    names.flatMap((direction) =>
      Array.from({ length: config.seeds }, (_, seed) => ({
        model: config.model,
        dataset: config.dataset,
        optimizer: graftExpression(config, magnitude, direction),
        lr: config.optimizers[magnitude]!,
        batchSize: config.batchSize,
        epochs: config.epochs,
        seed,
        trainLimit: config.trainLimit,
        dataDirectory: config.dataDirectory,
        schedule: config.schedule,
      })),
    ),
  );
}

/** The grid's runs as plain-data configurations (see run-configuration.ts). */
export function graftPlan(config: GraftConfig): RunConfiguration[] {
  return graftSpecs(config).map((spec) => ({ kind: 'training', spec }));
}

/** What `vane graft` writes to results.json. */
export interface GraftResults {
  study: 'graft';
  config: GraftConfig;
  /** Seed-mean final validation accuracy, [M][D]. */
  accuracy: number[][];
  /** Seed-mean final training loss, [M][D] (diverged runs count as the largest finite loss). */
  loss: number[][];
  accuracyVariance: VarianceDecomposition;
  lossVariance: VarianceDecomposition;
  runs: RunResult[];
  seconds: number;
}

/** Seed means per cell and the variance decompositions. */
export function summarizeGraft(
  config: GraftConfig,
  runs: readonly RunResult[],
): Omit<GraftResults, 'runs' | 'seconds' | 'study' | 'config'> {
  const names = Object.keys(config.optimizers);
  const cell = (magnitude: string, direction: string) =>
    runs.filter((run) => run.spec.optimizer === graftExpression(config, magnitude, direction));
  const accuracy = names.map((m) => names.map((d) => mean(cell(m, d).map((run) => run.finalAccuracy))));
  const rawLoss = names.map((m) => names.map((d) => mean(cell(m, d).map((run) => run.finalLoss))));
  // A diverged cell has no finite loss; it is placed at the worst finite loss so the decomposition stays defined.
  const worst = Math.max(...rawLoss.flat().filter(Number.isFinite), 0);
  const loss = rawLoss.map((row) => row.map((value) => (Number.isFinite(value) ? value : worst)));
  return {
    accuracy,
    loss,
    accuracyVariance: varianceDecomposition(accuracy),
    lossVariance: varianceDecomposition(loss),
  };
}

/** The grid as a table: rows M, columns D, cells "accuracy (loss)". */
export function graftTable(
  config: GraftConfig,
  results: Pick<GraftResults, 'accuracy' | 'loss'>,
  format: 'text' | 'markdown',
): string {
  const names = Object.keys(config.optimizers);
  const header = ['M \\ D', ...names];
  const rows = names.map((m, i) => [
    m,
    ...names.map((_, j) => `${formatMetric(results.accuracy[i]![j]!)} (${formatMetric(results.loss[i]![j]!)})`),
  ]);
  return format === 'text' ? textTable(header, rows) : markdownTable(header, rows);
}

/** One sentence on the claim, from the accuracy decomposition. */
export function graftVerdict(variance: VarianceDecomposition): string {
  const shares = `rows (M) explain ${(variance.rows * 100).toFixed(0)}% of the variance, columns (D) ${(variance.columns * 100).toFixed(0)}%, interaction ${(variance.residual * 100).toFixed(0)}%`;
  const verdict =
    Math.abs(variance.rows - variance.columns) < 0.05
      ? 'neither clearly dominates'
      : variance.rows > variance.columns
        ? 'M matters more, as the paper claims'
        : 'D matters more: the claim does not hold here';
  return `${shares}: ${verdict}`;
}

/** The accuracy grid as a heatmap, rows M and columns D. */
export function graftPlot(results: Pick<GraftResults, 'accuracy' | 'config' | 'accuracyVariance'>): string {
  const names = Object.keys(results.config.optimizers);
  const shares = `M ${(results.accuracyVariance.rows * 100).toFixed(0)}%, D ${(results.accuracyVariance.columns * 100).toFixed(0)}% of the variance`;
  return svgHeatmap(results.accuracy, {
    title: `M#D final validation accuracy (${results.config.model} on ${results.config.dataset}; ${shares})`,
    rowLabels: names,
    columnLabels: names,
    rowTitle: 'magnitude M',
    columnTitle: 'direction D',
  });
}

/** Writes results.json, table.md and grid.svg. */
export function writeGraft(directory: string, results: GraftResults): string[] {
  createOutputDirectory(directory);
  const files = {
    'results.json': stringifyWithNonFinite(results),
    'table.md': [
      `# Grafting grid M#D: ${results.config.model} on ${results.config.dataset}`,
      '',
      `Final validation accuracy (final training loss), mean over ${results.config.seeds} seed(s), ${results.config.epochs} epochs, batch ${results.config.batchSize}. Learning rates: ${Object.entries(
        results.config.optimizers,
      )
        .map(([name, lr]) => `${name} ${lr}`)
        .join(
          ', ',
        )}${results.config.schedule ? ` (peaks of the schedule: ${describeSchedule(results.config.schedule)})` : ''}${results.config.momentum === undefined ? '' : `; momentum ${results.config.momentum} for every optimizer`}. Cells: ${graftExpression(results.config, Object.keys(results.config.optimizers).at(-1)!, Object.keys(results.config.optimizers)[0]!)} and so on.`,
      '',
      graftTable(results.config, results, 'markdown'),
      '',
      `- accuracy: ${graftVerdict(results.accuracyVariance)}`,
      `- loss: ${graftVerdict(results.lossVariance)}`,
      '',
    ].join('\n'),
    'grid.svg': graftPlot(results),
  };
  for (const [name, content] of Object.entries(files)) writeTextAtomic(join(directory, name), content);
  return Object.keys(files).map((name) => join(directory, name));
}

/**
 * Runs the grid on worker threads.
 *
 * @example
 * const results = await runGraft(GRAFT_PRESETS.test!);
 */
export async function runGraft(config: GraftConfig, options: RunManyOptions = {}): Promise<GraftResults> {
  const started = performance.now();
  const records = await runMany(graftPlan(config), { describe: describeTrainingRecord, ...options });
  const runs = records.map((record) => record.result as RunResult);
  return {
    study: 'graft',
    config,
    ...summarizeGraft(config, runs),
    runs,
    seconds: (performance.now() - started) / 1000,
  };
}
