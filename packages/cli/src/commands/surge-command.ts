/**
 * `vane surge`: optimal learning rate versus batch size.
 */
import { describeFlags, parseFlags } from '../arguments.js';
import { DATASET_NAMES } from '../data/task-data.js';
import { checkRunSetup } from '../training/run-training.js';
import { UsageError } from '../usage-error.js';
import { MODEL_NAMES } from '../models/build-model.js';
import {
  runSurge,
  SURGE_PRESETS,
  surgeFitText,
  surgeGridTable,
  surgePlan,
  surgeTable,
  writeSurge,
  type SurgeConfig,
} from '../studies/surge-scaling.js';
import { openStudyDirectory } from '../studies/study-directory.js';
import { QUEUE_FLAG, studyQueueFromFlags } from '../distributed/queue-flag.js';

/** Flags of `vane surge`. */
export const SURGE_FLAGS = {
  preset: { kind: 'string', default: 'quick', choices: Object.keys(SURGE_PRESETS), description: 'starting grid' },
  model: { kind: 'string', choices: MODEL_NAMES, description: 'model' },
  dataset: { kind: 'string', choices: DATASET_NAMES, description: 'dataset' },
  batchSizes: { kind: 'numbers', exclusiveMinimum: 0, integer: true, description: 'comma-separated batch sizes' },
  lrs: {
    kind: 'numbers',
    exclusiveMinimum: 0,
    description: 'comma-separated learning rates, tried at every batch size',
  },
  seeds: { kind: 'number', integer: true, minimum: 1, description: 'seeds per batch size and learning rate' },
  targetLoss: {
    kind: 'number',
    exclusiveMinimum: 0,
    description: 'training loss that ends a run (steps and examples are counted to it)',
  },
  maxExamples: {
    kind: 'number',
    integer: true,
    minimum: 1,
    description: 'examples after which a run that has not reached the target stops',
  },
  trainLimit: { kind: 'number', integer: true, minimum: 1, description: 'use only the first N training examples' },
  betas: { kind: 'numbers', description: "Adam's beta1,beta2 (0,0 is the paper's sign-like setting)" },
  workers: { kind: 'number', integer: true, minimum: 1, description: 'worker threads (default: one per core)' },
  queue: QUEUE_FLAG,
  out: { kind: 'string', description: 'output directory (default runs/<preset>-surge)' },
  resume: {
    kind: 'boolean',
    default: false,
    description: 'continue the study in --out: run only the runs without a record in <out>/runs',
  },
} as const;

/** Usage text of `vane surge`. */
export const SURGE_USAGE = `vane surge [flags]: steps to a target loss per batch size × learning rate, the optimal Adam rate per batch size, B_noise fitted on the optimal-rate runs (Eq. 22), ε_max per law, B_simple, SVG plots\n${describeFlags(SURGE_FLAGS)}`;

/** Runs `vane surge`; returns the output directory. */
export async function surgeCommand(argv: readonly string[]): Promise<string> {
  const flags = parseFlags('surge', argv, SURGE_FLAGS);
  const config: SurgeConfig = {
    ...SURGE_PRESETS[flags.preset!]!,
    ...(flags.model && { model: flags.model }),
    ...(flags.dataset && { dataset: flags.dataset }),
    ...(flags.batchSizes && { batchSizes: flags.batchSizes }),
    ...(flags.lrs && { learningRates: flags.lrs }),
    ...(flags.seeds && { seeds: flags.seeds }),
    ...(flags.targetLoss && { targetLoss: flags.targetLoss }),
    ...(flags.maxExamples && { maxExamples: flags.maxExamples }),
    ...(flags.trainLimit && { trainLimit: flags.trainLimit }),
  };
  if (flags.betas) {
    const [beta1, beta2] = flags.betas;
    if (flags.betas.length !== 2 || !(beta1! >= 0 && beta1! < 1 && beta2! >= 0 && beta2! < 1)) {
      throw new UsageError(
        `vane surge: --betas must be two numbers in [0, 1) such as 0.9,0.999 or 0,0, got ${flags.betas.join(',')}`,
      );
    }
    config.betas = [beta1!, beta2!];
  }
  checkRunSetup({
    ...config,
    optimizer: `adam(beta1=${config.betas[0]},beta2=${config.betas[1]})`,
    lr: config.learningRates[0]!,
  });
  const noiseExamples = config.noiseMicroBatchSize * config.noiseMicroBatches;
  if (config.trainLimit !== undefined && config.trainLimit < noiseExamples) {
    throw new UsageError(
      `vane surge: --train-limit must be at least ${noiseExamples} (the noise-scale measurement takes ${config.noiseMicroBatches} micro-batches of ${config.noiseMicroBatchSize}), got ${config.trainLimit}`,
    );
  }
  const out = flags.out ?? `runs/${flags.preset}-surge`;
  const plan = surgePlan(config);
  const directory = openStudyDirectory('surge', out, config, plan, { resume: flags.resume! });
  const queue = await studyQueueFromFlags('surge', flags);
  directory.begin();
  console.log(
    `vane surge: ${config.batchSizes.length} batch sizes × ${config.learningRates.length} learning rates × ${config.seeds} seed(s), Adam β=(${config.betas.join(', ')}), ` +
      `steps to training loss ${config.targetLoss} (at most ${config.maxExamples} examples per run)`,
  );
  if (directory.finished.size > 0)
    console.log(
      `resuming: ${directory.finished.size} of ${plan.length} runs already finished in ${directory.runsPath}`,
    );
  const results = await runSurge(config, { workers: flags.workers, directory, queue });
  console.log(
    `\n${surgeGridTable(results, 'text')}\n\n${surgeTable(results.points, 'text')}\n\n${surgeFitText(results)}`,
  );
  const files = writeSurge(out, results);
  console.log(`\n${results.measurements.length} runs in ${results.seconds.toFixed(0)} s; wrote ${files.join(', ')}`);
  return out;
}
