/**
 * Callbacks for `fit`: hooks called at the start and end of training, epochs and batches,
 * and the built-in ones (early stopping, learning-rate and `active`-gain logging).
 *
 * Source: `packages/nn/src/training/callbacks.ts`.
 */
import * as optim from '@vane/optim';
import { cast, checkOptionKeys, describeValue, tree, type Tensor } from '@vane/tensor';
import type { AnyTransformation } from '@vane/optim';
import type { Module, ParameterTree } from '../module.js';

/** What callbacks see and may change while `fit` runs. */
export interface TrainingContext {
  readonly model: Module;
  readonly optimizer: AnyTransformation;
  /** The optimizer state after the latest step. */
  optimizerState: unknown;
  /** The training data (a DataLoader or any iterable of batches). */
  readonly data: unknown;
  /** The current epoch (0-based). */
  epoch: number;
  /** Optimizer steps taken so far, over all epochs (and earlier runs when resumed). */
  step: number;
  /** Total epochs requested. */
  readonly epochs: number;
  /** Set to true to end training after the current batch. */
  stopTraining: boolean;
  /** Per-epoch logs so far. */
  readonly history: History;
}

/** Per-epoch values by name (`loss`, `accuracy`, `validationLoss`, `learningRate`, …). */
export type History = Record<string, number[]>;

/** Hooks that `fit` calls; every one is optional. Logs may be extended in place. */
export interface Callback {
  onTrainBegin?(context: TrainingContext): void;
  onEpochBegin?(context: TrainingContext): void;
  /** After each optimizer step, with `loss` of that batch. */
  onBatchEnd?(context: TrainingContext, logs: { loss: number; batch: number }): void;
  /** After each epoch, with its mean training values and validation values; add entries to log more. */
  onEpochEnd?(context: TrainingContext, logs: Record<string, number>): void;
  onTrainEnd?(context: TrainingContext): void;
}

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** The log to watch (default `validationLoss`, or `loss` when there is no validation data). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Whether smaller (`'min'`, default) or larger values are better. */
  mode?: 'min' | 'max';
  /** On stopping, put back the parameters of the best epoch (default false). */
  restoreBestParameters?: boolean;
}

/**
 * Stops training when `monitor` has not improved by more than `minDelta` for `patience`
 * epochs.
 *
 * @example
 * fit(model, adam(), loader, { epochs: 100, loss: crossEntropy, validationData, callbacks: [earlyStopping({ patience: 3 })] });
 */
export function earlyStopping(
  options: EarlyStoppingOptions = {},
): Callback & { stoppedEpoch: number | undefined; bestValue: number } {
  checkOptionKeys('earlyStopping', options, ['monitor', 'patience', 'minDelta', 'mode', 'restoreBestParameters']);
  const patience = options.patience ?? 5;
  const minDelta = options.minDelta ?? 0;
  if (typeof patience !== 'number' || !Number.isInteger(patience) || patience < 0)
    throw new Error(`earlyStopping: 'patience' must be a non-negative integer, got ${describeValue(patience)}`);
  if (typeof minDelta !== 'number' || !(minDelta >= 0))
    throw new Error(`earlyStopping: 'minDelta' must be a number ≥ 0, got ${describeValue(minDelta)}`);
  const mode = options.mode ?? 'min';
  if (mode !== 'min' && mode !== 'max')
    throw new Error(`earlyStopping: 'mode' must be 'min' or 'max', got ${describeValue(mode)}`);
  const sign = mode === 'min' ? 1 : -1;
  let wait = 0;
  let best: ParameterTree | undefined;
  const callback = {
    stoppedEpoch: undefined as number | undefined,
    bestValue: Number.POSITIVE_INFINITY * sign,
    onTrainBegin() {
      wait = 0;
      callback.stoppedEpoch = undefined;
      callback.bestValue = Number.POSITIVE_INFINITY * sign;
    },
    onEpochEnd(context: TrainingContext, logs: Record<string, number>) {
      const monitor = options.monitor ?? ('validationLoss' in logs ? 'validationLoss' : 'loss');
      const value = logs[monitor];
      if (value === undefined)
        throw new Error(
          `earlyStopping: 'monitor' '${monitor}' is not among the logs (${Object.keys(logs).join(', ')})`,
        );
      if (sign * (callback.bestValue - value) > minDelta) {
        callback.bestValue = value;
        wait = 0;
        if (options.restoreBestParameters) {
          if (best) tree.leaves(best as never).forEach((leaf) => (leaf as Tensor).dispose());
          best = tree.map(
            (leaf: Tensor) => cast(leaf, leaf.dtype, true),
            context.model.parameters() as never,
          ) as ParameterTree;
        }
        return;
      }
      wait += 1;
      if (wait >= patience) {
        context.stopTraining = true;
        callback.stoppedEpoch = context.epoch;
        if (best) context.model.loadParameters(best);
        best = undefined;
      }
    },
  };
  return callback;
}

