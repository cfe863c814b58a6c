/**
 * Training checkpoints: model parameters and buffers, optimizer state, random-generator
 * state and data position in one safetensors file, streamed to disk and written atomically.
 *
 * Layout (format version 2; docs/training.md states it in full):
 * - parameters are tensors `parameters.<path>`, buffers `buffers.<path>`;
 * - every tensor of the optimizer state is a tensor named by its path in the state,
 *   `optimizer.<path>` (for example `optimizer.adam.firstMoment.layers.0.weight`); tensors
 *   inside the data position or `extra` likewise become `data.<path>` and `extra.<path>`;
 * - the header metadata `vane.checkpoint` is small JSON: the version, the step, and for the
 *   optimizer state, generator state, data position and `extra` a skeleton of their
 *   non-tensor values that refers to the stored tensors by name (see `state-tree.ts`).
 * The file is therefore readable by any safetensors reader, and the weights by PyTorch.
 * Version 1 files (optimizer state as base64 inside the header) still load.
 *
 * Source: `packages/nn/src/io/checkpoint.ts`.
 */
import { deserializeState } from '@vane/optim';
import { checkOptionKeys, defaultGenerator, type RandomGenerator, type Tensor } from '@vane/tensor';
import { flattenNamed, unflattenNamed, type Module, type ParameterTree } from '../module.js';
import type { SafetensorsIoOptions } from './safetensors.js';
import { readSafetensors, writeSafetensorsFile } from './safetensors-files.js';
import { joinTensors, splitTensors, type Skeleton } from './state-tree.js';

const METADATA_KEY = 'vane.checkpoint';
const FORMAT_VERSION = 2;
/** The version that kept the optimizer state as base64 JSON in the header (read, never written). */
const BASE64_STATE_VERSION = 1;

/** Data whose position can be saved and restored, such as `DataLoader`. */
export interface ResumableData {
  state(): unknown;
  setState(state: never): void;
}

/** What {@link saveCheckpoint} stores. */
export interface CheckpointContents {
  model: Module<any[], unknown>;
  /** The optimizer state to resume from. */
  optimizerState?: unknown;
  /** The generator whose state is saved (default: the global generator used by Dropout). */
  generator?: RandomGenerator;
  /** The data source whose position is saved (for example the training `DataLoader`). */
  data?: ResumableData;
  /** Optimizer steps taken so far (a non-negative integer). */
  step?: number;
  /**
   * Any value to keep with the checkpoint (history, configuration, …), made of numbers
   * (NaN and ±Infinity included), booleans, strings, null, undefined, arrays, plain objects
   * and tensors; it is restored exactly.
   */
  extra?: unknown;
}

const CONTENTS_KEYS = ['model', 'optimizerState', 'generator', 'data', 'step', 'extra'] as const;
const TARGET_KEYS = ['model', 'generator', 'data'] as const;
const IO_KEYS = ['chunkBytes', 'maxHeaderBytes'] as const;

interface StoredMetadata {
  version: number;
  step: number;
  optimizerState: Skeleton;
  generatorState: Skeleton;
  dataState: Skeleton;
  extra: Skeleton;
}

function checkStep(where: string, step: unknown): number {
  if (!Number.isSafeInteger(step) || (step as number) < 0)
    throw new Error(`${where}: step must be a non-negative integer, got ${JSON.stringify(step) ?? String(step)}`);
  return step as number;
}

function checkModel(owner: string, model: unknown): Module<any[], unknown> {
  if (
    model === null ||
    typeof model !== 'object' ||
    typeof (model as { namedParameters?: unknown }).namedParameters !== 'function'
  ) {
    throw new Error(`${owner}: 'model' must be a Module, got ${model === null ? 'null' : typeof model}`);
  }
  return model as Module<any[], unknown>;
}

/**
 * Saves a training checkpoint to `path`, streaming each tensor to disk. The write is atomic
 * (temporary file, fsync, rename): if the process dies during the save, the previous
 * checkpoint at `path` is intact, and the next save removes the dead writer's temporary file.
 * Everything `loadCheckpoint` would refuse is refused here first, naming the problem.
 *
 * @param options - I/O limits for tests and tuning (`chunkBytes`, `maxHeaderBytes`); the defaults suit any size.
 * @example
 * saveCheckpoint('run/checkpoint.safetensors', { model, optimizerState, data: loader, step });
 */
