import fc from 'fast-check';
import { dispose, isTensor, memory, tidy, tree, type Tensor, type Tree } from '@vane/tensor';
import { expectNoLeaks } from '../assertions/expect-no-leaks.js';
import type { Invariant } from '../invariant.js';
import type { OptimImplementations } from '../optim-implementations.js';
import { arbProblem } from '../internal/run.js';

/**
 * No leaks: a training loop's step frees everything it does not keep.
 *
 * Math: a step runs, inside `tidy`, `[u, s′] = update(g, s, p)` and `p′ = applyUpdates(p, u)`,
 * keeps `(p′, s′)`, and disposes the tensors of `(p, s, g)` that `(p′, s′)` do not hold (as
 * `disposeReplaced` does). After a warm-up step (which may create state lazily, such as a
 * momentum buffer), every further step leaves `memory().numTensors` and `memory().numBytes`
 * exactly unchanged (tolerance 0: a count). Also, per the transform contract, `update` itself,
 * measured with {@link expectNoLeaks}, creates no tensor it does not return, so a leak that
 * the enclosing `tidy` would hide in this loop (but not in a caller's loop without `tidy`) is
 * still reported.
 *
 * Each step's gradients and the starting parameters are fresh copies owned by the loop, so
 * the generated inputs are never disposed. `applyUpdates` comes from `implementations` when
 * present, else plain `p + u` is used.
 *
 * Applies to every optimizer.
 *
 * @example
 * checkOptimizer(() => adam(), { invariants: ['noLeaks'] });
 */
export const noLeaks: Invariant = {
  name: 'noLeaks',
  law: 'after a warm-up step, a step inside tidy that keeps (params′, state′) and disposes the replaced params, state and gradients leaves memory().numTensors and numBytes unchanged; update frees what it does not return',
  appliesTo: 'every optimizer',
  skipReason: () => undefined,
  property: ({ factory, implementations }) =>
    fc.property(arbProblem({ length: 4, minLength: 3 }), ({ params, gradients }) => {
      const transform = factory();
      const apply = applier(implementations);
      let current = copy(params);
      let state: unknown = transform.init(current);
      let baseline: { numTensors: number; numBytes: number } | undefined;
      try {
        gradients.forEach((gradient, index) => {
          const step = index + 1;
          const g = copy(gradient);
          const [nextParams, nextState] = tidy(() => {
            const [updates, next] = expectNoLeaks(
              () => transform.update(g, state, current),
              `noLeaks: update at step ${step}`,
            );
            return [apply(current, updates), next] as const;
          });
          disposeReplacedTensors([current, state, g], [nextParams, nextState]);
          current = nextParams;
          state = nextState;
          const now = memory();
          if (baseline === undefined) {
            baseline = { numTensors: now.numTensors, numBytes: now.numBytes };
            return;
          }
          if (now.numTensors !== baseline.numTensors || now.numBytes !== baseline.numBytes) {
            throw new Error(
              `noLeaks: step ${step} changed live memory from ${baseline.numTensors} tensors / ${baseline.numBytes} bytes after the warm-up step to ${now.numTensors} tensors / ${now.numBytes} bytes`,
            );
          }
        });
      } finally {
        disposeReplacedTensors([current, state], []);
      }
    }),
};

function applier(implementations: OptimImplementations): (params: Tree<Tensor>, updates: Tree<Tensor>) => Tree<Tensor> {
  if (implementations.applyUpdates) return implementations.applyUpdates;
  return (params, updates) => tree.map((p: Tensor, u: Tensor) => p.add(u), params, updates) as Tree<Tensor>;
}

/** A copy of every tensor leaf, owned by the caller. */
function copy(value: Tree<Tensor>): Tree<Tensor> {
  return tree.map((leaf: Tensor) => leaf.mul(1), value) as Tree<Tensor>;
}

/** Disposes the tensors of `previous` that `next` does not hold (the loop's `disposeReplaced`). */
function disposeReplacedTensors(previous: unknown, next: unknown): void {
  const keep = new Set(tensorsIn(next));
  dispose(tensorsIn(previous).filter((tensor) => !keep.has(tensor) && !tensor.isDisposed));
}

function tensorsIn(value: unknown): Tensor[] {
  const found: Tensor[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (isTensor(node)) found.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node instanceof Map) for (const child of node.values()) walk(child);
    else for (const child of Object.values(node)) walk(child);
  };
  walk(value);
  return found;
}