/** A learning-rate schedule: the rate for the optimizer's step `count` (from 0). */
export type LearningRateSource = number | ((count: number) => number);

/**
 * Logs the learning rate as `learningRate` at the end of each epoch. The rate comes from
 * `schedule` (evaluated at the number of steps taken) when given, otherwise from the
 * optimizer state when it carries `hyperparams.lr` (an `injectHyperparams` optimizer).
 * When neither is available nothing is logged.
 *
 * @example
 * const schedule = cosineDecaySchedule({ init: 1e-3, decaySteps: 1000 });
 * callbacks: [learningRateLogger({ schedule })]
 */
export function learningRateLogger(options: { schedule?: LearningRateSource } = {}): Callback {
  checkOptionKeys('learningRateLogger', options, ['schedule']);
  return {
    onEpochEnd(context, logs) {
      const { schedule } = options;
      const rate =
        typeof schedule === 'number'
          ? schedule
          : schedule
            ? schedule(context.step)
            : findHyperparameter(context.optimizerState, ['lr', 'learningRate']);
      if (rate !== undefined) logs.learningRate = rate;
    },
  };
}

function findHyperparameter(state: unknown, names: readonly string[], depth = 0): number | undefined {
  if (state === null || typeof state !== 'object' || depth > 8 || (state as { isTensor?: boolean }).isTensor)
    return undefined;
  const hyperparams = (state as { hyperparams?: Record<string, unknown> }).hyperparams;
  if (hyperparams)
    for (const name of names) if (typeof hyperparams[name] === 'number') return hyperparams[name] as number;
  for (const value of Object.values(state)) {
    const found = findHyperparameter(value, names, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The summary `activeSummary` returns (read loosely: only numeric fields are logged). */
type ActiveSummaryFunction = (state: unknown) => Record<string, unknown>;

/**
 * Logs the `active` optimizer's gains at the end of each epoch as `activeGainMin`,
 * `activeGainMax`, `activeGainMean`, … when the optimizer state contains an `active` state
 * and `@vane/optim` exports `activeSummary`; otherwise it logs nothing.
 *
 * @example
 * callbacks: [activeGainLogger()]
 */
export function activeGainLogger(): Callback {
  const summarize = (optim as unknown as Record<string, unknown>).activeSummary as ActiveSummaryFunction | undefined;
  return {
    onEpochEnd(context, logs) {
      if (!summarize) return;
      const state = findActiveState(context.optimizerState);
      if (!state) return;
      for (const [name, value] of Object.entries(summarize(state))) {
        if (typeof value === 'number') logs[`activeGain${name[0]!.toUpperCase()}${name.slice(1)}`] = value;
      }
    },
  };
}

/** Finds, depth first, an object shaped like `active`'s state (`gain`, `periodSum`, `base`). */
export function findActiveState(state: unknown, depth = 0): unknown {
  if (state === null || typeof state !== 'object' || depth > 8 || (state as { isTensor?: boolean }).isTensor)
    return undefined;
  if ('gain' in state && 'periodSum' in state && 'base' in state) return state;
  for (const value of Object.values(state)) {
    const found = findActiveState(value, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
