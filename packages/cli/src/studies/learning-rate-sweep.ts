/**
 * The learning-rate robustness study of "Read the Signs" (spec §1.6): optimizers × learning
 * rates × seeds (× batch sizes), the final loss and accuracy of each, and per optimizer the
 * spread of the final metric across learning rates. The paper's claim: Active variants spread
 * less. With several batch sizes the same grid also tests the paper's large-batch claim (see
 * batch-size-effect.ts).
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
import {
  batchSizeComparisons,
  batchSizePlot,
  batchSizeTable,
  describeBatchSizeComparison,
  summarizeBatchSizes,
} from './batch-size-effect.js';

/** The study's grid. */
export interface SweepConfig {
  model: string;
  dataset: string;
  optimizers: string[];
  learningRates: number[];
  seeds: number;
  epochs: number;
  /** Batch sizes, a grid dimension like the learning rates (one for the learning-rate study). */
  batchSizes: number[];
  trainLimit?: number;
  dataDirectory?: string;
}

/**
 * Named grids: `quick` is the README's demo, `test` finishes in seconds, `full` is closer to
 * the paper, `large-batch` is the large-batch study on Fashion-MNIST (docs/experiments.md §1c).
 */
export const SWEEP_PRESETS: Record<string, SweepConfig> = {
  quick: {
    model: 'mlp',
    dataset: 'digits',
    optimizers: ['adamw', 'active(adamw)', 'sgd', 'active(sgd)'],
    learningRates: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
    seeds: 3,
    epochs: 20,
    batchSizes: [64],
  },
  full: {
    model: 'mlp',
    dataset: 'digits',
    optimizers: ['adamw', 'active(adamw)', 'sgd', 'active(sgd)'],
    learningRates: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
    seeds: 3,
    epochs: 30,
    batchSizes: [32],
  },
  // "The detrimental effects of using large mini-batch sizes are mitigated" (the paper's
  // abstract): a fixed number of epochs at batch sizes 32 … 2048, each base at its tuned rate
  // from the Fashion-MNIST learning-rate sweep (1e-3 for AdamW, RAdam and AdaBelief, 1e-2 for
  // SGD) and at the other one.
  'large-batch': {
    model: 'mlp',
    dataset: 'fashion-mnist',
    optimizers: [
      'adamw(weightDecay=0)',
      'active(adamw(weightDecay=0))',
      'sgd',
      'active(sgd)',
      'radam',
      'active(radam)',
      'adabelief',
      'active(adabelief)',
    ],
    learningRates: [1e-3, 1e-2],
    seeds: 3,
    epochs: 10,
    batchSizes: [32, 128, 512, 2048],
    trainLimit: 8192,
  },
  test: {
    model: 'mlp',
    dataset: 'digits',
    optimizers: ['adamw', 'active(adamw)'],
    learningRates: [1e-4, 1e-2],
    seeds: 1,
    epochs: 1,
    batchSizes: [64],
    trainLimit: 256,
  },
};

