import { describe, expect, it } from 'vitest';
import type { RunResult, RunSpec } from '../training/run-training.js';
import {
  batchSizeComparisons,
  batchSizePlot,
  batchSizeTable,
  describeBatchSizeComparison,
  summarizeBatchSizes,
} from './batch-size-effect.js';
import { SWEEP_PRESETS, sweepPlan, summarizeSweep, type SweepConfig } from './learning-rate-sweep.js';
import { runId } from './run-configuration.js';

const config: SweepConfig = {
  model: 'mlp',
  dataset: 'digits',
  optimizers: ['sgd', 'active(sgd)'],
  learningRates: [0.01],
  seeds: 2,
  epochs: 1,
  batchSizes: [32, 2048],
};

// Accuracy by (optimizer, batch size, seed), chosen so that the means and drops are exact.
const ACCURACY: Record<string, number> = {
  'sgd 32 0': 0.8,
  'sgd 32 1': 0.9,
  'sgd 2048 0': 0.5,
  'sgd 2048 1': 0.7,
  'active(sgd) 32 0': 0.85,
  'active(sgd) 32 1': 0.85,
  'active(sgd) 2048 0': 0.75,
  'active(sgd) 2048 1': 0.85,
};

function result(spec: RunSpec): RunResult {
  const finalAccuracy = ACCURACY[`${spec.optimizer} ${spec.batchSize} ${spec.seed}`]!;
  const history = { loss: [], accuracy: [], validationLoss: [], validationAccuracy: [] };
  return { spec, history, finalLoss: 1 - finalAccuracy, finalAccuracy, seconds: 0 };
}

const runs = sweepPlan(config).map((configuration) => result((configuration as { spec: RunSpec }).spec));

describe('a sweep over batch sizes', () => {
  it('runs every optimizer × batch size × lr × seed once, and the run id depends on the batch size', () => {
    const plan = sweepPlan(config);
    expect(plan).toHaveLength(2 * 2 * 1 * 2);
    expect(new Set(plan.map(runId)).size).toBe(plan.length);
    const [first] = plan as { kind: 'training'; spec: RunSpec }[];
    expect(runId({ kind: 'training', spec: { ...first!.spec, batchSize: 2048 } })).not.toBe(runId(first!));
  });

  it('the large-batch preset spans 32 … 2048 at the bases’ tuned rates', () => {
    const preset = SWEEP_PRESETS['large-batch']!;
    expect(preset.batchSizes).toEqual([32, 128, 512, 2048]);
    expect(preset.learningRates).toEqual([1e-3, 1e-2]);
    expect(sweepPlan(preset)).toHaveLength(8 * 2 * 4 * 3);
  });

  it('summarises per batch size: seed mean, sample sd, range, and the drop from the smallest to the largest batch', () => {
    const rows = summarizeBatchSizes(config, runs);
    expect(rows.map((row) => row.optimizer)).toEqual(['sgd', 'active(sgd)']);
    const [sgd, active] = rows;
    expect(sgd!.accuracy[0]!.mean).toBeCloseTo(0.85, 12);
    expect(sgd!.accuracy[1]!.mean).toBeCloseTo(0.6, 12);
    expect(sgd!.accuracy[0]!.standardDeviation).toBeCloseTo(Math.SQRT1_2 * 0.1, 12);
    expect(sgd!.accuracy[1]).toMatchObject({ min: 0.5, max: 0.7 });
    expect(sgd!.drop).toBeCloseTo(25, 10);
    expect(active!.drop).toBeCloseTo(5, 10);
    const [comparison] = batchSizeComparisons(rows);
    expect(comparison).toMatchObject({
      base: 'sgd',
      active: 'active(sgd)',
      lr: 0.01,
      activeSmaller: true,
      mitigates: true,
    });
    expect(comparison!.baseAtLargest).toBeCloseTo(0.6, 12);
    expect(comparison!.activeAtLargest).toBeCloseTo(0.8, 12);
    expect(describeBatchSizeComparison(comparison!, 2048)).toBe(
      'active(sgd) at lr 1e-2: drop 5.0 points vs sgd 25.0, accuracy at batch 2048 0.800 vs 0.600 — smaller, and higher at the largest batch: as the paper claims',
    );
    const table = batchSizeTable(config, rows, 'markdown');
    expect(table).toMatch(/\| optimizer \| lr \| B 32 \| B 2048 \| drop \(points\) \|/);
    expect(table).toMatch(/\| sgd \| 1e-2 \| 0\.850 ± 0\.071 \(0\.150\) \| 0\.600 ± 0\.141 \(0\.400\) \| 25\.0 \|/);
    const plot = batchSizePlot(config, rows, 'accuracy', 0.01);
    expect(plot).toMatch(/^<svg[\s\S]*vs batch size \(lr 1e-2,[\s\S]*>active\(sgd\)<\/text>[\s\S]*<\/svg>$/);
    // A marker per point: two series × two batch sizes.
    expect(plot.match(/<circle /g)).toHaveLength(4);
  });

  it('the learning-rate summary keeps the batch sizes apart', () => {
    const summary = summarizeSweep(config, runs);
    expect(summary.map((row) => `${row.optimizer} ${row.batchSize}`)).toEqual([
      'sgd 32',
      'active(sgd) 32',
      'sgd 2048',
      'active(sgd) 2048',
    ]);
    expect(summary[2]!.accuracy).toEqual([0.6]);
  });

  it('a smaller drop from a lower start at the smallest batch is no mitigation', () => {
    // active(sgd) starts 20 points lower and ends 5 lower: its drop (10) is smaller than sgd's (25).
    const lower = runs.map((run) =>
      run.spec.optimizer === 'active(sgd)' ? { ...run, finalAccuracy: run.spec.batchSize === 32 ? 0.65 : 0.55 } : run,
    );
    const [comparison] = batchSizeComparisons(summarizeBatchSizes(config, lower));
    expect(comparison).toMatchObject({ activeSmaller: true, mitigates: false });
    expect(describeBatchSizeComparison(comparison!, 2048)).toMatch(
      /smaller, but not higher at the largest batch \(it starts lower\): no mitigation$/,
    );
  });
});
