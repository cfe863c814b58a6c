/**
 * One training run, as used by `vane train` and by every run of a study: load the data,
 * build the model and optimizer, train with `fit`, return the per-epoch history.
 */
import { DataLoader } from '@vane/datasets';
import { accuracy, crossEntropy, fit, type Callback, type ProgressStream } from '@vane/nn';
import { loadCheckpoint, saveCheckpoint, type ResumableData } from '@vane/nn/node';
import { loadTaskData } from '../data/task-data.js';
import { decodeNonFinite, encodeNonFinite } from '../format/json-numbers.js';
import { buildModel } from '../models/build-model.js';
import {
  buildOptimizer,
  checkOptimizerExpression,
  parseOptimizerExpression,
} from '../optimizers/optimizer-expression.js';
import { UsageError } from '../usage-error.js';
import { learningRateScale, type WarmupStepDecay } from './learning-rate-schedule.js';

/** Everything that defines a run. Plain data, so it can be sent to a worker thread. */
export interface RunSpec {
  model: string;
  dataset: string;
  optimizer: string;
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Keep at most this many training examples. */
  trainLimit?: number;
  dataDirectory?: string;
  /** A learning-rate schedule scaling every rate of the optimizer (absent: constant rates). */
  schedule?: WarmupStepDecay;
}

/** Per-epoch values of a run. */
export interface RunHistory {
  loss: number[];
  accuracy: number[];
  validationLoss: number[];
  validationAccuracy: number[];
}

/** The outcome of a run. */
export interface RunResult {
  spec: RunSpec;
  history: RunHistory;
  /** Last epoch's mean training loss (NaN or Infinity when the run diverged). */
  finalLoss: number;
  /** Last epoch's validation accuracy. */
  finalAccuracy: number;
  seconds: number;
}

/** One epoch's metrics as logged: `{ epoch: 1, loss: 0.53, validationAccuracy: 0.91, … }`. */
export type EpochEntry = Record<string, number>;

/** Options of {@link runTraining} and {@link prepareTraining}. */
export interface RunTrainingOptions {
  /** Called after every epoch with a one-line summary. */
  onEpoch?: (text: string, epoch: number, logs: Record<string, number>) => void;
  /** Save a checkpoint here after every epoch. */
  checkpointPath?: string;
  /** Continue from the checkpoint at `checkpointPath`. */
  resume?: boolean;
  /**
   * Called right after each checkpoint is saved, with every epoch's entry that the checkpoint
   * now holds. A log written here is consistent with the checkpoint by construction.
   */
  onCheckpoint?: (epochs: readonly EpochEntry[]) => void;
  /** `fit`'s progress bar: a stream, or false (default) for none. */
  progress?: ProgressStream | false;
}

/** A run whose data, model, optimizer (and checkpoint, when resuming) are loaded. */
export interface PreparedTraining {
  /** Entries of the epochs already completed (those in the loaded checkpoint; empty on a fresh run). */
  completedEpochs: readonly EpochEntry[];
  /** Trains to `spec.epochs` epochs in total and returns the whole run's history. */
  train(): RunResult;
}

/**
 * Checks, before any work starts, that a run can be set up: the optimizer expression parses
 * and builds (its options are in range), the dataset loads and the model takes it. Throws the
 * one-line usage error otherwise.
 */
export function checkRunSetup(
  spec: Pick<RunSpec, 'model' | 'dataset' | 'optimizer' | 'dataDirectory'> & { lr?: number },
): void {
  checkOptimizerExpression(spec.optimizer, spec.lr ?? 1e-3);
  const data = loadTaskData(spec.dataset, spec.model === 'mlp', { dataDirectory: spec.dataDirectory, trainLimit: 1 });
  buildModel(spec.model, data, 0).dispose();
}

/** A short, fixed-width label of a run for progress lines. */
export function describeRun(spec: RunSpec): string {
  return `${spec.optimizer} lr=${spec.lr.toExponential(0)} seed=${spec.seed}`;
}

function isEpochEntry(value: unknown): value is EpochEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'number')
  );
}

/** The epoch entries kept in a checkpoint's `extra`, or [] for a checkpoint written without them. */
function storedEpochs(extra: unknown, path: string): EpochEntry[] {
  const stored = (extra as { epochs?: unknown } | null | undefined)?.epochs;
  if (stored === undefined) return [];
  const epochs = decodeNonFinite(stored);
  if (!Array.isArray(epochs) || !epochs.every(isEpochEntry))
    throw new UsageError(
      `cannot resume from ${path}: its epoch log is damaged (expected an array of per-epoch metrics)`,
    );
  return epochs;
}

