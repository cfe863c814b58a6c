/**
 * `@vane/nn/node`: the Node-only part of @vane/nn, which reads and writes files (`node:fs`):
 * safetensors files, atomic writes, training checkpoints and the checkpoint callback. The
 * main entry `@vane/nn` stays browser-safe.
 *
 * @example
 * import { saveCheckpoint, loadCheckpoint } from '@vane/nn/node';
 * saveCheckpoint('run.safetensors', { model, step: 100 });
 *
 * @module
 */
export { writeFileAtomic, removeStaleTemporaries } from './io/atomic-write.js';
export {
  saveSafetensors,
  loadSafetensors,
  readSafetensors,
  readSafetensorsMetadata,
  type LoadSafetensorsOptions,
  type SaveSafetensorsOptions,
} from './io/safetensors-files.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  parameterEntries,
  type CheckpointContents,
  type LoadCheckpointTargets,
  type LoadedCheckpoint,
  type ResumableData,
} from './io/checkpoint.js';
export { checkpointCallback, type CheckpointCallbackOptions } from './training/checkpoint-callback.js';
