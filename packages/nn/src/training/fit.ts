/**
 * `fit` and `evaluate`: the training loop of `@vane/nn`, Keras-style on top of the
 * functional pieces (`Module.apply`, `valueAndGrad`, a `GradientTransformation`).
 *
 * Source: `packages/nn/src/training/fit.ts`.
 */
import { valueAndGrad } from '@vane/autodiff';
import { applyUpdates, disposeReplaced, type AnyTransformation, type TensorTree } from '@vane/optim';
import { DataLoader } from '@vane/datasets';
import { checkOptionKeys, describeValue, dispose, tidy, type Tensor } from '@vane/tensor';
import { Module, type ParameterTree } from '../module.js';
import { checkTensorArgument } from '../validation.js';
import type { Callback, History, TrainingContext } from './callbacks.js';
import type { Metric } from './metrics.js';
import { ProgressBar, type ProgressStream } from './progress-bar.js';

/** A batch: model input and target. */
export interface Batch {
  inputs: Tensor;
  targets: Tensor;
}

/** A loss: a scalar tensor from the model output and the target. */
export type LossFunction = (output: Tensor, target: Tensor) => Tensor;

/** Options of {@link fit}. */
export interface FitOptions {
  /** Train until this many epochs have been completed in total (counting resumed ones). */
  epochs: number;
  /** The objective, for example `crossEntropy` or `mseLoss`. */
  loss: LossFunction;
  /** Extra values to report per epoch, for example `{ accuracy }`. */
  metrics?: Record<string, Metric>;
  callbacks?: Callback[];
  /** Batches evaluated after each epoch; their results are logged as `validationLoss`, `validation<Metric>`. */
  validationData?: Iterable<Batch>;
  /** Optimizer state to continue from (from a checkpoint); default `optimizer.init(params)`. */
  optimizerState?: unknown;
  /** First epoch to run; default the data's own epoch (`data.state().epoch`) or 0. */
  initialEpoch?: number;
  /** Steps already taken (from a checkpoint); default 0. */
  initialStep?: number;
  /** Where progress goes: a stream (default `process.stdout` in Node, none in a browser), or `false` for none. */
  progress?: ProgressStream | false;
}

// Looked up through globalThis: a browser has no `process`, and gets no progress rather than a
// ReferenceError.
function defaultProgressStream(): ProgressStream | undefined {
  return (globalThis as { process?: { stdout?: ProgressStream } }).process?.stdout;
}

/** What {@link fit} returns. */
export interface FitResult {
  history: History;
  /** The optimizer state after the last step (save it to resume). */
  optimizerState: unknown;
  /** Steps taken in total. */
  step: number;
}

/** Data with a resumable position, such as `DataLoader`. */
interface Resumable {
  state(): { epoch: number; position: number };
  readonly length?: number;
}

const FIT_KEYS = [
  'epochs',
  'loss',
  'metrics',
  'callbacks',
  'validationData',
  'optimizerState',
  'initialEpoch',
  'initialStep',
  'progress',
];

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    value !== null && typeof value === 'object' && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
  );
}

/** Everything `fit` checks before it trains, so a mistake fails before the first step instead of inside it. */
function checkFitArguments(model: unknown, optimizer: unknown, data: unknown, options: unknown): void {
  if (!(model instanceof Module)) throw new TypeError(`fit: 'model' must be a Module, got ${describeValue(model)}`);
  const candidate = optimizer as Partial<AnyTransformation> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.init !== 'function' ||
    typeof candidate.update !== 'function'
  ) {
    throw new TypeError(
      `fit: 'optimizer' must be a gradient transformation (an object with init and update, such as adam()), got ${describeValue(optimizer)}`,
    );
  }
  if (!isIterable(data))
    throw new TypeError(
      `fit: 'data' must be an iterable of { inputs, targets } batches (a DataLoader or an array), got ${describeValue(data)}`,
    );
  if (options === undefined)
    throw new TypeError(`fit: options must be an object with at least 'epochs' and 'loss', got undefined`);
  checkOptionKeys('fit', options, FIT_KEYS);
  const { callbacks, metrics, validationData } = options as FitOptions;
  if (callbacks !== undefined && !Array.isArray(callbacks))
    throw new TypeError(`fit: 'callbacks' must be an array, got ${describeValue(callbacks)}`);
  if (
    metrics !== undefined &&
    (metrics === null ||
      typeof metrics !== 'object' ||
      Object.values(metrics).some((metric) => typeof metric !== 'function'))
  ) {
    throw new TypeError(`fit: 'metrics' must be an object of functions, got ${describeValue(metrics)}`);
  }
  if (validationData !== undefined && !isIterable(validationData))
    throw new TypeError(`fit: 'validationData' must be an iterable of batches, got ${describeValue(validationData)}`);
}

