import { fusedMap, tidy, type Tensor } from '@vane/tensor';
import { MOVING_AVERAGE, SCALE } from '../kernels.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, zerosTree } from '../tree-utilities.js';
import { checkBoolean, checkOptionKeys, checkUnitInterval } from '../validation.js';

/** Options of {@link ema}. */
export interface EmaOptions {
  /** Divide by 1 − βᵗ to remove the bias towards the zero start (default true). */
  debias?: boolean;
}

/** State of {@link ema}. */
export interface EmaState {
  /** Updates averaged so far. */
  count: number;
  /** The (biased) moving average m, shaped like the params. */
  average: TensorTree;
}

/**
 * An exponential moving average of the updates (momentum in its "averaging" form, as in
 * Signum and Adam's first moment).
 *
 * Update: m_t = β·m_{t−1} + (1 − β)·u_t, m₀ = 0; u ← m_t / (1 − βᵗ) with `debias`, else m_t.
 *
 * @param decay - β ∈ [0, 1).
 * @param options - `debias` (default true).
 * @example
 * const signum = chain(ema(0.9, { debias: false }), scaleBySign(), scaleByLearningRate(1e-3));
 * @see optax `ema`; Kingma & Ba, "Adam" (2015) for the bias correction.
 */
export function ema(decay: number, options: EmaOptions = {}): GradientTransformation<EmaState> {
  const owner = 'ema';
  checkOptionKeys(owner, options, ['debias']);
  checkUnitInterval(owner, 'decay', decay);
  const debias = checkBoolean(owner, 'debias', options.debias ?? true);
  return {
    init: (params) => ({ count: 0, average: zerosTree(params) }),
    update: (updates, state) => {
      checkStructure('ema.update', state.average, updates, ['state.average', 'updates']);
      const count = state.count + 1;
      return tidy(() => {
        const average = mapTensors(
          (u: Tensor, m: Tensor) => fusedMap(MOVING_AVERAGE, [m, u], [decay]),
          updates,
          state.average,
        ) as TensorTree;
        const out = debias
          ? (mapTensors((m: Tensor) => fusedMap(SCALE, [m], [1 / (1 - decay ** count)]), average) as TensorTree)
          : average;
        return [out, { count, average }] as [TensorTree, EmaState];
      });
    },
  };
}
