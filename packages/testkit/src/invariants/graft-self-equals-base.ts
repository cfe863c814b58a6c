import fc from 'fast-check';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';
import { GRAFT_GRANULARITIES, makeGraft } from './graft-support.js';

/**
 * Grafting an optimizer onto itself changes nothing.
 *
 * Math: graft(M, D) returns, per block b, D_b·‖M_b‖/‖D_b‖. With M and D two fresh instances of
 * the same optimizer A, M_b = D_b = A_b, so the result is A_b·(‖A_b‖/‖A_b‖) = A_b at every step
 * (both inner states advance identically). Float64; tolerance relative 1e-12 + absolute 1e-15
 * for the rounding of one norm ratio.
 *
 * Applies to every optimizer (needs `graft`); checked for each granularity the implementation
 * accepts among 'tensor' and 'global'.
 *
 * @example
 * checkOptimizer(() => adam(), { invariants: ['graftSelfEqualsBase'] });
 */
export const graftSelfEqualsBase: Invariant = {
  name: 'graftSelfEqualsBase',
  law: 'graft({ magnitude: A, direction: A }) ≡ A',
  appliesTo: 'every optimizer, as both parts of graft',
  skipReason: ({ implementations }) => (implementations.graft ? undefined : 'graft is not available'),
  property: ({ factory, implementations }) =>
    fc.property(
      arbProblem({ length: 4, minLength: 1 }),
      fc.constantFrom(...GRAFT_GRANULARITIES),
      ({ params, gradients }, granularity) => {
        const grafted = makeGraft(implementations, factory(), factory(), granularity);
        if (grafted === undefined) return;
        const expected = runSteps(factory(), params, gradients).updates;
        const actual = runSteps(grafted, params, gradients).updates;
        expectAllClose(
          actual,
          expected,
          { absolute: 1e-15, relative: 1e-12 },
          `graftSelfEqualsBase: graft(A, A) with granularity '${granularity}' differs from A`,
        );
      },
    ),
};
