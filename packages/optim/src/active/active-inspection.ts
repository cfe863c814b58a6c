/**
 * Reading the per-parameter gains of {@link active} for monitoring: as a tree shaped like the
 * params, or as a summary.
 */
import { add, expand, max, maximum, min, minimum, mul, sum, tidy, tree, type Tensor } from '@vane/tensor';
import type { TensorTree } from '../transform.js';
import type { ActiveState } from './active.js';

/** Result of {@link activeSummary}. */
export interface ActiveSummary {
  /** The smallest gain over all parameter elements. */
  min: number;
  /** The largest gain. */
  max: number;
  /** The mean gain over all parameter elements (a per-tensor gain counts once per element). */
  mean: number;
  /** The fraction of parameter elements whose gain grew at the last gain change (0 before the first). */
  grewFraction: number;
  /** How many gain changes have happened (one per completed period after the first). */
  gainChanges: number;
  /** Parameter elements covered. */
  elements: number;
}

/**
 * The gains of an {@link active} state as a tree shaped like the params: each leaf has its
 * parameter's shape (per-tensor gains are broadcast views). The leaves share storage with the
 * state: read them, do not dispose them while the state is in use.
 *
 * @param state - an `ActiveState`.
 * @returns the gains a, one per parameter element; the effective learning rate is η·a.
 * @example
 * const gains = activeGains(state);
 * gains.layer.weight.shape; // the weight's shape
 * @see {@link active}.
 */
export function activeGains(state: ActiveState): TensorTree {
  return tree.map(
    (gain: Tensor, like: Tensor) => (gain.ndim === like.ndim ? gain : expand(gain, like.shape)),
    state.gain,
    state.periodSum,
  );
}

/**
 * Min, max and mean of the gains of an {@link active} state, and the fraction of parameter
 * elements whose gain grew (sign agreement) at the last gain change. The statistics are
 * computed with tensor reductions; only the final numbers are read back.
 *
 * @param state - an `ActiveState`.
 * @example
 * const { min, max, mean, grewFraction } = activeSummary(state);
 * console.log(`gains in [${min}, ${max}], mean ${mean}, ${(100 * grewFraction).toFixed(1)}% grew`);
 */
export function activeSummary(state: ActiveState): ActiveSummary {
  const gains = tree.leaves(state.gain) as Tensor[];
  const likes = tree.leaves(state.periodSum) as Tensor[];
  const grew = tree.leaves(state.grew) as Tensor[];
  const gainChanges = state.gainChanges;
  const elements = likes.reduce((total, like) => total + like.size, 0);
  if (gains.length === 0 || elements === 0)
    return { min: Number.NaN, max: Number.NaN, mean: Number.NaN, grewFraction: 0, gainChanges, elements };
  return tidy(() => {
    let lowest: Tensor | undefined;
    let highest: Tensor | undefined;
    let total: Tensor | undefined;
    let grown: Tensor | undefined;
    gains.forEach((gain, index) => {
      const like = likes[index]!;
      if (like.size === 0) return;
      // A per-tensor gain (0-d) stands for like.size elements.
      const leafTotal = gain.ndim === like.ndim ? sum(gain) : mul(gain, like.size);
      lowest = lowest === undefined ? min(gain) : minimum(lowest, min(gain));
      highest = highest === undefined ? max(gain) : maximum(highest, max(gain));
      total = total === undefined ? leafTotal : add(total, leafTotal);
      grown = grown === undefined ? grew[index]! : add(grown, grew[index]!);
    });
    return {
      min: lowest!.item(),
      max: highest!.item(),
      mean: total!.item() / elements,
      grewFraction: gainChanges === 0 ? 0 : grown!.item() / elements,
      gainChanges,
      elements,
    };
  });
}
