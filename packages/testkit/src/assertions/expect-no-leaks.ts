import { isTensor, memory, tree, zeros, type Tree } from '@vane/tensor';

/**
 * Runs `fn` and throws if it leaves more live tensors behind than it returns.
 *
 * Math: with n₀ live tensors before and n₁ after, the leak is n₁ − n₀ − r, where r is the
 * number of distinct tensors in the returned tree created during `fn` (a transform may return
 * its inputs unchanged, and those are not new). The leak must be 0; a negative value means
 * `fn` disposed tensors it did not own, which is reported too.
 *
 * @param fn - the code to measure; its result is returned so callers can dispose it.
 * @param label - prefix for the error message.
 * @example
 * const [updates, next] = expectNoLeaks(() => tx.update(grads, state, params));
 */
export function expectNoLeaks<T>(fn: () => T, label = 'expectNoLeaks'): T {
  // Tensor ids grow in creation order, so a probe reveals the first id `fn` can create.
  const probe = zeros([]);
  const firstNewId = probe.id + 1;
  probe.dispose();
  const before = memory().numTensors;
  const result = fn();
  const returned = new Set<number>();
  for (const leaf of tree.leaves(result as Tree<any>)) {
    if (isTensor(leaf) && !leaf.isDisposed && leaf.id >= firstNewId) returned.add(leaf.id);
  }
  const after = memory().numTensors;
  const leaked = after - before - returned.size;
  if (leaked !== 0) {
    const what =
      leaked > 0
        ? `${leaked} tensor(s) leaked`
        : `${-leaked} tensor(s) were disposed that it did not create (an input?)`;
    throw new Error(`${label}: ${what} (live before ${before}, after ${after}, new tensors returned ${returned.size})`);
  }
  return result;
}
