/**
 * argmax/argmin on the gpu backend as a log-depth tree.
 *
 * The input is `outer` runs of `count` values laid out one after the other (run r's value i at
 * `offset + r·count + i`). The first pass cuts every run into pieces of at most
 * {@link REDUCTION_FAN_IN} values and gives each piece one thread, which returns the index (in
 * the whole run) of its piece's winner; every later pass does the same over the previous
 * pass's winners, reading each candidate's value from the input by its index. So a pass
 * carries (value, index) pairs without a second texture: the index is stored, the value is
 * looked up. A run of n values takes ⌈log_256 n⌉ passes (one up to 256 values).
 *
 * Semantics are the CPU backend's (argReduceBlock): the first index wins a tie, and NaN counts
 * as the extreme, the first NaN winning. Both survive the tree because candidates are combined
 * in index order with a strict comparison, and a piece that holds a NaN returns its first NaN
 * (so the first such piece holds the run's first NaN).
 */
import { define } from './kernel-definition.js';
import { deleteTexture, result, type GpuStorage } from './storage.js';
import { REDUCTION_FAN_IN } from './fan-in.js';
import { runKernel } from './kernel-runner.js';

/** The largest run whose indices a float32 texture holds exactly. */
const EXACT_INDEX_LIMIT = 2 ** 24;

/**
 * The kernel body of one pass. `fromCandidates`: the values compared are the input at the
 * indices stored in `candidates` (a later pass); otherwise the input's own values (the first).
 */
function passBody(kind: 'argmax' | 'argmin', fromCandidates: boolean): string {
  const better = kind === 'argmax' ? '>' : '<';
  const candidate = (position: string) =>
    fromCandidates ? `candidates[candidateBase + ${position}]` : `start + ${position}`;
  return `const thread = this.thread.x + 0.0;
  const run = Math.floor((thread + 0.5) / parts);
  const part = thread - run * parts;
  const start = part * piece;
  const pieceLength = Math.min(piece, length - start);
  const runBase = xOffset + run * count;
  const candidateBase = run * length + start;
  let bestIndex = ${candidate('0')};
  let best = x[runBase + bestIndex];
  if (best === best) {
    for (let index = 1; index < pieceLength; index++) {
      const valueIndex = ${candidate('index')};
      const value = x[runBase + valueIndex];
      if (value !== value) {
        bestIndex = valueIndex;
        break;
      }
      if (value ${better} best) {
        best = value;
        bestIndex = valueIndex;
      }
    }
  }
  return bestIndex;`;
}

/**
 * The index of the first maximum (argmax) or minimum (argmin) of each of `outer` runs of
 * `count` values, the runs laid out back to back from `offset` in `texture`; returns the storage
 * of the `outer` indices (each pass's output is a counted storage until the next pass has read it).
 */
export function argReduceTree(
  kind: 'argmax' | 'argmin',
  texture: unknown,
  offset: number,
  outer: number,
  count: number,
): GpuStorage {
  if (count > EXACT_INDEX_LIMIT)
    throw new Error(
      `gpu.${kind}: an axis of ${count} values is longer than the ${EXACT_INDEX_LIMIT} indices a float32 texture holds exactly`,
    );
  let candidates: GpuStorage | undefined;
  let length = count;
  do {
    const parts = Math.ceil(length / REDUCTION_FAN_IN);
    const fromCandidates = candidates !== undefined;
    const parameters = ['x', 'xOffset', 'count', 'length', 'parts', 'piece', ...(fromCandidates ? ['candidates'] : [])];
    const winners = runKernel(
      `argReduce/${kind}/${fromCandidates ? 'candidates' : 'values'}`,
      () => define(parameters, passBody(kind, fromCandidates)),
      outer * parts,
      [texture, offset, count, length, parts, REDUCTION_FAN_IN, ...(fromCandidates ? [candidates!.texture] : [])],
    );
    if (candidates !== undefined) deleteTexture(candidates.texture);
    candidates = result(winners, outer * parts);
    length = parts;
  } while (length > 1);
  return candidates!;
}
