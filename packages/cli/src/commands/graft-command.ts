/**
 * `vane graft`: the M#D grafting grid.
 */
import { describeFlags, parseFlags } from '../arguments.js';
import { DATASET_NAMES } from '../data/task-data.js';
import { checkRunSetup } from '../training/run-training.js';
import { MODEL_NAMES } from '../models/build-model.js';
import {
  GRAFT_PRESETS,
  graftExpression,
  graftPlan,
  graftTable,
  graftVerdict,
  runGraft,
  writeGraft,
  type GraftConfig,
} from '../studies/graft-grid.js';
import { openStudyDirectory } from '../studies/study-directory.js';
import { describeSchedule } from '../training/learning-rate-schedule.js';
import { QUEUE_FLAG, studyQueueFromFlags } from '../distributed/queue-flag.js';

/** Flags of `vane graft`. */
export const GRAFT_FLAGS = {
  preset: { kind: 'string', default: 'quick', choices: Object.keys(GRAFT_PRESETS), description: 'starting grid' },
  model: { kind: 'string', choices: MODEL_NAMES, description: 'model' },
  dataset: { kind: 'string', choices: DATASET_NAMES, description: 'dataset' },
  seeds: { kind: 'number', integer: true, minimum: 1, description: 'seeds per cell' },
  epochs: { kind: 'number', integer: true, minimum: 1, description: 'epochs per run' },
  batchSize: { kind: 'number', integer: true, minimum: 1, description: 'batch size' },
  trainLimit: { kind: 'number', integer: true, minimum: 1, description: 'use at most this many training examples' },
  dataDir: { kind: 'string', description: 'directory of the dataset files' },
  workers: { kind: 'number', integer: true, minimum: 1, description: 'worker threads (default: one per core)' },
  queue: QUEUE_FLAG,
  out: { kind: 'string', description: 'output directory (default runs/<preset>-graft)' },
  resume: {
    kind: 'boolean',
    default: false,
    description: 'continue the study in --out: run only the runs without a record in <out>/runs',
  },
} as const;

/** Usage text of `vane graft`. */
export const GRAFT_USAGE = `vane graft [flags]: magnitude × direction grid over sgd, adam, adagrad, rmsprop\n${describeFlags(GRAFT_FLAGS)}`;

/** Runs `vane graft`; returns the output directory. */
export async function graftCommand(argv: readonly string[]): Promise<string> {
  const flags = parseFlags('graft', argv, GRAFT_FLAGS);
  const config: GraftConfig = {
    ...GRAFT_PRESETS[flags.preset!]!,
    ...(flags.model && { model: flags.model }),
    ...(flags.dataset && { dataset: flags.dataset }),
    ...(flags.seeds && { seeds: flags.seeds }),
    ...(flags.epochs && { epochs: flags.epochs }),
    ...(flags.batchSize && { batchSize: flags.batchSize }),
    ...(flags.trainLimit && { trainLimit: flags.trainLimit }),
    ...(flags.dataDir && { dataDirectory: flags.dataDir }),
  };
  const names = Object.keys(config.optimizers);
  for (const magnitude of names) checkRunSetup({ ...config, optimizer: graftExpression(config, magnitude, names[0]!) });
  const out = flags.out ?? `runs/${flags.preset}-graft`;
  const directory = openStudyDirectory('graft', out, config, graftPlan(config), { resume: flags.resume! });
  const queue = await studyQueueFromFlags('graft', flags);
  directory.begin();
  console.log(
    `vane graft: ${names.length}×${names.length} M#D grid × ${config.seeds} seed(s) of ${config.model} on ${config.dataset} (${config.epochs} epochs, batch ${config.batchSize}${config.momentum === undefined ? '' : `, momentum ${config.momentum} for all`}${config.schedule ? `, ${describeSchedule(config.schedule)}` : ''})`,
  );
  if (directory.finished.size > 0)
    console.log(`resuming: ${directory.finished.size} runs already finished in ${directory.runsPath}`);
  const results = await runGraft(config, { workers: flags.workers, directory, queue });
  console.log(`\nFinal validation accuracy (final training loss), rows M, columns D:\n`);
  console.log(graftTable(config, results, 'text'));
  console.log(`\naccuracy: ${graftVerdict(results.accuracyVariance)}\nloss: ${graftVerdict(results.lossVariance)}`);
  const files = writeGraft(out, results);
  console.log(`\n${results.runs.length} runs in ${results.seconds.toFixed(0)} s; wrote ${files.join(', ')}`);
  return out;
}
