/**
 * The learning-rate robustness study of "Read the Signs" (spec §1.6): optimizers × learning
 * rates × seeds, the final loss and accuracy of each, and per optimizer the spread of the
 * final metric across learning rates. The paper's claim: Active variants spread less.
 */
import { join } from 'node:path';
import { writeTextAtomic } from '../files/json-file.js';
import { stringifyWithNonFinite } from '../format/json-numbers.js';
import { createOutputDirectory } from '../output-directory.js';
import { markdownTable, textTable } from '../format/table.js';
import { formatMetric, formatRate } from '../format/numbers.js';
import { svgLinePlot, type PlotSeries } from '../plot/svg-line-plot.js';
import { mean, spread } from '../statistics/summary-statistics.js';
import type { RunResult, RunSpec } from '../training/run-training.js';
import type { RunConfiguration } from './run-configuration.js';
import { describeTrainingRecord, runMany, type RunManyOptions } from './run-many.js';

/** The study's grid. */
export interface SweepConfig {
  model: string;
  dataset: string;
  optimizers: string[];
  learningRates: number[];
  seeds: number;
  epochs: number;
  batchSize: number;
  trainLimit?: number;
  dataDirectory?: string;
}

/** Named grids: `quick` is the README's demo, `test` finishes in seconds, `full` is closer to the paper. */
export const SWEEP_PRESETS: Record<string, SweepConfig> = {
  quick: {
    model: 'mlp',
    dataset: 'digits',
    optimizers: ['adamw', 'active(adamw)', 'sgd', 'active(sgd)'],
    learningRates: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
    seeds: 3,
    epochs: 20,
    batchSize: 64,
  },
  full: {
    model: 'mlp',
    dataset: 'digits',
    optimizers: ['adamw', 'active(adamw)', 'sgd', 'active(sgd)'],
    learningRates: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
    seeds: 3,
    epochs: 30,
    batchSize: 32,
  },
  test: {
    model: 'mlp',
    dataset: 'digits',
    optimizers: ['adamw', 'active(adamw)'],
    learningRates: [1e-4, 1e-2],
    seeds: 1,
    epochs: 1,
    batchSize: 64,
    trainLimit: 256,
  },
};

/** One optimizer's row of the summary. */
export interface SweepSummaryRow {
  optimizer: string;
  /** Seed-mean final validation accuracy per learning rate, in `learningRates` order. */
  accuracy: number[];
  /** Seed-mean final training loss per learning rate. */
  loss: number[];
  /** max − min over learning rates of the seed-mean accuracy. */
  accuracySpread: number;
  /** max − min over learning rates of the seed-mean loss (Infinity if a run diverged). */
  lossSpread: number;
  bestLearningRate: number;
}

/** What the sweep writes to results.json. */
export interface SweepResults {
  study: 'sweep';
  config: SweepConfig;
  summary: SweepSummaryRow[];
  runs: RunResult[];
  seconds: number;
}

/** The specs of every run of a grid, optimizer-major. */
export function sweepSpecs(config: SweepConfig): RunSpec[] {
  return config.optimizers.flatMap((optimizer) =>
    config.learningRates.flatMap((lr) =>
      Array.from({ length: config.seeds }, (_, seed) => ({
        model: config.model,
        dataset: config.dataset,
        optimizer,
        lr,
        batchSize: config.batchSize,
        epochs: config.epochs,
        seed,
        trainLimit: config.trainLimit,
        dataDirectory: config.dataDirectory,
      })),
    ),
  );
}

/** The study's runs as plain-data configurations (see run-configuration.ts). */
export function sweepPlan(config: SweepConfig): RunConfiguration[] {
  return sweepSpecs(config).map((spec) => ({ kind: 'training', spec }));
}

/** Seed means per optimizer and learning rate, and each optimizer's spread across learning rates. */
export function summarizeSweep(config: SweepConfig, runs: readonly RunResult[]): SweepSummaryRow[] {
  return config.optimizers.map((optimizer) => {
    const cells = config.learningRates.map((lr) =>
      runs.filter((run) => run.spec.optimizer === optimizer && run.spec.lr === lr),
    );
    const accuracy = cells.map((cell) => mean(cell.map((run) => run.finalAccuracy)));
    const loss = cells.map((cell) =>
      mean(cell.map((run) => (Number.isFinite(run.finalLoss) ? run.finalLoss : Infinity))),
    );
    const best = accuracy.indexOf(Math.max(...accuracy));
    return {
      optimizer,
      accuracy,
      loss,
      accuracySpread: spread(accuracy),
      lossSpread: spread(loss),
      bestLearningRate: config.learningRates[best]!,
    };
  });
}

