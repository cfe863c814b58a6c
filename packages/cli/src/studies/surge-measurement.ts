/**
 * One batch size of the Surge protocol (spec §3.4), run inside a worker: train with Adam from
 * scratch until the training loss reaches a target (recording steps S and examples E), then
 * from that point try every learning rate for a few extra steps on the same batches and keep
 * the one that lowers the loss most.
 */
import { DataLoader } from '@vane/datasets';
import { crossEntropy, evaluate, fit, type ParameterTree } from '@vane/nn';
import { adam, deserializeState, serializeState } from '@vane/optim';

import { loadTaskData } from '../data/task-data.js';
import { buildModel } from '../models/build-model.js';

/** One measurement task: a batch size and a seed. */
export interface SurgeTask {
  model: string;
  dataset: string;
  batchSize: number;
  seed: number;
  /** Adam's learning rate while training to the target loss. */
  warmupLearningRate: number;
  /** The training loss that ends the first phase. */
  targetLoss: number;
  /** Steps of the second phase (the paper's CNN uses 10). */
  extraSteps: number;
  /** Candidate learning rates of the second phase. */
  learningRates: number[];
  /** Adam's β1, β2 (the paper's CNN row: 0.9, 0.999). */
  betas: [number, number];
  /** Give up the first phase after this many examples. */
  maxExamples: number;
  trainLimit?: number;
}

/** What one task measures. */
export interface SurgeMeasurement {
  task: SurgeTask;
  /** Steps and examples to reach the target loss (undefined if it was not reached). */
  steps?: number;
  examples?: number;
  /** Loss decrease over the extra steps, per candidate learning rate. */
  decreases: number[];
  /** The candidate with the largest decrease. */
  bestLearningRate: number;
}

/**
 * Runs one batch size of the protocol.
 *
 * @example
 * const measurement = measureSurge({ model: 'mlp', dataset: 'digits', batchSize: 16, seed: 0, ... });
 */
export function measureSurge(task: SurgeTask, reportProgress: (text: string) => void = () => {}): SurgeMeasurement {
  const data = loadTaskData(task.dataset, task.model === 'mlp', { trainLimit: task.trainLimit });
  const model = buildModel(task.model, data, task.seed);
  // Every loss of the protocol is measured on the same examples: the whole training split.
  const evaluation = new DataLoader(data.train, { batchSize: 512, shuffle: false });
  const lossNow = () => evaluate(model, evaluation, { loss: crossEntropy }).loss!;
  const [beta1, beta2] = task.betas;
  // Check about every 128 examples: often enough to resolve S for small batches, cheap for large ones.
  const checkEvery = Math.max(1, Math.round(128 / task.batchSize));
  let reachedAt: number | undefined;
  const warmup = fit(model, adam({ lr: task.warmupLearningRate, betas: [beta1, beta2] }), new DataLoader(data.train, { batchSize: task.batchSize, shuffle: true, seed: task.seed }), {
    epochs: 1_000_000,
    loss: crossEntropy,
    progress: false,
    callbacks: [
      {
        onBatchEnd: (context) => {
          const step = context.step;
          if (step * task.batchSize >= task.maxExamples) context.stopTraining = true;
          else if (step % checkEvery === 0 && lossNow() <= task.targetLoss) {
            reachedAt = step;
            context.stopTraining = true;
          }
          if (step % (checkEvery * 10) === 0) reportProgress(`B=${task.batchSize} seed=${task.seed}: step ${step}, to loss ${task.targetLoss}`);
        },
      },
    ],
  });
  model.train();
  const savedParameters = serializeState(model.parameters());
  const savedOptimizer = serializeState(warmup.optimizerState);
  const start = lossNow();
  const decreases = task.learningRates.map((lr, index) => {
    model.loadParameters(deserializeState<ParameterTree>(savedParameters));
    // Same batches for every candidate (same loader seed), so the comparison is paired.
    fit(model, adam({ lr, betas: [beta1, beta2] }), new DataLoader(data.train, { batchSize: task.batchSize, shuffle: true, seed: task.seed + 7919 }), {
      epochs: 1_000_000,
      loss: crossEntropy,
      progress: false,
      optimizerState: deserializeState(savedOptimizer),
      callbacks: [{ onBatchEnd: (context) => { if (context.step >= task.extraSteps) context.stopTraining = true; } }],
    });
    model.train();
    reportProgress(`B=${task.batchSize} seed=${task.seed}: candidate ${index + 1}/${task.learningRates.length}`);
    return start - lossNow();
  });
  model.dispose();
  const best = decreases.indexOf(Math.max(...decreases.map((value) => (Number.isFinite(value) ? value : -Infinity))));
  return {
    task,
    ...(reachedAt === undefined ? {} : { steps: reachedAt, examples: reachedAt * task.batchSize }),
    decreases,
    bestLearningRate: task.learningRates[Math.max(0, best)]!,
  };
}