/** One optimizer's row of the summary, at one batch size. */
export interface SweepSummaryRow {
  optimizer: string;
  batchSize: number;
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

/** The specs of every run of a grid: batch size, then optimizer, then learning rate, then seed. */
export function sweepSpecs(config: SweepConfig): RunSpec[] {
  return config.batchSizes.flatMap((batchSize) =>
    config.optimizers.flatMap((optimizer) =>
      config.learningRates.flatMap((lr) =>
        Array.from({ length: config.seeds }, (_, seed) => ({
          model: config.model,
          dataset: config.dataset,
          optimizer,
          lr,
          batchSize,
          epochs: config.epochs,
          seed,
          trainLimit: config.trainLimit,
          dataDirectory: config.dataDirectory,
        })),
      ),
    ),
  );
}

/** The study's runs as plain-data configurations (see run-configuration.ts). */
export function sweepPlan(config: SweepConfig): RunConfiguration[] {
  return sweepSpecs(config).map((spec) => ({ kind: 'training', spec }));
}

/**
 * Seed means per optimizer, batch size and learning rate, and each optimizer's spread across
 * learning rates at each batch size (rows batch-size-major).
 */
export function summarizeSweep(config: SweepConfig, runs: readonly RunResult[]): SweepSummaryRow[] {
  return config.batchSizes.flatMap((batchSize) =>
    config.optimizers.map((optimizer) => {
      const cells = config.learningRates.map((lr) =>
        runs.filter(
          (run) => run.spec.optimizer === optimizer && run.spec.lr === lr && run.spec.batchSize === batchSize,
        ),
      );
      const accuracy = cells.map((cell) => mean(cell.map((run) => run.finalAccuracy)));
      const loss = cells.map((cell) =>
        mean(cell.map((run) => (Number.isFinite(run.finalLoss) ? run.finalLoss : Infinity))),
      );
      const best = accuracy.indexOf(Math.max(...accuracy));
      return {
        optimizer,
        batchSize,
        accuracy,
        loss,
        accuracySpread: spread(accuracy),
        lossSpread: spread(loss),
        bestLearningRate: config.learningRates[best]!,
      };
    }),
  );
}

/** Pairs `X` with `active(X)` at the same batch size and says whether the Active variant spreads less. */
export function activeComparisons(summary: readonly SweepSummaryRow[]): {
  base: string;
  active: string;
  batchSize: number;
  baseSpread: number;
  activeSpread: number;
  activeSmaller: boolean;
}[] {
  return summary.flatMap((row) => {
    const match = /^active\((.*)\)$/.exec(row.optimizer);
    const base = match && summary.find((other) => other.optimizer === match[1] && other.batchSize === row.batchSize);
    return base
      ? [
          {
            base: base.optimizer,
            active: row.optimizer,
            batchSize: row.batchSize,
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
  // The batch column only where there is more than one batch size (the learning-rate study's tables stay as they were).
  const byBatch = config.batchSizes.length > 1;
  const header = [
    'optimizer',
    ...(byBatch ? ['batch'] : []),
    ...config.learningRates.map((lr) => `lr ${formatRate(lr)}`),
    'acc spread',
    'loss spread',
    'best lr',
  ];
  const rows = summary.map((row) => [
    row.optimizer,
    ...(byBatch ? [String(row.batchSize)] : []),
    ...row.accuracy.map((value, index) => `${formatMetric(value)} (${formatMetric(row.loss[index]!)})`),
    formatMetric(row.accuracySpread),
    formatMetric(row.lossSpread),
    formatRate(row.bestLearningRate),
  ]);
  return format === 'text' ? textTable(header, rows) : markdownTable(header, rows);
}

/** Accuracy (or loss) against learning rate, one line per optimizer, the seed range shaded. */
export function sweepPlot(config: SweepConfig, runs: readonly RunResult[], metric: 'accuracy' | 'loss'): string {
  const byBatch = config.batchSizes.length > 1;
  const lines = config.batchSizes.flatMap((batchSize) =>
    config.optimizers.map((optimizer) => ({ batchSize, optimizer })),
  );
  const series: PlotSeries[] = lines.map(({ batchSize, optimizer }) => ({
    name: byBatch ? `${optimizer}, B ${batchSize}` : optimizer,
    dashed: !optimizer.startsWith('active('),
    points: config.learningRates.flatMap((lr) => {
      const values = runs
        .filter((run) => run.spec.optimizer === optimizer && run.spec.lr === lr && run.spec.batchSize === batchSize)
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

/**
 * Writes results.json, table.md, accuracy.svg and loss.svg into `directory`; with several
 * batch sizes also the batch-size table (in table.md) and, per learning rate,
 * accuracy-by-batch-size-lr-<rate>.svg and loss-by-batch-size-lr-<rate>.svg.
 */
export function writeSweep(directory: string, results: SweepResults): string[] {
  createOutputDirectory(directory);
  const comparisons = activeComparisons(results.summary);
  const byBatch = results.config.batchSizes.length > 1;
  const claim = comparisons.map(
    (c) =>
      `- ${c.active}${byBatch ? ` at batch ${c.batchSize}` : ''}: accuracy spread ${formatMetric(c.activeSpread)} vs ${c.base} ${formatMetric(c.baseSpread)} — ${c.activeSmaller ? 'smaller, as the paper claims' : 'not smaller: the claim does not hold here'}`,
  );
  const batchRows = byBatch ? summarizeBatchSizes(results.config, results.runs) : [];
  const files = {
    'results.json': stringifyWithNonFinite(results),
    'table.md': [
      `# Learning-rate sweep: ${results.config.model} on ${results.config.dataset}`,
      '',
      `Final validation accuracy (final training loss), mean over ${results.config.seeds} seed(s), after ${results.config.epochs} epochs at batch ${results.config.batchSizes.join(', ')}.`,
      '',
      sweepTable(results.config, results.summary, 'markdown'),
      '',
      ...claim,
      '',
      ...(byBatch
        ? [
            '## By batch size',
            '',
            `Final validation accuracy, seed mean ± sample standard deviation (final training loss, seed mean), after ${results.config.epochs} epochs; drop: accuracy at batch ${results.config.batchSizes[0]} minus at ${results.config.batchSizes.at(-1)}, in points.`,
            '',
            batchSizeTable(results.config, batchRows, 'markdown'),
            '',
            ...batchSizeComparisons(batchRows).map(
              (c) => `- ${describeBatchSizeComparison(c, results.config.batchSizes.at(-1)!)}`,
            ),
            '',
          ]
        : []),
    ].join('\n'),
    'accuracy.svg': sweepPlot(results.config, results.runs, 'accuracy'),
    'loss.svg': sweepPlot(results.config, results.runs, 'loss'),
    ...(byBatch &&
      Object.fromEntries(
        results.config.learningRates.flatMap((lr) =>
          (['accuracy', 'loss'] as const).map((metric) => [
            `${metric}-by-batch-size-lr-${formatRate(lr)}.svg`,
            batchSizePlot(results.config, batchRows, metric, lr),
          ]),
        ),
      )),
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
