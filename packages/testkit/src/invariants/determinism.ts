import fc from 'fast-check';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';

/**
 * Determinism and purity: the same inputs give bit-identical outputs.
 *
 * Math: for two fresh instances A, B of the factory and a gradient stream g₁…g_T,
 * A's updates u_t and states s_t equal B's exactly; and calling `update(g, s)` twice on one
 * instance with the same state s gives the same result both times (so nothing outside s,
 * such as a closure variable or `Math.random`, influences it). Tolerance 0: the same code on
 * the same inputs must reproduce every bit.
 *
 * Applies to every optimizer.
 *
 * @example
 * checkOptimizer(() => adam({ lr: 1e-3 }), { invariants: ['determinism'] });
 */
export const determinism: Invariant = {
  name: 'determinism',
  law: 'two fresh instances give identical updates and states; update(g, s) twice gives the same result',
  appliesTo: 'every optimizer',
  skipReason: () => undefined,
  property: ({ factory }) =>
    fc.property(arbProblem({ length: 4, minLength: 1 }), ({ params, gradients }) => {
      const exact = { absolute: 0, relative: 0 };
      const first = runSteps(factory(), params, gradients);
      const second = runSteps(factory(), params, gradients);
      expectAllClose(second.updates, first.updates, exact, 'determinism: two fresh instances gave different updates');
      expectAllClose(
        second.states as any,
        first.states as any,
        exact,
        'determinism: two fresh instances gave different states',
      );
      const instance = factory();
      const state = instance.init(params);
      const [once] = instance.update(gradients[0]!, state, params);
      const [again] = instance.update(gradients[0]!, state, params);
      expectAllClose(
        again,
        once,
        exact,
        'determinism: update(g, s) called twice with the same state gave different updates (state kept outside the returned state, or randomness?)',
      );
    }),
};