export function saveCheckpoint(path: string, contents: CheckpointContents, options: SafetensorsIoOptions = {}): void {
  if (contents === null || typeof contents !== 'object')
    throw new Error(`saveCheckpoint: contents must be an object with at least 'model', got ${String(contents)}`);
  checkOptionKeys('saveCheckpoint', contents, CONTENTS_KEYS);
  checkOptionKeys('saveCheckpoint', options, IO_KEYS);
  const model = checkModel('saveCheckpoint', contents.model);
  const step = checkStep('saveCheckpoint', contents.step ?? 0);
  const tensors = new Map<string, Tensor>();
  for (const [name, value] of model.namedParameters()) tensors.set(`parameters.${name}`, value);
  for (const [name, value] of model.namedBuffers()) tensors.set(`buffers.${name}`, value);
  const generatorState = (contents.generator ?? defaultGenerator()).state();
  const metadata: StoredMetadata = {
    version: FORMAT_VERSION,
    step,
    optimizerState: splitTensors('saveCheckpoint: optimizer state', contents.optimizerState, 'optimizer', tensors),
    generatorState: splitTensors('saveCheckpoint: generator state', generatorState, 'generator', tensors),
    dataState: splitTensors(
      'saveCheckpoint: data state',
      contents.data ? contents.data.state() : null,
      'data',
      tensors,
    ),
    extra: splitTensors('saveCheckpoint: extra', contents.extra ?? null, 'extra', tensors),
  };
  writeSafetensorsFile(
    'saveCheckpoint',
    path,
    tensors,
    { [METADATA_KEY]: JSON.stringify(metadata), format: 'pt' },
    options,
  );
}

