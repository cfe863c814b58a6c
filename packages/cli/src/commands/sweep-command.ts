/**
 * `vane sweep`: the learning-rate robustness study.
 */
import { describeFlags, parseFlags } from '../arguments.js';
import { DATASET_NAMES } from '../data/task-data.js';
import { MODEL_NAMES } from '../models/build-model.js';
import { checkRunSetup } from '../training/run-training.js';
import {
  activeComparisons,
  runSweep,
  SWEEP_PRESETS,
  sweepPlan,
  sweepTable,
  writeSweep,
  type SweepConfig,
} from '../studies/learning-rate-sweep.js';
import { openStudyDirectory } from '../studies/study-directory.js';
import {
  batchSizeComparisons,
  batchSizeTable,
  describeBatchSizeComparison,
  summarizeBatchSizes,
} from '../studies/batch-size-effect.js';
import { QUEUE_FLAG, studyQueueFromFlags } from '../distributed/queue-flag.js';
import { UsageError } from '../usage-error.js';

/** Flags of `vane sweep`; grid flags override the preset's values. */
export const SWEEP_FLAGS = {
  preset: { kind: 'string', default: 'quick', choices: Object.keys(SWEEP_PRESETS), description: 'starting grid' },
  model: { kind: 'string', choices: MODEL_NAMES, description: 'model' },
  dataset: { kind: 'string', choices: DATASET_NAMES, description: 'dataset' },
  optimizers: { kind: 'strings', description: 'comma-separated optimizer expressions' },
  lrs: { kind: 'numbers', exclusiveMinimum: 0, description: 'comma-separated learning rates' },
  seeds: { kind: 'number', integer: true, minimum: 1, description: 'seeds per cell' },
  epochs: { kind: 'number', integer: true, minimum: 1, description: 'epochs per run' },
  batchSize: { kind: 'number', integer: true, minimum: 1, description: 'batch size (one; see --batch-sizes)' },
  batchSizes: {
    kind: 'numbers',
    integer: true,
    exclusiveMinimum: 0,
    description: 'comma-separated batch sizes, a grid dimension like --lrs (the large-batch study)',
  },
  trainLimit: { kind: 'number', integer: true, minimum: 1, description: 'use at most this many training examples' },
  dataDir: { kind: 'string', description: 'directory of the dataset files (fashion-mnist, cifar10)' },
  workers: { kind: 'number', integer: true, minimum: 1, description: 'worker threads (default: one per core)' },
  queue: QUEUE_FLAG,
  out: { kind: 'string', description: 'output directory (default runs/<preset>-sweep)' },
  resume: {
    kind: 'boolean',
    default: false,
    description: 'continue the study in --out: run only the runs without a record in <out>/runs',
  },
} as const;

/** Usage text of `vane sweep`. */
export const SWEEP_USAGE = `vane sweep [flags]: optimizers × learning rates (× batch sizes) × seeds; table, results.json, table.md, SVG plots\n${describeFlags(SWEEP_FLAGS)}`;

/** Runs `vane sweep` with command-line arguments; returns the output directory. */
export async function sweepCommand(argv: readonly string[], defaultOut?: string): Promise<string> {
  const flags = parseFlags('sweep', argv, SWEEP_FLAGS);
  if (flags.batchSize !== undefined && flags.batchSizes !== undefined)
    throw new UsageError('vane sweep: give --batch-size or --batch-sizes, not both');
  const preset = SWEEP_PRESETS[flags.preset!]!;
  const config: SweepConfig = {
    ...preset,
    ...(flags.model && { model: flags.model }),
    ...(flags.dataset && { dataset: flags.dataset }),
    ...(flags.optimizers && { optimizers: flags.optimizers }),
    ...(flags.lrs && { learningRates: flags.lrs }),
    ...(flags.seeds && { seeds: flags.seeds }),
    ...(flags.epochs && { epochs: flags.epochs }),
    ...(flags.batchSize && { batchSizes: [flags.batchSize] }),
    ...(flags.batchSizes && { batchSizes: flags.batchSizes }),
    ...(flags.trainLimit && { trainLimit: flags.trainLimit }),
    ...(flags.dataDir && { dataDirectory: flags.dataDir }),
  };
  // Check everything a worker would trip over before starting any worker.
  if (config.learningRates.length === 0) throw new UsageError('vane sweep: --lrs needs at least one learning rate');
  if (config.batchSizes.length === 0) throw new UsageError('vane sweep: --batch-sizes needs at least one batch size');
  const repeated = config.batchSizes.find((size, index) => config.batchSizes.indexOf(size) !== index);
  if (repeated !== undefined) throw new UsageError(`vane sweep: --batch-sizes lists ${repeated} twice`);
  for (const optimizer of config.optimizers) checkRunSetup({ ...config, optimizer, lr: config.learningRates[0] });
  const out = flags.out ?? defaultOut ?? `runs/${flags.preset}-sweep`;
  const directory = openStudyDirectory('sweep', out, config, sweepPlan(config), { resume: flags.resume! });
  const queue = await studyQueueFromFlags('sweep', flags);
  directory.begin();
  const runs = config.batchSizes.length * config.optimizers.length * config.learningRates.length * config.seeds;
  const batches =
    config.batchSizes.length > 1 ? ` × ${config.batchSizes.length} batch sizes (${config.batchSizes.join(', ')})` : '';
  console.log(
    `vane sweep: ${config.optimizers.join(', ')} × ${config.learningRates.length} learning rates${batches} × ${config.seeds} seed(s) = ${runs} runs of ${config.model} on ${config.dataset} (${config.epochs} epochs${batches ? '' : `, batch ${config.batchSizes[0]}`})`,
  );
  if (directory.finished.size > 0)
    console.log(`resuming: ${directory.finished.size} of ${runs} runs already finished in ${directory.runsPath}`);
  const results = await runSweep(config, { workers: flags.workers, directory, queue });
  console.log(`\nFinal validation accuracy (final training loss), seed mean:\n`);
  console.log(sweepTable(config, results.summary, 'text'));
  console.log('');
  for (const c of activeComparisons(results.summary)) {
    console.log(
      `${c.active}${batches ? ` at batch ${c.batchSize}` : ''} accuracy spread across learning rates ${c.activeSpread.toFixed(3)} vs ${c.base} ${c.baseSpread.toFixed(3)}: ${c.activeSmaller ? "smaller (the paper's claim holds here)" : 'NOT smaller (the claim does not hold here)'}`,
    );
  }
  if (batches) {
    const rows = summarizeBatchSizes(config, results.runs);
    console.log(`\nFinal validation accuracy ± sd (final training loss) by batch size:\n`);
    console.log(batchSizeTable(config, rows, 'text'));
    console.log('');
    for (const c of batchSizeComparisons(rows)) console.log(describeBatchSizeComparison(c, config.batchSizes.at(-1)!));
  }
  const files = writeSweep(out, results);
  console.log(`\n${results.runs.length} runs in ${results.seconds.toFixed(0)} s; wrote ${files.join(', ')}`);
  return out;
}