/**
 * Loads the data, builds the model and optimizer and, when resuming, restores the checkpoint,
 * so that every failure (a damaged checkpoint included) happens before training starts.
 *
 * @example
 * const prepared = prepareTraining(spec, { checkpointPath: 'runs/a/checkpoint.safetensors', resume: true });
 * console.log(`resuming after epoch ${prepared.completedEpochs.length}`);
 * const result = prepared.train();
 */
export function prepareTraining(spec: RunSpec, options: RunTrainingOptions = {}): PreparedTraining {
  const started = performance.now();
  const data = loadTaskData(spec.dataset, spec.model === 'mlp', {
    trainLimit: spec.trainLimit,
    dataDirectory: spec.dataDirectory,
  });
  const model = buildModel(spec.model, data, spec.seed);
  const loader = new DataLoader(data.train, { batchSize: spec.batchSize, shuffle: true, seed: spec.seed + 1000 });
  const optimizer = buildOptimizer(parseOptimizerExpression(spec.optimizer), {
    lr: spec.lr,
    stepsPerEpoch: loader.length,
    learningRateScale: spec.schedule && learningRateScale(spec.schedule, loader.length),
  });
  const epochs: EpochEntry[] = [];
  let resumed: { optimizerState?: unknown; initialStep?: number } = {};
  if (options.checkpointPath && options.resume) {
    let loaded: ReturnType<typeof loadCheckpoint>;
    try {
      loaded = loadCheckpoint(options.checkpointPath, { model, data: loader });
    } catch (error) {
      model.dispose();
      throw new UsageError(`cannot resume from ${options.checkpointPath}: ${(error as Error).message.split('\n')[0]}`);
    }
    resumed = { optimizerState: loaded.optimizerState, initialStep: loaded.step };
    // The checkpoint holds the entries of exactly the epochs it contains: no log can be ahead of it.
    epochs.push(...storedEpochs(loaded.extra, options.checkpointPath));
  }
  const checkpointPath = options.checkpointPath;
  const callbacks: Callback[] = [
    {
      onEpochEnd: (context, logs) => {
        const text = `${describeRun(spec)} epoch ${context.epoch + 1}/${spec.epochs} loss ${(logs.loss ?? NaN).toPrecision(4)} val acc ${(logs.validationAccuracy ?? NaN).toFixed(3)}`;
        epochs.push({ epoch: context.epoch + 1, ...logs });
        if (checkpointPath) {
          // The checkpoint first, then whatever is derived from it (the log): a kill in between
          // leaves a log one epoch behind, which the next resume rewrites from the checkpoint.
          const resumable =
            typeof (context.data as ResumableData).state === 'function' ? (context.data as ResumableData) : undefined;
          saveCheckpoint(checkpointPath, {
            model: context.model,
            optimizerState: context.optimizerState,
            data: resumable,
            step: context.step,
            extra: { epochs: encodeNonFinite(epochs) },
          });
          options.onCheckpoint?.(epochs);
        }
        options.onEpoch?.(text, context.epoch, logs);
        // A diverged run cannot recover; stopping it saves a study's time (later epochs are recorded as NaN).
        if (!Number.isFinite(logs.loss ?? NaN)) context.stopTraining = true;
      },
    },
  ];
  return {
    completedEpochs: [...epochs],
    train: () => {
      try {
        fit(model, optimizer, loader, {
          epochs: spec.epochs,
          loss: crossEntropy,
          metrics: { accuracy },
          validationData: new DataLoader(data.validation, { batchSize: 512 }),
          callbacks,
          progress: options.progress ?? false,
          ...resumed,
        });
      } finally {
        model.dispose();
      }
      // The history of the whole run, resumed epochs included, one value per epoch (NaN after a divergence).
      const column = (key: string) =>
        Array.from(
          { length: spec.epochs },
          (_, index) => epochs.find((entry) => entry.epoch === index + 1)?.[key] ?? NaN,
        );
      const history: RunHistory = {
        loss: column('loss'),
        accuracy: column('accuracy'),
        validationLoss: column('validationLoss'),
        validationAccuracy: column('validationAccuracy'),
      };
      const finalLoss = history.loss.at(-1)!;
      return {
        spec,
        history,
        finalLoss,
        // A diverged network predicts no better than chance; NaN logits would make accuracy meaningless.
        finalAccuracy: Number.isFinite(finalLoss) ? history.validationAccuracy.at(-1)! : 1 / data.classes,
        seconds: (performance.now() - started) / 1000,
      };
    },
  };
}

/**
 * Trains one model and returns its history. Deterministic for a given spec on the CPU.
 *
 * @example
 * const result = runTraining({ model: 'mlp', dataset: 'digits', optimizer: 'active(adamw)', lr: 1e-3, batchSize: 64, epochs: 5, seed: 0 });
 */
export function runTraining(spec: RunSpec, options: RunTrainingOptions = {}): RunResult {
  return prepareTraining(spec, options).train();
}
