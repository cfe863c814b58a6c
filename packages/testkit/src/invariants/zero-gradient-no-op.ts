import fc from 'fast-check';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';
import { flatValues } from '../internal/tree-values.js';
import { shapeLike } from '../arbitraries/arb-gradient-stream.js';

/**
 * Zero gradient → no update.
 *
 * Math: from a fresh state, a stream of all-zero gradients 0, 0, … gives updates that are
 * exactly 0 (no ε-terms may leak in: 0/(√0 + ε) = 0, and no weight decay acts). NaN counts as a
 * failure (the 0/0 bug).
 *
 * Applies to optimizers with capability `zeroGradientNoOp` (SGD without weight decay, Adam and
 * its relatives without weight decay, sign methods).
 *
 * @example
 * checkOptimizer(() => adam({ lr: 1e-3 }), { capabilities: { zeroGradientNoOp: true } });
 */
export const zeroGradientNoOp: Invariant = {
  name: 'zeroGradientNoOp',
  law: 'from init, gradients 0, 0, 0 give updates exactly 0',
  appliesTo: "capability 'zeroGradientNoOp'",
  skipReason: ({ capabilities }) => (capabilities.zeroGradientNoOp ? undefined : "needs capability 'zeroGradientNoOp'"),
  property: ({ factory }) =>
    fc.property(arbProblem({ length: 1 }), ({ params }) => {
      const size = flatValues(params).length;
      const zeros = [0, 1, 2].map(() => shapeLike(params, new Array<number>(size).fill(0)));
      const run = runSteps(factory(), params, zeros);
      run.updates.forEach((update, step) => {
        const bad = flatValues(update).find((value) => value !== 0);
        if (bad !== undefined)
          throw new Error(`zeroGradientNoOp: step ${step + 1} of zero gradients gave an update element ${bad}`);
      });
    }),
};
