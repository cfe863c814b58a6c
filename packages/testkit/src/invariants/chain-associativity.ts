import fc from 'fast-check';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';

/**
 * Associativity of `chain`.
 *
 * Math: chain(chain(A, B), C) ≡ chain(A, chain(B, C)) ≡ chain(A, B, C), with A = C the
 * optimizer under test and B a second instance of it, so its state threads through nested
 * state arrays. Updates agree exactly (the same arithmetic runs in the same order).
 *
 * Applies to every optimizer (needs `chain`).
 *
 * @example
 * checkOptimizer(() => sgd({ lr: 0.1 }), { invariants: ['chainAssociativity'] });
 */
export const chainAssociativity: Invariant = {
  name: 'chainAssociativity',
  law: 'chain(chain(A, B), C) ≡ chain(A, chain(B, C)) ≡ chain(A, B, C)',
  appliesTo: 'every optimizer',
  skipReason: ({ implementations }) => (implementations.chain ? undefined : 'chain is not available'),
  property: ({ factory, implementations }) =>
    fc.property(arbProblem({ length: 3, minLength: 1 }), ({ params, gradients }) => {
      const chain = implementations.chain!;
      const flat = runSteps(chain(factory(), factory(), factory()), params, gradients).updates;
      const exact = { absolute: 0, relative: 0 };
      expectAllClose(
        runSteps(chain(chain(factory(), factory()), factory()), params, gradients).updates,
        flat,
        exact,
        'chainAssociativity: chain(chain(A, B), C) differs from chain(A, B, C)',
      );
      expectAllClose(
        runSteps(chain(factory(), chain(factory(), factory())), params, gradients).updates,
        flat,
        exact,
        'chainAssociativity: chain(A, chain(B, C)) differs from chain(A, B, C)',
      );
    }),
};
