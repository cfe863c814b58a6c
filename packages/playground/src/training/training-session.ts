/**
 * One training run that can be paused, resumed and abandoned: the loop of `@vane/nn`'s `fit`
 * (valueAndGrad, optimizer update, applyUpdates), written as an async loop that waits for a
 * macrotask between batches, so the worker running it still handles Stop and Resume.
 * Pausing keeps the model, the optimizer state and the position in the epoch.
 */
import { valueAndGrad } from '@vane/autodiff';
import { buildModel } from '@vane/cli/models';
import { buildOptimizer, parseOptimizerExpression } from '@vane/cli/optimizer-expression';
import { DataLoader } from '@vane/datasets';
import { accuracy, crossEntropy, evaluate, type Module, type ParameterTree } from '@vane/nn';
import { applyUpdates, disposeReplaced, type AnyTransformation, type TensorTree } from '@vane/optim';
import { dispose, tidy, type Tensor } from '@vane/tensor';
import { gainHistogram, isActiveState, type GainHistogram } from './gain-histogram.js';
import type { RunConfiguration } from './run-configuration.js';
import type { TaskData } from './task-data.js';

/** One epoch's results, as the page plots them. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Optimizer steps so far. */
  step: number;
  /** Mean training loss and accuracy over the epoch's batches. */
  loss: number;
  accuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  /** Seconds of training so far (pauses excluded). */
  seconds: number;
  /** ActiveLR's gains, when the optimizer is `active(…)`. */
  gains?: GainHistogram;
}

/** Called as the run advances. */
export interface TrainingListener {
  /** After every step with that batch's loss. */
  onStep?(step: number, loss: number): void;
  /** After every epoch. */
  onEpoch?(record: EpochRecord): void;
}

/** Bins of the gain histogram. */
const GAIN_BINS = 24;

/**
 * Resolves after the event loop has run once (a macrotask, not a microtask), so messages
 * queued for the worker (Stop, a new run) are handled between two batches. A MessageChannel
 * avoids the 4 ms clamp of nested setTimeout calls; Node's setImmediate does the same there.
 */
export function nextMacrotask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

/**
 * A run of the playground. Build it with the data, call `run()` once, and `pause()`,
 * `resume()` or `abandon()` while it runs.
 *
 * @example
 * const session = new TrainingSession(DEFAULT_RUN_CONFIGURATION, digitsTaskData(true, 1));
 * const records = await session.run({ onEpoch: (record) => console.log(record.validationAccuracy) });
 */
export class TrainingSession {
  readonly configuration: RunConfiguration;
  /** Steps per epoch: the batches of the training split. */
  readonly stepsPerEpoch: number;
  private readonly data: TaskData;
  private readonly model: Module;
  private readonly optimizer: AnyTransformation;
  private readonly loader: DataLoader;
  private optimizerState: unknown;
  private paused = false;
  private abandoned = false;
  private wake: (() => void) | undefined;
  private started = false;

  constructor(configuration: RunConfiguration, data: TaskData) {
    this.configuration = configuration;
    this.data = data;
    // The same split seed, initial weights and batch order as `vane train --seed`.
    this.model = buildModel(configuration.model, data, configuration.seed);
    this.loader = new DataLoader(data.train, {
      batchSize: configuration.batchSize,
      shuffle: true,
      seed: configuration.seed + 1000,
    });
    this.stepsPerEpoch = this.loader.length;
    try {
      this.optimizer = buildOptimizer(parseOptimizerExpression(configuration.optimizer), {
        lr: configuration.lr,
        stepsPerEpoch: this.loader.length,
      });
      this.optimizerState = this.optimizer.init(this.model.parameters() as TensorTree);
    } catch (error) {
      this.model.dispose();
      throw error;
    }
  }

  /** True while paused (between two batches). */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops before the next batch; the model, optimizer state and epoch position are kept. */
  pause(): void {
    this.paused = true;
  }

  /** Continues a paused run where it stopped. */
  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** Ends the run before the next batch (paused or not) and frees its tensors. */
  abandon(): void {
    this.abandoned = true;
    this.wake?.();
  }

  /**
   * Trains for the configured epochs and returns one record per epoch completed (fewer when
   * abandoned). The model and optimizer state are freed when it returns.
   */
  async run(listener: TrainingListener = {}): Promise<EpochRecord[]> {
    if (this.started) throw new Error('TrainingSession.run: a session runs once; make a new one for another run');
    this.started = true;
    const { model, optimizer, loader } = this;
    const trainStep = valueAndGrad(
      (params: ParameterTree, inputs: Tensor, targets: Tensor) => {
        const output = model.apply(params, inputs);
        return [crossEntropy(output, targets), output] as const;
      },
      { hasAux: true },
    );
    const records: EpochRecord[] = [];
    let step = 0;
    let trainingMilliseconds = 0;
    try {
      for (let epoch = 0; epoch < this.configuration.epochs && !this.abandoned; epoch++) {
        model.train();
        let lossSum = 0;
        let accuracySum = 0;
        let examples = 0;
        for (const batch of loader) {
          const started = performance.now();
          const batchSize = batch.inputs.shape[0]!;
          const { lossValue, accuracyValue } = tidy(() => {
            const params = model.parameters();
            const [loss, grads, output] = trainStep(params, batch.inputs, batch.targets);
            const lossValue = loss.item();
            const accuracyValue = accuracy(output, batch.targets);
            const previousState = this.optimizerState;
            const [updates, nextState] = optimizer.update(grads as TensorTree, previousState, params as TensorTree, {
              loss: lossValue,
            });
            model.loadParameters(applyUpdates(params as TensorTree, updates) as ParameterTree);
            disposeReplaced(previousState, nextState);
            this.optimizerState = nextState;
            return { lossValue, accuracyValue, nextState };
          });
          dispose([batch.inputs, batch.targets]);
          trainingMilliseconds += performance.now() - started;
          step += 1;
          lossSum += lossValue * batchSize;
          accuracySum += accuracyValue * batchSize;
          examples += batchSize;
          listener.onStep?.(step, lossValue);
          await nextMacrotask();
          while (this.paused && !this.abandoned) await new Promise<void>((resolve) => (this.wake = resolve));
          if (this.abandoned) break;
        }
        if (this.abandoned) break;
        const started = performance.now();
        const validation = evaluate(model, new DataLoader(this.data.validation, { batchSize: 512 }), {
          loss: crossEntropy,
          metrics: { accuracy },
        });
        const record: EpochRecord = {
          epoch: epoch + 1,
          step,
          loss: lossSum / examples,
          accuracy: accuracySum / examples,
          validationLoss: validation.loss!,
          validationAccuracy: validation.accuracy!,
          seconds: 0,
          ...(isActiveState(this.optimizerState) ? { gains: gainHistogram(this.optimizerState, GAIN_BINS) } : {}),
        };
        trainingMilliseconds += performance.now() - started;
        record.seconds = trainingMilliseconds / 1000;
        records.push(record);
        listener.onEpoch?.(record);
        // A diverged run cannot recover (as in `vane train`): its last record says so.
        if (!Number.isFinite(record.loss)) break;
        await nextMacrotask();
      }
    } finally {
      model.dispose();
      dispose(this.optimizerState);
    }
    return records;
  }
}