/** A batch's two tensors, checked: a batch of arrays would otherwise fail deep inside the model. */
function checkBatch(caller: string, batch: unknown, index: number): asserts batch is Batch {
  if (batch === null || typeof batch !== 'object')
    throw new TypeError(`${caller}: batch ${index} must be an object { inputs, targets }, got ${describeValue(batch)}`);
  checkTensorArgument(caller, `batch ${index} inputs`, (batch as Batch).inputs);
  checkTensorArgument(caller, `batch ${index} targets`, (batch as Batch).targets);
}

function isResumable(data: unknown): data is Resumable {
  return typeof (data as Resumable).state === 'function';
}

/**
 * Trains `model` on `data` with `optimizer` for `epochs` epochs and returns the per-epoch
 * history and the final optimizer state. The model's parameters are updated in place
 * (through `loadParameters`) after every step.
 *
 * Each step computes `ℓ = loss(model.apply(θ, x), y)` and `g = ∇_θ ℓ` with `valueAndGrad`,
 * then `(u, s) ← optimizer.update(g, s, θ)` and `θ ← θ + u`. The current loss is passed to
 * the optimizer as `extras.loss` (for plateau-driven transforms).
 *
 * `data` is iterated once per epoch; with a `DataLoader`, an interrupted epoch continues
 * where it stopped (its `state()` is saved in checkpoints), which is what makes resumed runs
 * identical to uninterrupted ones. Progress goes to `process.stdout` (in Node; a browser gets
 * none unless `progress` is given): a redrawn bar on a
 * terminal, one line per epoch otherwise. Batches from a `DataLoader` are disposed after use
 * (it makes new ones every epoch); batches from other iterables belong to the caller.
 *
 * @example
 * const loader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 0 });
 * const { history } = fit(model, adam({ lr: 1e-3 }), loader, { epochs: 10, loss: crossEntropy, metrics: { accuracy } });
 */
