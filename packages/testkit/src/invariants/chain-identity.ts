import fc from 'fast-check';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';

/**
 * Identity laws of `chain`: the identity transform is neutral on both sides.
 *
 * Math: chain(identity, T) ≡ T ≡ chain(T, identity) ≡ chain(T): over any gradient stream the
 * updates agree exactly (tolerance 0: the identity adds no arithmetic).
 *
 * Applies to every optimizer (needs `chain` and `identity`).
 *
 * @example
 * checkOptimizer(() => adam(), { invariants: ['chainIdentity'] });
 */
export const chainIdentity: Invariant = {
  name: 'chainIdentity',
  law: 'chain(identity, T) ≡ T ≡ chain(T, identity) ≡ chain(T)',
  appliesTo: 'every optimizer',
  skipReason: ({ implementations }) =>
    implementations.chain && implementations.identity ? undefined : 'chain/identity are not available',
  property: ({ factory, implementations }) =>
    fc.property(arbProblem({ length: 3, minLength: 1 }), ({ params, gradients }) => {
      const { chain, identity } = implementations;
      const expected = runSteps(factory(), params, gradients).updates;
      const exact = { absolute: 0, relative: 0 };
      expectAllClose(
        runSteps(chain!(identity!(), factory()), params, gradients).updates,
        expected,
        exact,
        'chainIdentity: chain(identity, T) differs from T',
      );
      expectAllClose(
        runSteps(chain!(factory(), identity!()), params, gradients).updates,
        expected,
        exact,
        'chainIdentity: chain(T, identity) differs from T',
      );
      expectAllClose(
        runSteps(chain!(factory()), params, gradients).updates,
        expected,
        exact,
        'chainIdentity: chain(T) differs from T',
      );
    }),
};
