import fc from 'fast-check';
import { isTensor, tree, type Tree } from '@vane/tensor';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';
import { readTensorLeaves } from '../internal/tree-values.js';

/**
 * Finite state on finite input.
 *
 * Math: for finite parameters and finite gradients (including exact zeros and whole zero
 * steps), every update element and every number in every state is finite: no 0/0, no
 * overflow of bias corrections, no log(0).
 *
 * Applies to every optimizer.
 *
 * @example
 * checkOptimizer(() => adam(), { invariants: ['finiteState'] });
 */
export const finiteState: Invariant = {
  name: 'finiteState',
  law: 'finite params and gradients give finite updates and finite states',
  appliesTo: 'every optimizer',
  skipReason: () => undefined,
  property: ({ factory }) =>
    fc.property(arbProblem({ length: 5, minLength: 1, kind: 'withZeros' }), ({ params, gradients }) => {
      const run = runSteps(factory(), params, gradients);
      run.updates.forEach((update, step) => {
        for (const leaf of readTensorLeaves(update)) {
          const bad = leaf.values.find((value) => !Number.isFinite(value));
          if (bad !== undefined) throw new Error(`finiteState: update '${leaf.path}' at step ${step + 1} holds ${bad}`);
        }
      });
      run.states.forEach((state, step) => {
        for (const [path, leaf] of tree.entries(state as Tree<unknown>)) {
          const values = isTensor(leaf)
            ? Array.from(leaf.dataSync() as ArrayLike<number>, Number)
            : typeof leaf === 'number'
              ? [leaf]
              : [];
          const bad = values.find((value) => !Number.isFinite(value));
          if (bad !== undefined) throw new Error(`finiteState: state '${path}' after step ${step + 1} holds ${bad}`);
        }
      });
    }),
};
