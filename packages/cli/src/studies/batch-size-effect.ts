/**
 * The large-batch claim of "Read the Signs" (the abstract: "the detrimental effects of using
 * large mini-batch sizes are mitigated"): at a fixed number of epochs a larger batch means
 * fewer steps, and the final accuracy drops; the claim is that it drops less for `active(X)`
 * than for X. This file summarises a sweep with several batch sizes by optimizer and learning
 * rate: the final metrics per batch size and the drop from the smallest to the largest batch.
 */
import { markdownTable, textTable } from '../format/table.js';
import { formatMetric, formatRate } from '../format/numbers.js';
import { svgLinePlot, type PlotSeries } from '../plot/svg-line-plot.js';
import { mean, standardDeviation } from '../statistics/summary-statistics.js';
import type { RunResult } from '../training/run-training.js';
import type { SweepConfig } from './learning-rate-sweep.js';

/** One metric over a cell's seeds. */
export interface SeedStatistics {
  mean: number;
  /** Sample standard deviation over the seeds (0 for one seed). */
  standardDeviation: number;
  min: number;
  max: number;
}

/** One optimizer at one learning rate, across the batch sizes. */
export interface BatchSizeRow {
  optimizer: string;
  lr: number;
  /** Final validation accuracy per batch size, in `batchSizes` order. */
  accuracy: SeedStatistics[];
  /** Final training loss per batch size (Infinity where a seed diverged). */
  loss: SeedStatistics[];
  /** Seed-mean accuracy at the smallest batch size minus at the largest, in points (×100). */
  drop: number;
}

function statistics(values: readonly number[]): SeedStatistics {
  if (values.some((value) => !Number.isFinite(value)))
    return { mean: Infinity, standardDeviation: NaN, min: Math.min(...values), max: Infinity };
  return {
    mean: mean(values),
    standardDeviation: standardDeviation(values),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/**
 * The batch-size view of a sweep: rows optimizer-major, then learning rate.
 *
 * @example
 * const rows = summarizeBatchSizes(config, results.runs);
 * rows[0].drop; // e.g. 3.2 (points of accuracy lost from the smallest to the largest batch)
 */
export function summarizeBatchSizes(config: SweepConfig, runs: readonly RunResult[]): BatchSizeRow[] {
  return config.optimizers.flatMap((optimizer) =>
    config.learningRates.map((lr) => {
      const cells = config.batchSizes.map((batchSize) =>
        runs.filter(
          (run) => run.spec.optimizer === optimizer && run.spec.lr === lr && run.spec.batchSize === batchSize,
        ),
      );
      const accuracy = cells.map((cell) => statistics(cell.map((run) => run.finalAccuracy)));
      const loss = cells.map((cell) =>
        statistics(cell.map((run) => (Number.isFinite(run.finalLoss) ? run.finalLoss : Infinity))),
      );
      return { optimizer, lr, accuracy, loss, drop: 100 * (accuracy[0]!.mean - accuracy.at(-1)!.mean) };
    }),
  );
}

/** One `active(X)` against `X` at one learning rate, across the batch sizes. */
export interface BatchSizeComparison {
  base: string;
  active: string;
  lr: number;
  baseDrop: number;
  activeDrop: number;
  /** Seed-mean accuracy of each at the largest batch size. */
  baseAtLargest: number;
  activeAtLargest: number;
  /** The Active variant's drop is smaller. */
  activeSmaller: boolean;
  /**
   * The paper's claim proper: a smaller drop and a higher accuracy at the largest batch. A
   * smaller drop alone can come from a lower start at the smallest batch, which mitigates nothing.
   */
  mitigates: boolean;
}

/** Pairs `X` with `active(X)` at the same learning rate and says whether the Active variant mitigates the drop. */
export function batchSizeComparisons(rows: readonly BatchSizeRow[]): BatchSizeComparison[] {
  return rows.flatMap((row) => {
    const match = /^active\((.*)\)$/.exec(row.optimizer);
    const base = match && rows.find((other) => other.optimizer === match[1] && other.lr === row.lr);
    if (!base) return [];
    const baseAtLargest = base.accuracy.at(-1)!.mean;
    const activeAtLargest = row.accuracy.at(-1)!.mean;
    const activeSmaller = row.drop < base.drop;
    return [
      {
        base: base.optimizer,
        active: row.optimizer,
        lr: row.lr,
        baseDrop: base.drop,
        activeDrop: row.drop,
        baseAtLargest,
        activeAtLargest,
        activeSmaller,
        mitigates: activeSmaller && activeAtLargest > baseAtLargest,
      },
    ];
  });
}

/** One line on one comparison, for the console and table.md. */
export function describeBatchSizeComparison(comparison: BatchSizeComparison, largest: number): string {
  const c = comparison;
  const verdict = c.mitigates
    ? 'smaller, and higher at the largest batch: as the paper claims'
    : c.activeSmaller
      ? 'smaller, but not higher at the largest batch (it starts lower): no mitigation'
      : 'not smaller: the claim does not hold here';
  return `${c.active} at lr ${formatRate(c.lr)}: drop ${c.activeDrop.toFixed(1)} points vs ${c.base} ${c.baseDrop.toFixed(1)}, accuracy at batch ${largest} ${formatMetric(c.activeAtLargest)} vs ${formatMetric(c.baseAtLargest)} — ${verdict}`;
}

/** The table: per optimizer and learning rate, "accuracy ± sd (loss)" per batch size, then the drop. */
export function batchSizeTable(
  config: SweepConfig,
  rows: readonly BatchSizeRow[],
  format: 'text' | 'markdown',
): string {
  const header = ['optimizer', 'lr', ...config.batchSizes.map((batchSize) => `B ${batchSize}`), 'drop (points)'];
  const body = rows.map((row) => [
    row.optimizer,
    formatRate(row.lr),
    ...row.accuracy.map(
      (cell, index) =>
        `${formatMetric(cell.mean)} ± ${formatMetric(cell.standardDeviation)} (${formatMetric(row.loss[index]!.mean)})`,
    ),
    row.drop.toFixed(1),
  ]);
  return format === 'text' ? textTable(header, body) : markdownTable(header, body);
}

/**
 * Final accuracy (or loss) against the batch size at one learning rate, one line per optimizer
 * (dashed: the bases), the seed range shaded.
 */
export function batchSizePlot(
  config: SweepConfig,
  rows: readonly BatchSizeRow[],
  metric: 'accuracy' | 'loss',
  lr: number,
): string {
  const series: PlotSeries[] = rows
    .filter((row) => row.lr === lr)
    .map((row) => ({
      name: row.optimizer,
      dashed: !row.optimizer.startsWith('active('),
      points: config.batchSizes.flatMap((batchSize, index) => {
        const cell = (metric === 'accuracy' ? row.accuracy : row.loss)[index]!;
        return Number.isFinite(cell.mean) ? [{ x: batchSize, y: cell.mean, low: cell.min, high: cell.max }] : [];
      }),
    }));
  const subject = `lr ${formatRate(lr)}, ${config.model} on ${config.dataset}, ${config.epochs} epochs, ${config.seeds} seed${config.seeds > 1 ? 's' : ''}`;
  return metric === 'accuracy'
    ? svgLinePlot(series, {
        title: `Final validation accuracy vs batch size (${subject})`,
        xLabel: 'batch size',
        yLabel: 'validation accuracy',
        logX: true,
      })
    : svgLinePlot(series, {
        title: `Final training loss vs batch size (${subject})`,
        xLabel: 'batch size',
        yLabel: 'training loss',
        logX: true,
        logY: true,
      });
}