/** Pairs `X` with `active(X)` and says whether the Active variant spreads less. */
export function activeComparisons(
  summary: readonly SweepSummaryRow[],
): { base: string; active: string; baseSpread: number; activeSpread: number; activeSmaller: boolean }[] {
  return summary.flatMap((row) => {
    const match = /^active\((.*)\)$/.exec(row.optimizer);
    const base = match && summary.find((other) => other.optimizer === match[1]);
    return base
      ? [
          {
            base: base.optimizer,
            active: row.optimizer,
            baseSpread: base.accuracySpread,
            activeSpread: row.accuracySpread,
            activeSmaller: row.accuracySpread < base.accuracySpread,
          },
        ]
      : [];
  });
}

/** The table of the study: accuracy (loss) per optimizer and learning rate, then the spread. */
export function sweepTable(
  config: SweepConfig,
  summary: readonly SweepSummaryRow[],
  format: 'text' | 'markdown',
): string {
  const header = [
    'optimizer',
    ...config.learningRates.map((lr) => `lr ${formatRate(lr)}`),
    'acc spread',
    'loss spread',
    'best lr',
  ];
  const rows = summary.map((row) => [
    row.optimizer,
    ...row.accuracy.map((value, index) => `${formatMetric(value)} (${formatMetric(row.loss[index]!)})`),
    formatMetric(row.accuracySpread),
    formatMetric(row.lossSpread),
    formatRate(row.bestLearningRate),
  ]);
  return format === 'text' ? textTable(header, rows) : markdownTable(header, rows);
}

/** Accuracy (or loss) against learning rate, one line per optimizer, the seed range shaded. */
export function sweepPlot(config: SweepConfig, runs: readonly RunResult[], metric: 'accuracy' | 'loss'): string {
  const series: PlotSeries[] = config.optimizers.map((optimizer) => ({
    name: optimizer,
    dashed: !optimizer.startsWith('active('),
    points: config.learningRates.flatMap((lr) => {
      const values = runs
        .filter((run) => run.spec.optimizer === optimizer && run.spec.lr === lr)
        .map((run) => (metric === 'accuracy' ? run.finalAccuracy : run.finalLoss))
        .filter(Number.isFinite);
      return values.length === 0
        ? []
        : [{ x: lr, y: mean(values), low: Math.min(...values), high: Math.max(...values) }];
    }),
  }));
  const subject = `${config.model} on ${config.dataset}, ${config.epochs} epochs, ${config.seeds} seed${config.seeds > 1 ? 's' : ''}`;
  return metric === 'accuracy'
    ? svgLinePlot(series, {
        title: `Final validation accuracy vs learning rate (${subject})`,
        xLabel: 'learning rate',
        yLabel: 'validation accuracy',
        logX: true,
      })
    : svgLinePlot(series, {
        title: `Final training loss vs learning rate (${subject})`,
        xLabel: 'learning rate',
        yLabel: 'training loss',
        logX: true,
        logY: true,
      });
}

/** Writes results.json, table.md, accuracy.svg and loss.svg into `directory`. */
export function writeSweep(directory: string, results: SweepResults): string[] {
  createOutputDirectory(directory);
  const comparisons = activeComparisons(results.summary);
  const claim = comparisons.map(
    (c) =>
      `- ${c.active}: accuracy spread ${formatMetric(c.activeSpread)} vs ${c.base} ${formatMetric(c.baseSpread)} — ${c.activeSmaller ? 'smaller, as the paper claims' : 'not smaller: the claim does not hold here'}`,
  );
  const files = {
    'results.json': stringifyWithNonFinite(results),
    'table.md': [
      `# Learning-rate sweep: ${results.config.model} on ${results.config.dataset}`,
      '',
      `Final validation accuracy (final training loss), mean over ${results.config.seeds} seed(s), after ${results.config.epochs} epochs at batch ${results.config.batchSize}.`,
      '',
      sweepTable(results.config, results.summary, 'markdown'),
      '',
      ...claim,
      '',
    ].join('\n'),
    'accuracy.svg': sweepPlot(results.config, results.runs, 'accuracy'),
    'loss.svg': sweepPlot(results.config, results.runs, 'loss'),
  };
  for (const [name, content] of Object.entries(files)) writeTextAtomic(join(directory, name), content);
  return Object.keys(files).map((name) => join(directory, name));
}

/**
 * Runs the study on worker threads and returns its results.
 *
 * @example
 * const results = await runSweep(SWEEP_PRESETS.test!);
 */
export async function runSweep(config: SweepConfig, options: RunManyOptions = {}): Promise<SweepResults> {
  const started = performance.now();
  const records = await runMany(sweepPlan(config), { describe: describeTrainingRecord, ...options });
  const runs = records.map((record) => record.result as RunResult);
  return {
    study: 'sweep',
    config,
    summary: summarizeSweep(config, runs),
    runs,
    seconds: (performance.now() - started) / 1000,
  };
}
