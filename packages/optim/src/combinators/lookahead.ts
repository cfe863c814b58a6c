import { checkTransformation } from './chain.js';
import { withInputChecks } from '../input-checks.js';
import { fusedMap, tidy, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import { SCALE } from '../kernels.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, requireParams } from '../tree-utilities.js';
import { checkClosedUnitInterval, checkOptionKeys, checkPositiveInteger } from '../validation.js';

/** Options of {@link lookahead}. */
export interface LookaheadOptions {
  /** k: inner (fast) steps between synchronisations (default 6). */
  syncPeriod?: number;
  /** α ∈ [0, 1]: how far the slow weights move towards the fast ones (default 0.5). */
  slowStepSize?: number;
}

/** State of {@link lookahead}. */
export interface LookaheadState<S> {
  /** Fast steps since the last synchronisation. */
  count: number;
  /** φ: the slow weights, shaped like the params. */
  slow: TensorTree;
  /** The wrapped (fast) transform's state. */
  inner: S;
}

// The step that takes the fast weights θ (after their own update u) to φ + α(θ + u − φ).
const SYNC_STEP = defineKernel(
  'optim.lookahead.syncStep',
  { inputs: ['fast', 'update', 'slow'], scalars: ['alpha'] },
  ({ fast, update, slow, alpha }) => e.sub(e.add(slow, e.mul(alpha, e.sub(e.add(fast, update), slow))), fast),
);

const INTERPOLATE = defineKernel(
  'optim.lookahead.interpolate',
  { inputs: ['fast', 'update', 'slow'], scalars: ['alpha'] },
  ({ fast, update, slow, alpha }) => e.add(slow, e.mul(alpha, e.sub(e.add(fast, update), slow))),
);

/**
 * Lookahead: the inner optimizer moves the (fast) parameters; every k steps the slow
 * weights move a fraction α towards them and the fast parameters are reset to the slow ones.
 * The parameters you pass to `update` are the fast weights; right after a synchronisation
 * they equal the slow weights (`state.slow`), which are the ones to evaluate.
 *
 * Update: θ_{t+1} = θ_t + inner(g)_t; when (t + 1) is a multiple of k:
 * φ ← φ + α(θ_{t+1} − φ) and θ_{t+1} ← φ (the returned update is φ − θ_t). φ₀ = θ₀.
 *
 * @param inner - any transform (the fast optimizer).
 * @param options - `syncPeriod` k (6), `slowStepSize` α (0.5).
 * @example
 * const optimizer = lookahead(adam({ lr: 1e-3 }), { syncPeriod: 5, slowStepSize: 0.5 });
 * @see Zhang, Lucas, Hinton, Ba, "Lookahead Optimizer: k steps forward, 1 step back" (NeurIPS 2019).
 */
export function lookahead<S>(
  inner: GradientTransformation<S>,
  options: LookaheadOptions = {},
): GradientTransformation<LookaheadState<S>> {
  const owner = 'lookahead';
  checkOptionKeys(owner, options, ['syncPeriod', 'slowStepSize']);
  const syncPeriod = checkPositiveInteger(owner, 'syncPeriod', options.syncPeriod ?? 6);
  const alpha = checkClosedUnitInterval(owner, 'slowStepSize', options.slowStepSize ?? 0.5);
  checkTransformation('lookahead', 'inner', inner);
  return withInputChecks('lookahead', {
    init: (params) => ({
      count: 0,
      slow: tidy(() => mapTensors((p: Tensor) => fusedMap(SCALE, [p], [1]), params)) as TensorTree,
      inner: inner.init(params),
    }),
    update: (updates, state, params, extras) => {
      const fast = requireParams('lookahead.update', params);
      checkStructure('lookahead.update', state.slow, fast, ['state.slow', 'params']);
      return tidy(() => {
        const [innerUpdates, innerState] = inner.update(updates, state.inner, fast, extras);
        const count = state.count + 1;
        if (count < syncPeriod)
          return [innerUpdates, { count, slow: state.slow, inner: innerState }] as [TensorTree, LookaheadState<S>];
        const slow = mapTensors(
          (p: Tensor, u: Tensor, phi: Tensor) => fusedMap(INTERPOLATE, [p, u, phi], [alpha]),
          fast,
          innerUpdates,
          state.slow,
        ) as TensorTree;
        const out = mapTensors(
          (p: Tensor, u: Tensor, phi: Tensor) => fusedMap(SYNC_STEP, [p, u, phi], [alpha]),
          fast,
          innerUpdates,
          state.slow,
        ) as TensorTree;
        return [out, { count: 0, slow, inner: innerState }] as [TensorTree, LookaheadState<S>];
      });
    },
  });
}
