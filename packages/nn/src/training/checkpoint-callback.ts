/**
 * A `fit` callback that saves checkpoints while training.
 *
 * Source: `packages/nn/src/training/checkpoint-callback.ts`.
 */
import { checkOptionKeys, describeValue, type RandomGenerator } from '@vane/tensor';
import { saveCheckpoint, type ResumableData } from '../io/checkpoint.js';
import type { Callback } from './callbacks.js';

/** Options of {@link checkpointCallback}. */
export interface CheckpointCallbackOptions {
  /** Save every this many optimizer steps; default: at the end of every epoch only. */
  everySteps?: number;
  /** The generator to save (default the global one). */
  generator?: RandomGenerator;
}

/**
 * Saves a checkpoint (parameters, buffers, optimizer state, generator state, data position,
 * step) to `path` every `everySteps` steps and at the end of each epoch. Each save replaces
 * the previous one atomically.
 *
 * @example
 * fit(model, adam(), loader, { epochs: 10, loss: crossEntropy, callbacks: [checkpointCallback('run/last.safetensors', { everySteps: 100 })] });
 */
export function checkpointCallback(path: string, options: CheckpointCallbackOptions = {}): Callback {
  checkOptionKeys('checkpointCallback', options, ['everySteps', 'generator']);
  if (typeof path !== 'string' || path === '')
    throw new TypeError(`checkpointCallback: 'path' must be a non-empty string, got ${describeValue(path)}`);
  const { everySteps } = options;
  if (everySteps !== undefined && (typeof everySteps !== 'number' || !Number.isInteger(everySteps) || everySteps < 1)) {
    throw new Error(`checkpointCallback: 'everySteps' must be a positive integer, got ${describeValue(everySteps)}`);
  }
  const save = (context: Parameters<NonNullable<Callback['onEpochEnd']>>[0]): void => {
    const data =
      typeof (context.data as ResumableData).state === 'function' ? (context.data as ResumableData) : undefined;
    saveCheckpoint(path, {
      model: context.model,
      optimizerState: context.optimizerState,
      data,
      step: context.step,
      generator: options.generator,
    });
  };
  return {
    onBatchEnd(context) {
      if (options.everySteps !== undefined && context.step % options.everySteps === 0) save(context);
    },
    onEpochEnd(context) {
      save(context);
    },
  };
}
