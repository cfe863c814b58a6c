/**
 * One run of the Surge study (spec §3.4), run inside a worker: train with Adam at one learning
 * rate and one batch size from scratch until the training loss reaches a target, recording the
 * steps S and examples E it took; then, at the parameters that reached the target, measure the
 * simple gradient noise scale B_simple with the two-batch estimator.
 *
 * The study (surge-scaling.ts) runs this for every batch size × learning rate × seed and keeps,
 * per batch size, the learning rate with the fewest seed-mean steps: Eq. 22 needs each batch
 * size at its own optimal learning rate.
 */
import { valueAndGrad } from '@vane/autodiff';
import { DataLoader, type Dataset } from '@vane/datasets';
import { crossEntropy, evaluate, type Module, type ParameterTree } from '@vane/nn';
import {
  adam,
  applyUpdates,
  disposeReplaced,
  gradientNoiseScale,
  noiseScaleEstimate,
  type GradientNoiseScaleState,
  type NoiseScaleEstimate,
  type TensorTree,
} from '@vane/optim';
import { dispose, tidy, type Tensor } from '@vane/tensor';

import { firstExamples, loadTaskData } from '../data/task-data.js';
import { buildModel } from '../models/build-model.js';

/** One run: a batch size, a learning rate and a seed. */
export interface SurgeTask {
  model: string;
  dataset: string;
  batchSize: number;
  /** Adam's learning rate for the whole run. */
  learningRate: number;
  seed: number;
  /** The training loss (over the first `evaluationExamples` examples of the training split) that ends the run. */
  targetLoss: number;
  /** Adam's β1, β2 (the paper's CNN row: 0.9, 0.999). */
  betas: [number, number];
  /** Give up after this many training examples (the target is then "not reached"). */
  maxExamples: number;
  /** Examples of the training split the target loss is measured on (all of it if fewer). */
  evaluationExamples: number;
  /** B_small of the noise-scale measurement: examples per micro-batch gradient. */
  noiseMicroBatchSize: number;
  /** Micro-batches per measurement (B_big = this × B_small), at least 2. */
  noiseMicroBatches: number;
  /** Measurements averaged into B_simple. */
  noiseMeasurements: number;
  trainLimit?: number;
}

/** What one run measures. */
export interface SurgeMeasurement {
  task: SurgeTask;
  /**
   * Steps to reach the target loss, linearly interpolated between the two loss checks that
   * bracket the crossing (undefined if the target was not reached).
   */
  steps?: number;
  /** Examples to reach the target: `steps × batchSize`. */
  examples?: number;
  /** Whether the run stopped because the loss became non-finite or rose above 3× its initial value. */
  diverged: boolean;
  /** The training loss at the last check. */
  finalLoss: number;
  /** Loss checks made (each one evaluates `evaluationExamples` examples). */
  checks: number;
  /** B_simple, |G|² and tr(Σ) at the parameters that reached the target (only when it was reached). */
  noise?: NoiseScaleEstimate;
}

/** Relative spacing of the loss checks: a check at step s, then the next at s + max(⌈256/B⌉, 3% of s). */
const CHECK_FRACTION = 0.03;
const CHECK_EXAMPLES = 256;

/**
 * The step of the next loss check after one at `step`: every ⌈256/B⌉ steps at first (so small
 * batches are not checked after every step), then every 3% of the steps so far, so a run of S
 * steps costs about ln(S)/0.03 checks and S is resolved to within 3% before interpolation.
 *
 * @example
 * nextCheckStep(0, 32); // 8
 * nextCheckStep(1000, 32); // 1030
 */
export function nextCheckStep(step: number, batchSize: number): number {
  return step + Math.max(Math.ceil(CHECK_EXAMPLES / batchSize), Math.ceil(CHECK_FRACTION * step));
}

/**
 * The step at which a loss going from `previousLoss` (at `previousStep`) to `loss` (at `step`)
 * crossed `target`, by linear interpolation; `step` itself if the loss did not fall.
 *
 * @example
 * crossingStep({ previousStep: 10, previousLoss: 1.0, step: 20, loss: 0.5, target: 0.75 }); // 15
 */
export function crossingStep(options: {
  previousStep: number;
  previousLoss: number;
  step: number;
  loss: number;
  target: number;
}): number {
  const { previousStep, previousLoss, step, loss, target } = options;
  if (!(previousLoss > loss) || !(previousLoss > target)) return step;
  return previousStep + ((previousLoss - target) / (previousLoss - loss)) * (step - previousStep);
}

/**
 * B_simple at the model's current parameters: `task.noiseMeasurements` times, the gradients of
 * `task.noiseMicroBatches` disjoint micro-batches of `task.noiseMicroBatchSize` examples, folded
 * into the {@link gradientNoiseScale} estimator (every micro-batch of a measurement is taken at
 * the same parameters, so this is the unbiased two-batch estimate, not the sequential approximation).
 */
