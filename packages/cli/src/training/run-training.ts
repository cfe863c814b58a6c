/**
 * One training run, as used by `vane train` and by every run of a study: load the data,
 * build the model and optimizer, train with `fit`, return the per-epoch history.
 */
import { existsSync } from 'node:fs';
import { DataLoader } from '@vane/datasets';
import { accuracy, checkpointCallback, crossEntropy, fit, loadCheckpoint, type Callback, type ProgressStream } from '@vane/nn';
import { loadTaskData } from '../data/task-data';
import { buildModel } from '../models/build-model';
import { buildOptimizer, parseOptimizerExpression } from '../optimizers/optimizer-expression';

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

/** Options of {@link runTraining}. */
export interface RunTrainingOptions {
  /** Called after every epoch with a one-line summary. */
  onEpoch?: (text: string, epoch: number, logs: Record<string, number>) => void;
  /** Save a checkpoint here after every epoch. */
  checkpointPath?: string;
  /** Continue from the checkpoint at `checkpointPath` when it exists. */
  resume?: boolean;
  /** `fit`'s progress bar: a stream, or false (default) for none. */
  progress?: ProgressStream | false;
}

/**
 * Checks, before any work starts, that a run can be set up: the optimizer expression parses,
 * the dataset loads and the model takes it. Throws the one-line usage error otherwise.
 */
export function checkRunSetup(spec: Pick<RunSpec, 'model' | 'dataset' | 'optimizer' | 'dataDirectory'>): void {
  parseOptimizerExpression(spec.optimizer);
  const data = loadTaskData(spec.dataset, spec.model === 'mlp', { dataDirectory: spec.dataDirectory, trainLimit: 1 });
  buildModel(spec.model, data, 0).dispose();
}

/** A short, fixed-width label of a run for progress lines. */
export function describeRun(spec: RunSpec): string {
  return `${spec.optimizer} lr=${spec.lr.toExponential(0)} seed=${spec.seed}`;
}

/**
 * Trains one model and returns its history. Deterministic for a given spec on the CPU.
 *
 * @example
 * const result = runTraining({ model: 'mlp', dataset: 'digits', optimizer: 'active(adamw)', lr: 1e-3, batchSize: 64, epochs: 5, seed: 0 });
 */
export function runTraining(spec: RunSpec, options: RunTrainingOptions = {}): RunResult {
  const started = performance.now();
  const data = loadTaskData(spec.dataset, spec.model === 'mlp', { trainLimit: spec.trainLimit, dataDirectory: spec.dataDirectory });
  const model = buildModel(spec.model, data, spec.seed);
  const loader = new DataLoader(data.train, { batchSize: spec.batchSize, shuffle: true, seed: spec.seed + 1000 });
  const optimizer = buildOptimizer(parseOptimizerExpression(spec.optimizer), { lr: spec.lr, stepsPerEpoch: loader.length });
  const callbacks: Callback[] = [
    {
      onEpochEnd: (context, logs) => {
        const text = `${describeRun(spec)} epoch ${context.epoch + 1}/${spec.epochs} loss ${(logs.loss ?? NaN).toPrecision(4)} val acc ${(logs.validationAccuracy ?? NaN).toFixed(3)}`;
        options.onEpoch?.(text, context.epoch, logs);
        // A diverged run cannot recover; stopping it saves a study's time (later epochs are recorded as NaN).
        if (!Number.isFinite(logs.loss ?? NaN)) context.stopTraining = true;
      },
    },
  ];
  let resumed: { optimizerState?: unknown; initialStep?: number; initialEpoch?: number } = {};
  if (options.checkpointPath) {
    if (options.resume && existsSync(options.checkpointPath)) {
      const loaded = loadCheckpoint(options.checkpointPath, { model, data: loader });
      resumed = { optimizerState: loaded.optimizerState, initialStep: loaded.step };
    }
    callbacks.push(checkpointCallback(options.checkpointPath, { everySteps: Number.MAX_SAFE_INTEGER }));
  }
  const { history } = fit(model, optimizer, loader, {
    epochs: spec.epochs,
    loss: crossEntropy,
    metrics: { accuracy },
    validationData: new DataLoader(data.validation, { batchSize: 512 }),
    callbacks,
    progress: options.progress ?? false,
    ...resumed,
  });
  model.dispose();
  const pad = (values: number[] | undefined) => {
    const padded = [...(values ?? [])];
    while (padded.length < spec.epochs) padded.push(NaN);
    return padded;
  };
  const result: RunHistory = {
    loss: pad(history.loss),
    accuracy: pad(history.accuracy),
    validationLoss: pad(history.validationLoss),
    validationAccuracy: pad(history.validationAccuracy),
  };
  const finalLoss = result.loss.at(-1)!;
  return {
    spec,
    history: result,
    finalLoss,
    // A diverged network predicts no better than chance; NaN logits would make accuracy meaningless.
    finalAccuracy: Number.isFinite(finalLoss) ? result.validationAccuracy.at(-1)! : 1 / data.classes,
    seconds: (performance.now() - started) / 1000,
  };
}
