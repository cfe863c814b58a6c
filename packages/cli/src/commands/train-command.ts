/**
 * `vane train`: one training run with progress, per-epoch metrics, a checkpoint after every
 * epoch, a JSON log, and `--resume`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setBackend } from '@vane/tensor';
import { describeFlags, parseFlags } from '../arguments.js';
import { DATASET_NAMES } from '../data/task-data.js';
import { MODEL_NAMES } from '../models/build-model.js';
import { readJsonFile, isRecord, writeJsonAtomic } from '../files/json-file.js';
import { checkOutputDirectory, createOutputDirectory } from '../output-directory.js';
import { checkSameSettings } from '../resume/check-same-settings.js';
import {
  checkRunSetup,
  prepareTraining,
  type EpochEntry,
  type PreparedTraining,
  type RunSpec,
} from '../training/run-training.js';
import { UsageError } from '../usage-error.js';

/** Flags of `vane train`. */
export const TRAIN_FLAGS = {
  model: { kind: 'string', default: 'mlp', choices: MODEL_NAMES, description: 'model' },
  dataset: { kind: 'string', default: 'digits', choices: DATASET_NAMES, description: 'dataset' },
  optimizer: {
    kind: 'string',
    default: 'active(adamw)',
    description: 'optimizer name or expression, e.g. adamw, active(sgd), graft(adam,sgd)',
  },
  lr: { kind: 'number', default: 1e-3, exclusiveMinimum: 0, description: 'learning rate' },
  batchSize: { kind: 'number', default: 64, integer: true, minimum: 1, description: 'batch size' },
  epochs: { kind: 'number', default: 10, integer: true, minimum: 1, description: 'epochs' },
  seed: { kind: 'number', default: 0, integer: true, minimum: 0, description: 'seed of initialisation and shuffling' },
  backend: { kind: 'string', default: 'cpu', choices: ['cpu', 'gpu'], description: 'tensor backend' },
  trainLimit: { kind: 'number', integer: true, minimum: 1, description: 'use at most this many training examples' },
  dataDir: { kind: 'string', description: 'directory of the dataset files (fashion-mnist, cifar10)' },
  out: { kind: 'string', default: 'runs/train', description: 'run directory (checkpoint.safetensors, log.json)' },
  resume: {
    kind: 'boolean',
    default: false,
    description: 'continue the run in <out> (same settings; --epochs may grow)',
  },
} as const;

/** Usage text of `vane train`. */
export const TRAIN_USAGE = `vane train [flags]: train one model\n${describeFlags(TRAIN_FLAGS)}`;

/**
 * The JSON log of a run (`log.json`): its spec and one entry per epoch in the checkpoint.
 * Non-finite values (a diverged loss) are the strings "NaN", "Infinity".
 */
export interface TrainLog {
  spec: RunSpec;
  backend: string;
  epochs: Record<string, number>[];
}

async function selectBackend(name: string): Promise<void> {
  if (name === 'cpu') return;
  let reason: string | undefined;
  try {
    // Imported on demand: the gpu package pulls in gpu.js, which the CPU path never needs.
    const gpu = (await import('@vane/gpu' as string)) as {
      isGpuAvailable(): boolean;
      gpuUnavailableReason(): string | undefined;
    };
    if (gpu.isGpuAvailable()) setBackend(name);
    else reason = gpu.gpuUnavailableReason() ?? 'no GPU device';
  } catch (error) {
    reason = (error as Error).message;
  }
  if (reason !== undefined)
    throw new UsageError(
      `vane train: backend ${name} is not available here: ${reason.split('\n')[0]} (valid here: cpu)`,
    );
}

/** What `<out>/run.json` holds: the settings that define the run (all but --epochs, --backend, --out). */
export interface TrainRunFile {
  command: 'train';
  settings: Omit<RunSpec, 'epochs'>;
}

function runSettings(spec: RunSpec): TrainRunFile['settings'] {
  const { epochs: _epochs, ...settings } = spec;
  return settings;
}

/**
 * Checks, before anything is written, that the run directory can take this run: with
 * `--resume` it holds a checkpoint and a run.json with the same settings; without it, it holds
 * no checkpoint (a run is never overwritten: nothing the user saved is lost).
 */
function checkRunDirectory(out: string, spec: RunSpec, resume: boolean): void {
  const checkpointPath = join(out, 'checkpoint.safetensors');
  if (!resume) {
    if (existsSync(checkpointPath))
      throw new UsageError(
        `vane train: ${out} already holds a run (${checkpointPath}); continue it with --resume, or choose another --out`,
      );
    return;
  }
  if (!existsSync(checkpointPath))
    throw new UsageError(`vane train: --resume needs ${checkpointPath}, which does not exist`);
  const stored = readJsonFile('vane train: cannot check that --resume continues the same run', join(out, 'run.json'));
  if (!isRecord(stored) || stored.command !== 'train' || !isRecord(stored.settings)) {
    throw new UsageError(
      `vane train: cannot check that --resume continues the same run: ${join(out, 'run.json')} is damaged (expected { command: 'train', settings })`,
    );
  }
  checkSameSettings('train', `the run in ${out}`, stored.settings, runSettings(spec));
}

/** Runs `vane train`; returns the run directory. */
export async function trainCommand(argv: readonly string[]): Promise<string> {
  const flags = parseFlags('train', argv, TRAIN_FLAGS);
  checkRunSetup({
    model: flags.model!,
    dataset: flags.dataset!,
    optimizer: flags.optimizer!,
    lr: flags.lr!,
    dataDirectory: flags.dataDir,
  });
  const out = flags.out!;
  checkOutputDirectory('train', '--out', out);
  await selectBackend(flags.backend!);
  const spec: RunSpec = {
    model: flags.model!,
    dataset: flags.dataset!,
    optimizer: flags.optimizer!,
    lr: flags.lr!,
    batchSize: flags.batchSize!,
    epochs: flags.epochs!,
    seed: flags.seed!,
    trainLimit: flags.trainLimit,
    dataDirectory: flags.dataDir,
  };
  const resume = flags.resume!;
  checkRunDirectory(out, spec, resume);
  const checkpointPath = join(out, 'checkpoint.safetensors');
  const logPath = join(out, 'log.json');
  // The log is derived from the checkpoint's own epoch entries, so it never runs ahead of it.
  const writeLog = (epochs: readonly EpochEntry[]) =>
    writeJsonAtomic(logPath, { spec, backend: flags.backend!, epochs: [...epochs] } satisfies TrainLog);
  let prepared: PreparedTraining;
  try {
    prepared = prepareTraining(spec, { checkpointPath, resume, progress: process.stdout, onCheckpoint: writeLog });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`vane train: ${error.message}`);
    throw error;
  }
  createOutputDirectory(out);
  if (resume)
    writeLog(prepared.completedEpochs); // repairs a damaged or missing log before training continues
  else writeJsonAtomic(join(out, 'run.json'), { command: 'train', settings: runSettings(spec) } satisfies TrainRunFile);
  console.log(
    `vane train: ${spec.model} on ${spec.dataset} with ${spec.optimizer} lr ${spec.lr}, batch ${spec.batchSize}, ${spec.epochs} epochs${resume ? ` (resuming after epoch ${prepared.completedEpochs.length})` : ''} → ${out}`,
  );
  const result = prepared.train();
  console.log(
    `final: loss ${result.finalLoss.toPrecision(4)}, validation accuracy ${result.finalAccuracy.toFixed(4)}; wrote ${checkpointPath}, ${logPath}`,
  );
  return out;
}