function measureNoiseScale(model: Module, train: Dataset, task: SurgeTask): NoiseScaleEstimate {
  const gradient = valueAndGrad((params: ParameterTree, inputs: Tensor, targets: Tensor) =>
    crossEntropy(model.apply(params, inputs), targets),
  );
  const monitor = gradientNoiseScale({ microBatchSize: task.noiseMicroBatchSize, decay: 0.9 });
  const params = model.parameters() as TensorTree;
  let state: GradientNoiseScaleState = monitor.init(params);
  const loader = new DataLoader(train, {
    batchSize: task.noiseMicroBatchSize,
    shuffle: true,
    seed: task.seed + 104_729,
    dropLast: true,
  });
  let pending: TensorTree[] = [];
  let measurements = 0;
  while (measurements < task.noiseMeasurements) {
    let yielded = 0;
    for (const batch of loader) {
      yielded++;
      pending.push(tidy(() => gradient(params as ParameterTree, batch.inputs, batch.targets)[1] as TensorTree));
      dispose([batch.inputs, batch.targets]);
      if (pending.length === task.noiseMicroBatches) {
        const microBatches = pending;
        const previous = state;
        state = tidy(
          () => monitor.update(microBatches[0]!, previous, params, { microBatchGradients: microBatches })[1],
        );
        disposeReplaced(previous, state);
        dispose(microBatches as never);
        pending = [];
        if (++measurements === task.noiseMeasurements) break;
      }
    }
    if (yielded < task.noiseMicroBatches)
      throw new RangeError(
        `surge: the training split has fewer than ${task.noiseMicroBatches} micro-batches of ${task.noiseMicroBatchSize} examples for the noise-scale measurement`,
      );
  }
  dispose(pending as never);
  const estimate = noiseScaleEstimate(state);
  dispose(state as never);
  return estimate;
}

/**
 * Runs one batch size × learning rate × seed of the study.
 *
 * @example
 * const measurement = measureSurge({ model: 'mlp', dataset: 'digits', batchSize: 16, learningRate: 1e-3, seed: 0, ... });
 */
export function measureSurge(task: SurgeTask, reportProgress: (text: string) => void = () => {}): SurgeMeasurement {
  const data = loadTaskData(task.dataset, task.model === 'mlp', { trainLimit: task.trainLimit });
  const model = buildModel(task.model, data, task.seed);
  // Every check measures the loss on the same fixed examples.
  const evaluation = new DataLoader(firstExamples(data.train, task.evaluationExamples), {
    batchSize: 512,
    shuffle: false,
  });
  let checks = 0;
  const lossNow = () => {
    checks++;
    const loss = evaluate(model, evaluation, { loss: crossEntropy }).loss!;
    model.train();
    return loss;
  };
  const optimizer = adam({ lr: task.learningRate, betas: task.betas });
  const trainStep = valueAndGrad((params: ParameterTree, inputs: Tensor, targets: Tensor) =>
    crossEntropy(model.apply(params, inputs), targets),
  );
  let optimizerState = optimizer.init(model.parameters() as TensorTree);
  const loader = new DataLoader(data.train, { batchSize: task.batchSize, shuffle: true, seed: task.seed });
  const label = `B=${task.batchSize} lr=${task.learningRate} seed=${task.seed}`;
  const initialLoss = lossNow();
  let previous = { step: 0, loss: initialLoss };
  let nextCheck = nextCheckStep(0, task.batchSize);
  let step = 0;
  let steps: number | undefined;
  let diverged = false;
  model.train();
  training: while (true) {
    for (const batch of loader) {
      const state = optimizerState;
      optimizerState = tidy(() => {
        const params = model.parameters();
        const [, grads] = trainStep(params, batch.inputs, batch.targets);
        const [updates, next] = optimizer.update(grads as TensorTree, state, params as TensorTree);
        model.loadParameters(applyUpdates(params as TensorTree, updates) as ParameterTree);
        disposeReplaced(state, next);
        return next;
      });
      dispose([batch.inputs, batch.targets]);
      step++;
      const outOfExamples = step * task.batchSize >= task.maxExamples;
      if (step < nextCheck && !outOfExamples) continue;
      const loss = lossNow();
      if (loss <= task.targetLoss) {
        steps = crossingStep({
          previousStep: previous.step,
          previousLoss: previous.loss,
          step,
          loss,
          target: task.targetLoss,
        });
      } else if (!Number.isFinite(loss) || loss > 3 * initialLoss) {
        diverged = true;
      }
      previous = { step, loss };
      if (steps !== undefined || diverged || outOfExamples) break training;
      nextCheck = nextCheckStep(step, task.batchSize);
      if (checks % 10 === 0)
        reportProgress(`${label}: step ${step}, loss ${loss.toFixed(3)} (target ${task.targetLoss})`);
    }
  }
  const noise = steps === undefined ? undefined : measureNoiseScale(model, data.train, task);
  dispose(optimizerState as never);
  model.dispose();
  return {
    task,
    ...(steps === undefined ? {} : { steps, examples: steps * task.batchSize }),
    diverged,
    finalLoss: previous.loss,
    checks,
    ...(noise === undefined ? {} : { noise }),
  };
}
