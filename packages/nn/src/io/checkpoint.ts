/**
 * Training checkpoints: model parameters and buffers, optimizer state, random-generator
 * state and data position in one safetensors file, written atomically.
 *
 * Layout: parameters are stored as tensors `parameters.<path>`, buffers as
 * `buffers.<path>`; everything else is JSON in the metadata entry `vane.checkpoint`
 * (the optimizer state through `serializeState`, which stores tensors bit for bit).
 * The file is therefore readable by any safetensors reader, and the weights by PyTorch.
 *
 * Source: `packages/nn/src/io/checkpoint.ts`.
 */
import { deserializeState, serializeState } from '@vane/optim';
import { defaultGenerator, type RandomGenerator, type Tensor } from '@vane/tensor';
import { flattenNamed, unflattenNamed, type Module, type ParameterTree } from '../module';
import { encodeSafetensors, readSafetensors } from './safetensors';
import { writeFileAtomic } from './atomic-write';

const METADATA_KEY = 'vane.checkpoint';
const FORMAT_VERSION = 1;

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
  /** Optimizer steps taken so far. */
  step?: number;
  /** Any JSON-serialisable value to keep with the checkpoint (history, configuration, …). */
  extra?: unknown;
}

interface StoredMetadata {
  version: number;
  step: number;
  optimizerState: unknown;
  generatorState: (number | null)[];
  dataState: unknown;
  extra: unknown;
}

/**
 * Saves a training checkpoint to `path`. The write is atomic (temporary file, fsync,
 * rename): if the process dies during the save, the previous checkpoint at `path` is intact.
 *
 * @example
 * saveCheckpoint('run/checkpoint.safetensors', { model, optimizerState, data: loader, step });
 */
export function saveCheckpoint(path: string, contents: CheckpointContents): void {
  const tensors: Record<string, Tensor> = {};
  for (const [name, value] of contents.model.namedParameters()) tensors[`parameters.${name}`] = value;
  for (const [name, value] of contents.model.namedBuffers()) tensors[`buffers.${name}`] = value;
  const metadata: StoredMetadata = {
    version: FORMAT_VERSION,
    step: contents.step ?? 0,
    optimizerState: contents.optimizerState === undefined ? null : serializeState(contents.optimizerState),
    // JSON has no NaN (the generator marks "no spare normal" with NaN): store it as null.
    generatorState: (contents.generator ?? defaultGenerator()).state().map((word) => (Number.isNaN(word) ? null : word)),
    dataState: contents.data ? contents.data.state() : null,
    extra: contents.extra ?? null,
  };
  writeFileAtomic(path, encodeSafetensors(tensors, { [METADATA_KEY]: JSON.stringify(metadata), format: 'pt' }));
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
  extra: unknown;
}

/**
 * Restores a checkpoint written by {@link saveCheckpoint}: the model's parameters and
 * buffers, the generator state and the data position; returns the optimizer state and step.
 * Everything is checked before anything is changed: a missing or corrupted file, or
 * parameters with other names, shapes or dtypes than the model's, throw and leave the model,
 * generator and data untouched.
 *
 * @example
 * const { optimizerState, step } = loadCheckpoint('run/checkpoint.safetensors', { model, data: loader });
 * fit(model, optimizer, loader, { epochs, loss, optimizerState, initialStep: step });
 */
export function loadCheckpoint(path: string, targets: LoadCheckpointTargets): LoadedCheckpoint {
  const { tensors, metadata } = readSafetensors(path);
  const text = metadata[METADATA_KEY];
  if (text === undefined) throw new Error(`loadCheckpoint: '${path}' is a safetensors file but not a Vane checkpoint (no '${METADATA_KEY}' metadata)`);
  let stored: StoredMetadata;
  try {
    stored = JSON.parse(text) as StoredMetadata;
  } catch (error) {
    throw new Error(`loadCheckpoint: '${path}' has corrupted '${METADATA_KEY}' metadata (${(error as Error).message})`);
  }
  if (stored.version !== FORMAT_VERSION) throw new Error(`loadCheckpoint: '${path}' has checkpoint version ${String(stored.version)}, this build reads ${FORMAT_VERSION}`);
  const parameters: [string, Tensor][] = [];
  const buffers: [string, Tensor][] = [];
  for (const [name, value] of Object.entries(tensors)) {
    if (name.startsWith('parameters.')) parameters.push([name.slice('parameters.'.length), value]);
    else if (name.startsWith('buffers.')) buffers.push([name.slice('buffers.'.length), value]);
    else throw new Error(`loadCheckpoint: '${path}' has an unexpected tensor '${name}'`);
  }
  const parameterTree: ParameterTree = unflattenNamed(parameters);
  const bufferTree: ParameterTree = unflattenNamed(buffers);
  const { model } = targets;
  const where = `loadCheckpoint('${path}')`;
  model.checkParameters(parameterTree, where);
  model.checkBuffers(bufferTree, where);
  const optimizerState = stored.optimizerState === null ? undefined : deserializeState(stored.optimizerState);
  const generatorState = (stored.generatorState ?? []).map((word) => (word === null ? Number.NaN : word));
  if (generatorState.length !== 5) throw new Error(`loadCheckpoint: '${path}' has a generator state of ${generatorState.length} numbers, expected 5`);
  // All checks passed: apply.
  model.loadParameters(parameterTree);
  model.loadBuffers(bufferTree);
  (targets.generator ?? defaultGenerator()).setState(generatorState);
  if (targets.data && stored.dataState !== null) targets.data.setState(stored.dataState as never);
  return { optimizerState, step: stored.step, extra: stored.extra };
}

/** `[path, tensor]` pairs of a parameter tree, for saving with `saveSafetensors`. */
export function parameterEntries(tree: ParameterTree): Record<string, Tensor> {
  return Object.fromEntries(flattenNamed(tree));
}
