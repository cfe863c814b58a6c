import { checkTransformation } from './chain.js';
import { withInputChecks } from '../input-checks.js';
import { all, isFinite, logicalAnd, tidy, zerosLike, type Tensor } from '@vane/tensor';
import { tensorsIn } from '../apply-updates.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { mapTensors, tensorLeaves } from '../tree-utilities.js';
import { checkPositiveInteger } from '../validation.js';

/** State of {@link applyIfFinite}. */
export interface ApplyIfFiniteState<S> {
  /** Consecutive updates skipped because they were not finite. */
  notFiniteCount: number;
  /** Whether the last update was finite (and applied). */
  lastFinite: boolean;
  /** Updates skipped since the start. */
  totalNotFinite: number;
  /** The wrapped transform's state (unchanged by skipped updates). */
  inner: S;
}

/**
 * Skips updates that contain NaN or ±∞: the inner transform's output is checked, and if any
 * element is not finite the update becomes zero and the inner state is left as it was. After
 * `maxConsecutiveErrors` skips in a row the update is applied anyway (so a run that is
 * really broken shows it).
 *
 * Update: (u', s') = inner(u, s); if all of u' is finite, or `notFiniteCount` has reached
 * the limit: return (u', s'); else return (0, s). One boolean is read back per update.
 *
 * @param inner - any transform.
 * @param maxConsecutiveErrors - skips allowed in a row (a positive integer).
 * @example
 * const guarded = applyIfFinite(adam({ lr: 1e-3 }), 5);
 * @see optax `apply_if_finite`.
 */
export function applyIfFinite<S>(
  inner: GradientTransformation<S>,
  maxConsecutiveErrors: number,
): GradientTransformation<ApplyIfFiniteState<S>> {
  checkPositiveInteger('applyIfFinite', 'maxConsecutiveErrors', maxConsecutiveErrors);
  checkTransformation('applyIfFinite', 'inner', inner);
  return withInputChecks<ApplyIfFiniteState<S>>('applyIfFinite', {
    init: (params) => ({ notFiniteCount: 0, lastFinite: true, totalNotFinite: 0, inner: inner.init(params) }),
    update: (updates, state, params, extras) => {
      const [candidate, innerState] = inner.update(updates, state.inner, params, extras);
      const finite = tidy(() => {
        let flag: Tensor | undefined;
        for (const leaf of tensorLeaves(candidate)) {
          const leafFinite = all(isFinite(leaf));
          flag = flag === undefined ? leafFinite : logicalAnd(flag, leafFinite);
        }
        return flag === undefined ? true : flag.item() !== 0;
      });
      if (finite || state.notFiniteCount + 1 > maxConsecutiveErrors) {
        return [
          candidate,
          {
            notFiniteCount: finite ? 0 : state.notFiniteCount + 1,
            lastFinite: finite,
            totalNotFinite: state.totalNotFinite + (finite ? 0 : 1),
            inner: innerState,
          },
        ];
      }
      // Skip: free what the inner update made (keeping tensors it shares with the old state).
      const zeros = tidy(() => mapTensors((u: Tensor) => zerosLike(u), candidate)) as TensorTree;
      const keep = new Set([...tensorsIn(state.inner), ...tensorsIn(updates), ...tensorsIn(params)]);
      for (const tensor of tensorsIn([candidate, innerState]))
        if (!keep.has(tensor) && !tensor.isDisposed) tensor.dispose();
      return [
        zeros,
        {
          notFiniteCount: state.notFiniteCount + 1,
          lastFinite: false,
          totalNotFinite: state.totalNotFinite + 1,
          inner: state.inner,
        },
      ];
    },
  });
}
