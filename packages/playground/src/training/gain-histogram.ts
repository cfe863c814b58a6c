/**
 * The histogram of ActiveLR's per-parameter gains that the page draws live: every element's
 * gain from `activeGains`, binned on a log₂ scale (gains grow and shrink by factors).
 */
import { activeGains, type ActiveState, type TensorTree } from '@vane/optim';
import { tree, type Tensor } from '@vane/tensor';

/** Bin edges (as gains, `bins + 1` of them, log-spaced) and the count of parameter elements in each bin. */
export interface GainHistogram {
  edges: number[];
  counts: number[];
  /** Parameter elements counted (the model's parameter count). */
  elements: number;
}

/**
 * True when an optimizer state is `active(…)`'s, the outermost transformation: the only case
 * whose gains the page can show (an `active` nested inside `graft` keeps its gains deeper).
 */
export function isActiveState(state: unknown): state is ActiveState {
  const candidate = state as Partial<ActiveState> | null;
  return (
    candidate !== null &&
    typeof candidate === 'object' &&
    typeof candidate.gainChanges === 'number' &&
    candidate.gain !== undefined &&
    candidate.periodSum !== undefined
  );
}

/**
 * Bins the gains of an `active` state into `bins` log-spaced bins between the smallest and
 * the largest gain (one bin around the value while all gains are equal, as before the first
 * gain change).
 *
 * @example
 * const { edges, counts } = gainHistogram(optimizerState, 24);
 */
export function gainHistogram(state: ActiveState, bins: number): GainHistogram {
  const gains = activeGains(state) as TensorTree;
  const values: number[] = [];
  for (const leaf of tree.leaves(gains) as Tensor[]) {
    for (const value of leaf.dataSync()) values.push(Math.log2(value));
    // activeGains expands per-tensor gains into new tensors; element gains are the state's own.
    if (!(tree.leaves(state.gain) as Tensor[]).includes(leaf)) leaf.dispose();
  }
  // A loop, not Math.min(...values): a spread of a large model's gains overflows the stack.
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (!(high > low)) {
    low -= 0.5;
    high += 0.5;
  }
  const width = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) counts[Math.min(bins - 1, Math.floor((value - low) / width))]! += 1;
  return {
    edges: Array.from({ length: bins + 1 }, (_, index) => 2 ** (low + index * width)),
    counts,
    elements: values.length,
  };
}