/** Where {@link loadCheckpoint} restores to. */
export interface LoadCheckpointTargets {
  model: Module<any[], unknown>;
  /** Restored from the saved generator state (default: the global generator). */
  generator?: RandomGenerator;
  /** Restored to the saved data position. */
  data?: ResumableData;
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint {
  /** The optimizer state (undefined when none was saved); pass it to `fit` as `optimizerState`. */
  optimizerState: unknown;
  step: number;
  /** The saved `extra` (null when none was saved). */
  extra: unknown;
}

interface RestoredState {
  optimizerState: unknown;
  generatorState: unknown;
  dataState: unknown;
  extra: unknown;
}

function restoreVersion2(where: string, stored: StoredMetadata, tensors: Record<string, Tensor>): RestoredState {
  const used = new Set<string>();
  const restored = {
    optimizerState: joinTensors(where, stored.optimizerState, 'optimizer', tensors, used),
    generatorState: joinTensors(where, stored.generatorState, 'generator', tensors, used),
    dataState: joinTensors(where, stored.dataState, 'data', tensors, used),
    extra: joinTensors(where, stored.extra, 'extra', tensors, used),
  };
  for (const name of Object.keys(tensors)) {
    if (!used.has(name) && !name.startsWith('parameters.') && !name.startsWith('buffers.'))
      throw new Error(
        `${where} has an unexpected tensor '${name}' (neither a parameter, a buffer, nor referred to by the saved state)`,
      );
  }
  return restored;
}

// Version 1: optimizer state as serializeState's base64 JSON, NaN generator words as null.
function restoreVersion1(
  where: string,
  stored: Record<string, unknown>,
  tensors: Record<string, Tensor>,
): RestoredState {
  for (const name of Object.keys(tensors)) {
    if (!name.startsWith('parameters.') && !name.startsWith('buffers.'))
      throw new Error(`${where} has an unexpected tensor '${name}'`);
  }
  let optimizerState: unknown;
  try {
    optimizerState = stored.optimizerState === null ? undefined : deserializeState(stored.optimizerState);
  } catch (error) {
    throw new Error(`${where} has a corrupted optimizer state (${(error as Error).message})`, { cause: error });
  }
  const words = stored.generatorState;
  return {
    optimizerState,
    generatorState: Array.isArray(words) ? words.map((word) => (word === null ? Number.NaN : word)) : words,
    dataState: stored.dataState,
    extra: stored.extra,
  };
}

/**
 * Restores a checkpoint written by {@link saveCheckpoint}: the model's parameters and
 * buffers, the generator state and the data position; returns the optimizer state and step.
 * Everything is checked before anything is changed: a missing or corrupted file, a directory,
 * or parameters with other names, shapes or dtypes than the model's, throw and leave the
 * model, generator and data untouched. Reads checkpoint format versions 1 and 2.
 *
 * @param options - I/O limits for tests and tuning (`chunkBytes`, `maxHeaderBytes`).
 * @example
 * const { optimizerState, step } = loadCheckpoint('run/checkpoint.safetensors', { model, data: loader });
 * fit(model, optimizer, loader, { epochs, loss, optimizerState, initialStep: step });
 */
export function loadCheckpoint(
  path: string,
  targets: LoadCheckpointTargets,
  options: SafetensorsIoOptions = {},
): LoadedCheckpoint {
  if (targets === null || typeof targets !== 'object')
    throw new Error(`loadCheckpoint: targets must be an object with at least 'model', got ${String(targets)}`);
  checkOptionKeys('loadCheckpoint', targets, TARGET_KEYS);
  checkOptionKeys('loadCheckpoint', options, IO_KEYS);
  const model = checkModel('loadCheckpoint', targets.model);
  const { tensors, metadata } = readSafetensors(path, options);
  const where = `loadCheckpoint: '${path}'`;
  const text = metadata[METADATA_KEY];
  if (text === undefined)
    throw new Error(`${where} is a safetensors file but not a Vane checkpoint (no '${METADATA_KEY}' metadata)`);
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${where} has corrupted '${METADATA_KEY}' metadata (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (stored === null || typeof stored !== 'object')
    throw new Error(`${where} has corrupted '${METADATA_KEY}' metadata (not a JSON object)`);
  let restored: RestoredState;
  if (stored.version === FORMAT_VERSION)
    restored = restoreVersion2(where, stored as unknown as StoredMetadata, tensors);
  else if (stored.version === BASE64_STATE_VERSION) restored = restoreVersion1(where, stored, tensors);
  else
    throw new Error(
      `${where} has checkpoint version ${String(stored.version)}, this build reads ${BASE64_STATE_VERSION} and ${FORMAT_VERSION}`,
    );
  const step = checkStep(where, stored.step);
  const parameters: [string, Tensor][] = [];
  const buffers: [string, Tensor][] = [];
  for (const [name, value] of Object.entries(tensors)) {
    if (name.startsWith('parameters.')) parameters.push([name.slice('parameters.'.length), value]);
    else if (name.startsWith('buffers.')) buffers.push([name.slice('buffers.'.length), value]);
  }
  const parameterTree: ParameterTree = unflattenNamed(parameters);
  const bufferTree: ParameterTree = unflattenNamed(buffers);
  const modelWhere = `loadCheckpoint('${path}')`;
  model.checkParameters(parameterTree, modelWhere);
  model.checkBuffers(bufferTree, modelWhere);
  const generatorState = restored.generatorState;
  if (
    !Array.isArray(generatorState) ||
    generatorState.length !== 5 ||
    !generatorState.every((word) => typeof word === 'number')
  ) {
    throw new Error(
      `${where} has a generator state of ${Array.isArray(generatorState) ? `${generatorState.length} values` : typeof generatorState}, expected 5 numbers`,
    );
  }
  // All checks passed: apply.
  model.loadParameters(parameterTree);
  model.loadBuffers(bufferTree);
  (targets.generator ?? defaultGenerator()).setState(generatorState as number[]);
  if (targets.data && restored.dataState !== null) targets.data.setState(restored.dataState as never);
  return { optimizerState: restored.optimizerState, step, extra: restored.extra };
}

/** `[path, tensor]` pairs of a parameter tree, for saving with `saveSafetensors`. */
export function parameterEntries(tree: ParameterTree): Record<string, Tensor> {
  return Object.fromEntries(flattenNamed(tree));
}
