import fc from 'fast-check';
import type { EmptyState, GradientTransformation } from '@vane/optim';
import { tree, type Tensor } from '@vane/tensor';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';
import { flatValues } from '../internal/tree-values.js';

/**
 * A base that negates its input on every other call: its updates alternate in sign whatever the
 * gradients do, so a gain rule that reads the base's updates instead of the gradients is
 * exposed. Its state is the call count.
 */
function alternatingNegation(): GradientTransformation<{ count: number } | EmptyState> {
  return {
    init: () => ({ count: 0 }),
    update: (updates, state) => {
      const count = (state as { count: number }).count;
      const out = count % 2 === 0 ? updates : tree.map((leaf: Tensor) => leaf.neg(), updates);
      return [out, { count: count + 1 }];
    },
  };
}

/**
 * `active` gains follow gradient signs.
 *
 * Math (signal 'gradient', λ_high > 0, 0 < λ_low < 1, period K, 4K steps, so three gain
 * changes at t = 2K, 3K, 4K):
 * - consistent signs (g_{t,i} = s_i·m_{t,i}): consecutive period sums agree, every gain grows
 *   to 1 + 3λ_high > 1;
 * - alternating signs with K = 1 (g_{t,i} = (−1)^t·s_i·m_{t,i}): every change is a flip, every
 *   gain shrinks to λ_low³ < 1;
 * - the gains depend on the gradients only: with the optimizer as base and with a base whose
 *   updates alternate in sign, the gains are identical (exactly).
 *
 * Applies to every optimizer, as the base of active (needs `active` and `activeGains`).
 *
 * @example
 * checkOptimizer(() => sgd({ lr: 0.01 }), { invariants: ['activeGainsFollowSigns'] });
 */
export const activeGainsFollowSigns: Invariant = {
  name: 'activeGainsFollowSigns',
  law: 'gains of active(B, signal gradient) grow under consistent signs, shrink under alternating signs, and do not depend on B',
  appliesTo: 'every optimizer, as the base of active',
  skipReason: ({ implementations }) =>
    implementations.active && implementations.activeGains ? undefined : 'active/activeGains are not available',
  property: ({ factory, implementations }) =>
    fc.property(
      fc
        .constantFrom<'consistentSign' | 'alternatingSign'>('consistentSign', 'alternatingSign')
        .chain((kind) =>
          fc
            .integer({ min: 1, max: kind === 'consistentSign' ? 2 : 1 })
            .chain((period) =>
              fc.tuple(fc.constant(kind), fc.constant(period), arbProblem({ length: 4 * period, kind })),
            ),
        ),
      fc.double({ min: 0.1, max: 2, noNaN: true }),
      fc.double({ min: 0.1, max: 0.9, noNaN: true }),
      ([kind, period, { params, gradients }], increase, decrease) => {
        const { active, activeGains } = implementations;
        const options = { period, increase, decrease, signal: 'gradient' };
        const run = runSteps(active!(factory(), options), params, gradients);
        const gains = activeGains!(run.state);
        const values = flatValues(gains);
        if (kind === 'consistentSign') {
          const bad = values.findIndex((gain) => !(gain > 1));
          if (bad >= 0)
            throw new Error(
              `activeGainsFollowSigns: under consistent signs gain ${bad} is ${values[bad]} (expected > 1)`,
            );
        } else {
          const bad = values.findIndex((gain) => !(gain < 1));
          if (bad >= 0)
            throw new Error(
              `activeGainsFollowSigns: under alternating signs gain ${bad} is ${values[bad]} (expected < 1)`,
            );
        }
        const other = runSteps(active!(alternatingNegation(), options), params, gradients);
        expectAllClose(
          activeGains!(other.state),
          gains,
          { absolute: 0, relative: 0 },
          "activeGainsFollowSigns: with signal 'gradient' the gains depend on the base's updates",
        );
      },
    ),
};
