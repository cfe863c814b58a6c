/** Helpers for tests: run a transform over a list of gradient trees. */
import { tensor, type DType, type Tensor } from '@vane/tensor';
import { applyUpdates, disposeReplaced } from '../apply-updates.js';
import type { GradientTransformation, TensorTree } from '../transform.js';

/**
 * Runs `optimizer` from `params` over `gradients` and returns every intermediate params tree
 * (typed loosely so tests can reach into them: `run.params[0].layer.weight`).
 */
export function trajectory<S>(
  optimizer: GradientTransformation<S>,
  params: TensorTree,
  gradients: readonly TensorTree[],
): { params: any[]; state: S } {
  let current = params;
  let state = optimizer.init(current);
  const visited: TensorTree[] = [];
  for (const grads of gradients) {
    const [updates, next] = optimizer.update(grads, state, current);
    const nextParams = applyUpdates(current, updates);
    disposeReplaced([updates, state], [nextParams, next, params, gradients, visited]);
    current = nextParams;
    state = next;
    visited.push(current);
  }
  return { params: visited, state };
}

/** A float64 vector (tests compare hand-derived doubles). */
export const vector = (values: number[], dtype: DType = 'float64'): Tensor => tensor(values, { dtype });

/** A leaf's values as a plain array. */
export const valuesOf = (value: unknown): number[] => Array.from((value as Tensor).dataSync());
