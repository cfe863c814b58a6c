import { tidy } from '@vane/tensor';
import { applyUpdates } from './apply-updates.js';
import { runFinalKernel } from './combinators/compose-final-kernel.js';
import {
  isAffineStep,
  isFinalKernel,
  type GradientTransformation,
  type TensorTree,
  type UpdateExtras,
} from './transform.js';
import { checkStructure, requireParams } from './tree-utilities.js';

/**
 * One optimizer step, update and apply in one call: the new parameters and the next state,
 * exactly (bit for bit) what `optimizer.update` followed by `applyUpdates` gives.
 *
 * Where the optimizer's step ends in one elementwise kernel per leaf (its composition point,
 * `GradientTransformation.finalKernel`: `adam`, `adamw`, `active(adamw)`, `sgd` with momentum,
 * `lion` and most others), the parameter add runs in that kernel, and Adam's moments too: on
 * float32 with WebAssembly SIMD the whole step of a leaf (m, v, the direction, the learning rate,
 * decoupled decay, an ActiveLR gain and p + update) is ONE pass over (m, v, g, p) that writes
 * m, v and p, instead of three. Elsewhere it falls back to `update` then `applyUpdates`. The
 * updates themselves are never materialized, so use `update` when you need them.
 *
 * Like `update` it is pure: nothing passed in is changed or disposed (free the old parameters,
 * state and gradients with `disposeReplaced`).
 *
 * @param optimizer - any gradient transformation.
 * @param grads - the gradients, shaped like `params`.
 * @param state - the optimizer's state (from `init` or the previous step).
 * @param params - the parameters the gradients were taken at.
 * @param extras - passed on to `update` (for example the loss).
 * @returns `[nextParams, nextState]`.
 * @example
 * const [nextParams, nextState] = updateAndApply(optimizer, grads, state, params);
 * disposeReplaced([params, state, grads], [nextParams, nextState]);
 */
export function updateAndApply<S>(
  optimizer: GradientTransformation<S>,
  grads: TensorTree,
  state: S,
  params: TensorTree,
  extras?: UpdateExtras,
): [TensorTree, S] {
  const owner = 'updateAndApply';
  if (optimizer === null || typeof optimizer !== 'object' || typeof optimizer.update !== 'function')
    throw new TypeError(`${owner}: 'optimizer' must be a gradient transformation (an object with init and update)`);
  checkStructure(owner, requireParams(owner, params), grads, ['params', 'grads']);
  return tidy(() => {
    const step = optimizer.finalKernel?.(grads, state, params, extras);
    if (step !== undefined && isFinalKernel(step))
      return runFinalKernel(step, grads, params, step.epilogue, { apply: true });
    if (step !== undefined && !isAffineStep(step)) return [applyUpdates(params, step.updates), step.state];
    // No kernel left unrun (or an affine stage, whose own update is one pass): the two calls.
    const [updates, next] = optimizer.update(grads, state, params, extras);
    return [applyUpdates(params, updates), next];
  });
}
