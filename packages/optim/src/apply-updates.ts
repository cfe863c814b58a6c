import { dispose, fusedMap, isTensor, tidy, type Tensor } from '@vane/tensor';
import { ADD } from './kernels.js';
import type { TensorTree } from './transform.js';
import { checkStructure, mapTensors } from './tree-utilities.js';

/**
 * Adds the updates to the parameters, leaf by leaf, in one fused pass per leaf. The result
 * keeps each parameter's dtype.
 *
 * Update: p ← p + u.
 *
 * @param params - the parameters.
 * @param updates - the updates returned by a transform (already signed and scaled).
 * @returns new parameter tensors; the inputs are not changed or disposed.
 * @example
 * const [updates, nextState] = optimizer.update(grads, state, params);
 * const nextParams = applyUpdates(params, updates);
 * @see optax `apply_updates`.
 */
export function applyUpdates(params: TensorTree, updates: TensorTree): TensorTree {
  checkStructure('applyUpdates', params, updates, ['params', 'updates']);
  return tidy(() => mapTensors((p: Tensor, u: Tensor) => fusedMap(ADD, [p, u]), params, updates)) as TensorTree;
}

/**
 * Disposes the tensors of `previous` that do not also appear in `next`: the step after an
 * update, when the old parameters, old state and gradients are no longer needed but the new
 * state may share unchanged tensors with the old one.
 *
 * @param previous - values to free (for example `[params, state, grads]`).
 * @param next - values to keep (for example `[nextParams, nextState]`).
 * @example
 * const [updates, nextState] = optimizer.update(grads, state, params);
 * const nextParams = applyUpdates(params, updates);
 * disposeReplaced([params, state, grads, updates], [nextParams, nextState]);
 */
export function disposeReplaced(previous: unknown, next: unknown): void {
  const keep = new Set(collect(next));
  dispose(collect(previous).filter((tensor) => !keep.has(tensor) && !tensor.isDisposed));
}

function collect(value: unknown): Tensor[] {
  const found: Tensor[] = [];
  collectInto(value, found, new Set());
  return found;
}

// A module function rather than a closure per call: `disposeReplaced` runs on every step.
function collectInto(node: unknown, found: Tensor[], seen: Set<unknown>): void {
  if (node === null || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  if (isTensor(node)) {
    found.push(node);
    return;
  }
  // `forEach` skips the holes of a sparse array, as before.
  if (Array.isArray(node)) node.forEach((child) => collectInto(child, found, seen));
  else for (const child of Object.values(node)) collectInto(child, found, seen);
}

/** Every tensor in a (state) value, each once. */
export function tensorsIn(value: unknown): Tensor[] {
  return collect(value);
}
