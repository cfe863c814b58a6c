/**
 * Bookkeeping shared by every tensor: storage reference counts, live-memory statistics per
 * backend, `tidy` scopes, and the recorder hook through which autodiff observes ops.
 *
 * The tensor core knows nothing about gradients: it only reports each recorded op to whatever
 * recorder is installed (see {@link setRecorder}).
 */
import type { Backend, StorageData } from './backend.js';
import type { OpAttributes, OpName } from './op-names.js';
import type { Tensor } from './tensor.js';
import { describeValue } from './validation/option-keys.js';

/** A backend storage shared by a tensor and its views, freed when the last of them is disposed. */
export class Storage {
  /** Number of live tensors referring to this storage. */
  referenceCount = 0;
  constructor(
    readonly backend: Backend,
    readonly data: StorageData,
    readonly bytes: number,
  ) {
    const statistics = statisticsFor(backend.name);
    statistics.storages++;
    statistics.bytes += bytes;
  }
}

/** Live tensors, storages and bytes on one backend. */
export interface BackendMemory {
  tensors: number;
  storages: number;
  bytes: number;
}

/** What {@link memory} reports. */
export interface MemoryInfo {
  /** Live (not disposed) tensors on every backend. */
  numTensors: number;
  /** Bytes held by live storages on every backend. */
  numBytes: number;
  /** The same, per backend name. */
  backends: Record<string, BackendMemory>;
}

const statistics = new Map<string, BackendMemory>();

function statisticsFor(name: string): BackendMemory {
  let entry = statistics.get(name);
  if (!entry) {
    entry = { tensors: 0, storages: 0, bytes: 0 };
    statistics.set(name, entry);
  }
  return entry;
}

/** Called by the Tensor constructor. */
export function trackTensor(tensor: Tensor, storage: Storage): void {
  storage.referenceCount++;
  statisticsFor(storage.backend.name).tensors++;
  const scope = scopes[scopes.length - 1];
  if (scope) scope.push(tensor);
}

/** Called by `Tensor.dispose()`; releases the storage when no tensor refers to it. */
export function untrackTensor(storage: Storage): void {
  const entry = statisticsFor(storage.backend.name);
  entry.tensors--;
  storage.referenceCount--;
  if (storage.referenceCount === 0) {
    entry.storages--;
    entry.bytes -= storage.bytes;
    storage.backend.release(storage.data);
  }
}

/**
 * Live tensors and bytes, in total and per backend.
 *
 * On the CPU, tensors that are never disposed are reclaimed by the garbage collector but still
 * count here; a training loop that disposes what it creates (or runs inside {@link tidy})
 * keeps these numbers constant, which is what leak tests assert.
 *
 * @example
 * const before = memory().numTensors;
 * tidy(() => add(x, 1));
 * memory().numTensors === before; // true
 */
export function memory(): MemoryInfo {
  const backends: Record<string, BackendMemory> = {};
  let numTensors = 0;
  let numBytes = 0;
  for (const [name, entry] of statistics) {
    backends[name] = { ...entry };
    numTensors += entry.tensors;
    numBytes += entry.bytes;
  }
  return { numTensors, numBytes, backends };
}

const scopes: Tensor[][] = [];

/**
 * Runs `fn` and disposes every tensor created inside it except those it returns (anywhere in
 * a returned tree) and those marked with {@link keep}.
 *
 * @example
 * const y = tidy(() => x.mul(2).add(1)); // the intermediate x*2 is freed
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`tidy: 'fn' must be a function, got ${describeValue(fn)}`);
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const tensor of scope) if (!tensor.kept) tensor.dispose();
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new Error('tidy: the function returned a Promise; tidy only accepts synchronous functions');
  }
  // Nothing was created inside: nothing to dispose or hand up, so the result need not be walked.
  if (scope.length === 0) return result;
  // The returned tensors carry this call's mark (a field, not a Set: tidy runs on every op
  // of a step); a tensor marked by an earlier call never carries this call's number.
  const mark = ++lastTidyMark;
  markTensors(result, mark, undefined);
  const parent = scopes[scopes.length - 1];
  for (const tensor of scope) {
    if (tensor.tidyMark === mark || tensor.kept) {
      if (parent && !tensor.kept) parent.push(tensor);
    } else tensor.dispose();
  }
  return result;
}

/** Marks a tensor so that no enclosing {@link tidy} disposes it. Returns the tensor. */
export function keep<T extends Tensor>(tensor: T): T {
  // Brand check rather than instanceof: engine.ts must not import the Tensor class (a cycle).
  if ((tensor as { isTensor?: unknown } | null)?.isTensor !== true)
    throw new TypeError(`keep: 'tensor' must be a Tensor, got ${describeValue(tensor)}`);
  tensor.kept = true;
  return tensor;
}

/** Disposes every tensor found in a value (a tensor, or a tree of them). */
export function dispose(value: unknown): void {
  const found = new Set<Tensor>();
  collectTensors(value, found, new Set());
  for (const tensor of found) tensor.dispose();
}

let lastTidyMark = 0;

/**
 * Sets `tidyMark` of every tensor in `value` (a tensor, or arrays, Maps and plain objects of
 * them: what {@link collectTensors} finds) to `mark`. `seen` holds the containers visited, for
 * shared and cyclic ones; made lazily, at the first container, since a tensor alone needs none.
 */
function markTensors(value: unknown, mark: number, seen: Set<unknown> | undefined): void {
  if (value === null || typeof value !== 'object') return;
  if (isTensorLike(value)) {
    value.tidyMark = mark;
    return;
  }
  if (seen === undefined) seen = new Set([value]);
  else if (seen.has(value)) return;
  else seen.add(value);
  if (Array.isArray(value)) for (const item of value) markTensors(item, mark, seen);
  else if (value instanceof Map) for (const item of value.values()) markTensors(item, mark, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) markTensors(item, mark, seen);
  }
}

function collectTensors(value: unknown, into: Set<Tensor>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensorLike(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) for (const item of value) collectTensors(item, into, seen);
  else if (value instanceof Map) for (const item of value.values()) collectTensors(item, into, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, into, seen);
  }
}

function isTensorLike(value: object): value is Tensor {
  return (value as { isTensor?: unknown }).isTensor === true;
}

/**
 * What autodiff installs to observe ops. `record` is called after an op computed `output`
 * from `inputs`, with the attributes its gradient rule needs.
 */
export interface OpRecorder {
  record<K extends OpName>(op: K, inputs: readonly Tensor[], output: Tensor, attributes: OpAttributes[K]): void;
}

let recorder: OpRecorder | undefined;
let pauseDepth = 0;

/** Installs (or with `undefined`, removes) the op recorder. Returns the previous one. */
export function setRecorder(next: OpRecorder | undefined): OpRecorder | undefined {
  const previous = recorder;
  recorder = next;
  return previous;
}

/** Reports an op to the recorder, if one is installed and recording is not paused. */
export function recordOp<K extends OpName>(
  op: K,
  inputs: readonly Tensor[],
  output: Tensor,
  attributes: OpAttributes[K],
): Tensor {
  if (recorder && pauseDepth === 0) recorder.record(op, inputs, output, attributes);
  return output;
}

/** True while a recorder is installed and not paused. */
export function isRecording(): boolean {
  return recorder !== undefined && pauseDepth === 0;
}

/**
 * Runs `fn` without recording its ops. Composite ops that record themselves as one op use
 * this so that their inner primitives are not recorded twice.
 */
export function withoutRecording<T>(fn: () => T): T {
  pauseDepth++;
  try {
    return fn();
  } finally {
    pauseDepth--;
  }
}