export function fit(
  model: Module,
  optimizer: AnyTransformation,
  data: Iterable<Batch>,
  options: FitOptions,
): FitResult {
  checkFitArguments(model, optimizer, data, options);
  if (!Number.isInteger(options.epochs) || options.epochs < 0)
    throw new Error(`fit: 'epochs' must be a non-negative integer, got ${options.epochs}`);
  if (typeof options.loss !== 'function')
    throw new Error(`fit: 'loss' must be a function (output, target) => scalar tensor, got ${typeof options.loss}`);
  const callbacks = options.callbacks ?? [];
  const metrics = options.metrics ?? {};
  const stream = options.progress === false ? undefined : (options.progress ?? defaultProgressStream());
  const history: History = {};
  const context: TrainingContext = {
    model,
    optimizer,
    optimizerState: options.optimizerState ?? optimizer.init(model.parameters() as TensorTree),
    data,
    epoch: options.initialEpoch ?? (isResumable(data) ? data.state().epoch : 0),
    step: options.initialStep ?? 0,
    epochs: options.epochs,
    stopTraining: false,
    history,
  };
  const trainStep = valueAndGrad(
    (params: ParameterTree, inputs: Tensor, targets: Tensor) => {
      const output = model.apply(params, inputs);
      return [options.loss(output, targets), output] as const;
    },
    { hasAux: true },
  );

  model.train();
  for (const callback of callbacks) callback.onTrainBegin?.(context);
  for (; context.epoch < options.epochs && !context.stopTraining; context.epoch += 1) {
    for (const callback of callbacks) callback.onEpochBegin?.(context);
    const total = isResumable(data) && data.length !== undefined ? data.length : undefined;
    const bar = stream ? new ProgressBar(stream, `epoch ${context.epoch + 1}/${options.epochs}`, total) : undefined;
    const sums: Record<string, number> = { loss: 0 };
    let examples = 0;
    let batchIndex = isResumable(data) ? data.state().position : 0;
    for (const batch of data) {
      checkBatch('fit', batch, batchIndex);
      const batchSize = batch.inputs.shape[0] ?? 1;
      const { lossValue, metricValues } = tidy(() => {
        const params = model.parameters();
        const [loss, grads, output] = trainStep(params, batch.inputs, batch.targets);
        const lossValue = loss.item();
        const metricValues = Object.entries(metrics).map(
          ([name, metric]) => [name, metric(output, batch.targets)] as const,
        );
        const previousState = context.optimizerState;
        const [updates, nextState] = context.optimizer.update(
          grads as TensorTree,
          previousState,
          params as TensorTree,
          { loss: lossValue },
        );
        const nextParams = applyUpdates(params as TensorTree, updates) as ParameterTree;
        model.loadParameters(nextParams);
        // Old state tensors not carried into the new state are freed; the new state is kept by returning it.
        disposeReplaced(previousState, nextState);
        context.optimizerState = nextState;
        return { lossValue, metricValues, nextState };
      });
      // A DataLoader makes new tensors for every batch, so they belong to this loop.
      if (data instanceof DataLoader) dispose([batch.inputs, batch.targets]);
      context.step += 1;
      batchIndex += 1;
      sums.loss! += lossValue * batchSize;
      for (const [name, value] of metricValues) sums[name] = (sums[name] ?? 0) + value * batchSize;
      examples += batchSize;
      bar?.update(batchIndex, { loss: sums.loss! / examples });
      for (const callback of callbacks) callback.onBatchEnd?.(context, { loss: lossValue, batch: batchIndex - 1 });
      if (context.stopTraining) break;
    }
    const logs: Record<string, number> = {};
    for (const [name, total] of Object.entries(sums)) logs[name] = examples > 0 ? total / examples : Number.NaN;
    if (options.validationData) {
      const validation = evaluate(model, options.validationData, { loss: options.loss, metrics });
      for (const [name, value] of Object.entries(validation))
        logs[`validation${name[0]!.toUpperCase()}${name.slice(1)}`] = value;
      model.train();
    }
    for (const callback of callbacks) callback.onEpochEnd?.(context, logs);
    for (const [name, value] of Object.entries(logs)) (history[name] ??= []).push(value);
    bar?.finish(logs);
  }
  for (const callback of callbacks) callback.onTrainEnd?.(context);
  return { history, optimizerState: context.optimizerState, step: context.step };
}

/**
 * The mean loss and metrics of `model` over `data` in evaluation mode (Dropout off,
 * BatchNorm on running statistics), weighted by batch size. Leaves the model in eval mode.
 *
 * @example
 * evaluate(model, testLoader, { loss: crossEntropy, metrics: { accuracy } }); // { loss: 0.12, accuracy: 0.97 }
 */
export function evaluate(
  model: Module,
  data: Iterable<Batch>,
  options: { loss?: LossFunction; metrics?: Record<string, Metric> } = {},
): Record<string, number> {
  checkOptionKeys('evaluate', options, ['loss', 'metrics']);
  if (!(model instanceof Module))
    throw new TypeError(`evaluate: 'model' must be a Module, got ${describeValue(model)}`);
  if (!isIterable(data))
    throw new TypeError(
      `evaluate: 'data' must be an iterable of { inputs, targets } batches, got ${describeValue(data)}`,
    );
  model.eval();
  const sums: Record<string, number> = {};
  let examples = 0;
  let index = 0;
  for (const batch of data) {
    checkBatch('evaluate', batch, index++);
    const batchSize = batch.inputs.shape[0] ?? 1;
    tidy(() => {
      const output = model.forward(batch.inputs);
      if (options.loss) sums.loss = (sums.loss ?? 0) + options.loss(output, batch.targets).item() * batchSize;
      for (const [name, metric] of Object.entries(options.metrics ?? {}))
        sums[name] = (sums[name] ?? 0) + metric(output, batch.targets) * batchSize;
    });
    examples += batchSize;
    if (data instanceof DataLoader) dispose([batch.inputs, batch.targets]);
  }
  return Object.fromEntries(Object.entries(sums).map(([name, total]) => [name, total / examples]));
}
