/**
 * `vane train`: one training run with progress, per-epoch metrics, a checkpoint after every
 * epoch, a JSON log, and `--resume`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setBackend } from '@vane/tensor';
import { describeFlags, parseFlags } from '../arguments';
import { DATASET_NAMES } from '../data/task-data';
import { MODEL_NAMES } from '../models/build-model';
import { checkRunSetup, runTraining, type RunSpec } from '../training/run-training';
import { UsageError } from '../usage-error';

/** Flags of `vane train`. */
export const TRAIN_FLAGS = {
  model: { kind: 'string', default: 'mlp', choices: MODEL_NAMES, description: 'model' },
  dataset: { kind: 'string', default: 'digits', choices: DATASET_NAMES, description: 'dataset' },
  optimizer: { kind: 'string', default: 'active(adamw)', description: 'optimizer name or expression, e.g. adamw, active(sgd), graft(adam,sgd)' },
  lr: { kind: 'number', default: 1e-3, exclusiveMinimum: 0, description: 'learning rate' },
  batchSize: { kind: 'number', default: 64, integer: true, minimum: 1, description: 'batch size' },
  epochs: { kind: 'number', default: 10, integer: true, minimum: 1, description: 'epochs' },
  seed: { kind: 'number', default: 0, integer: true, minimum: 0, description: 'seed of initialisation and shuffling' },
  backend: { kind: 'string', default: 'cpu', choices: ['cpu', 'gpu'], description: 'tensor backend' },
  trainLimit: { kind: 'number', integer: true, minimum: 1, description: 'use at most this many training examples' },
  dataDir: { kind: 'string', description: 'directory of the dataset files (fashion-mnist, cifar10)' },
  out: { kind: 'string', default: 'runs/train', description: 'run directory (checkpoint.safetensors, log.json)' },
  resume: { kind: 'boolean', default: false, description: 'continue from <out>/checkpoint.safetensors' },
} as const;

/** Usage text of `vane train`. */
export const TRAIN_USAGE = `vane train [flags]: train one model\n${describeFlags(TRAIN_FLAGS)}`;

/** The JSON log of a run: its spec and one entry per completed epoch. */
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
    const gpu = (await import('@vane/gpu' as string)) as { isGpuAvailable(): boolean; gpuUnavailableReason(): string | undefined };
    if (gpu.isGpuAvailable()) setBackend(name);
    else reason = gpu.gpuUnavailableReason() ?? 'no GPU device';
  } catch (error) {
    reason = (error as Error).message;
  }
  if (reason !== undefined) throw new UsageError(`vane train: backend ${name} is not available here: ${reason.split('\n')[0]} (valid here: cpu)`);
}

/** Runs `vane train`; returns the run directory. */
export async function trainCommand(argv: readonly string[]): Promise<string> {
  const flags = parseFlags('train', argv, TRAIN_FLAGS);
  checkRunSetup({ model: flags.model!, dataset: flags.dataset!, optimizer: flags.optimizer!, dataDirectory: flags.dataDir });
  await selectBackend(flags.backend!);
  const spec: RunSpec = {
    model: flags.model!, dataset: flags.dataset!, optimizer: flags.optimizer!, lr: flags.lr!, batchSize: flags.batchSize!,
    epochs: flags.epochs!, seed: flags.seed!, trainLimit: flags.trainLimit, dataDirectory: flags.dataDir,
  };
  const out = flags.out!;
  const checkpointPath = join(out, 'checkpoint.safetensors');
  const logPath = join(out, 'log.json');
  if (flags.resume && !existsSync(checkpointPath)) throw new UsageError(`vane train: --resume needs ${checkpointPath}, which does not exist`);
  mkdirSync(out, { recursive: true });
  const log: TrainLog = flags.resume && existsSync(logPath) ? (JSON.parse(readFileSync(logPath, 'utf8')) as TrainLog) : { spec, backend: flags.backend!, epochs: [] };
  log.epochs = log.epochs.slice(0);
  console.log(`vane train: ${spec.model} on ${spec.dataset} with ${spec.optimizer} lr ${spec.lr}, batch ${spec.batchSize}, ${spec.epochs} epochs${flags.resume ? ` (resuming after epoch ${log.epochs.length})` : ''} → ${out}`);
  const result = runTraining(spec, {
    checkpointPath,
    resume: flags.resume,
    progress: process.stdout,
    onEpoch: (_text, epoch, logs) => {
      log.epochs[epoch] = { epoch: epoch + 1, ...logs };
      // Written every epoch so an interrupted run leaves a log that matches its checkpoint.
      writeFileSync(logPath, JSON.stringify(log, null, 2));
    },
  });
  const last = log.epochs.at(-1) ?? {};
  console.log(`final: loss ${(last.loss ?? result.finalLoss).toPrecision(4)}, validation accuracy ${(last.validationAccuracy ?? result.finalAccuracy).toFixed(4)}; wrote ${checkpointPath}, ${logPath}`);
  return out;
}
