import fc from 'fast-check';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';

/**
 * `active` with neutral gain changes is its base.
 *
 * Math: with λ_high = 0 (`increase`) and λ_low = 1 (`decrease`), a gain change maps a to a + 0
 * or a·1, so every gain stays 1 and active(B)(g) = 1 ⊙ B(g) = B(g) at every step, for any period
 * K and either signal; the base's state advances exactly as it would alone. Exact: multiplying
 * by 1 is exact in floating point.
 *
 * Applies to every optimizer as the base (needs `active`).
 *
 * @example
 * checkOptimizer(() => adamw({ lr: 1e-3 }), { invariants: ['activeNeutralEqualsBase'] });
 */
export const activeNeutralEqualsBase: Invariant = {
  name: 'activeNeutralEqualsBase',
  law: 'active(B, { increase: 0, decrease: 1 }) ≡ B',
  appliesTo: 'every optimizer, as the base of active',
  skipReason: ({ implementations }) => (implementations.active ? undefined : 'active is not available'),
  property: ({ factory, implementations }) =>
    fc.property(
      arbProblem({ length: 6, minLength: 1 }),
      fc.integer({ min: 1, max: 2 }),
      fc.constantFrom('gradient', 'update'),
      ({ params, gradients }, period, signal) => {
        const expected = runSteps(factory(), params, gradients).updates;
        const actual = runSteps(
          implementations.active!(factory(), { period, increase: 0, decrease: 1, signal }),
          params,
          gradients,
        ).updates;
        expectAllClose(
          actual,
          expected,
          { absolute: 0, relative: 0 },
          `activeNeutralEqualsBase: active(B, { period: ${period}, increase: 0, decrease: 1, signal: '${signal}' }) differs from B`,
        );
      },
    ),
};
