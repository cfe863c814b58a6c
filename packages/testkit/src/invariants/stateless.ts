import fc from 'fast-check';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';

/**
 * Statelessness: history does not matter.
 *
 * Math: for any history g₁…g_k leading to state s_k, update(g, s_k, p) = update(g, init(p), p)
 * exactly, for the same g and p.
 *
 * Applies to capability `stateless` (plain SGD, sign descent, clipping, scaling).
 *
 * @example
 * checkOptimizer(() => sgd({ lr: 0.1 }), { capabilities: { stateless: true } });
 */
export const stateless: Invariant = {
  name: 'stateless',
  law: 'update(g, s_k, p) = update(g, init(p), p) for any history',
  appliesTo: "capability 'stateless'",
  skipReason: ({ capabilities }) => (capabilities.stateless ? undefined : "needs capability 'stateless'"),
  property: ({ factory }) =>
    fc.property(arbProblem({ length: 4, minLength: 2 }), ({ params, gradients }) => {
      const optimizer = factory();
      const last = gradients[gradients.length - 1]!;
      const run = runSteps(optimizer, params, gradients.slice(0, -1));
      const [afterHistory] = optimizer.update(last, run.state, params);
      const [fromFresh] = optimizer.update(last, optimizer.init(params), params);
      expectAllClose(
        afterHistory,
        fromFresh,
        { absolute: 0, relative: 0 },
        'stateless: the update depends on the history',
      );
    }),
};
