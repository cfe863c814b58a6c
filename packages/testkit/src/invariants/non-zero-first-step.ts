import fc from 'fast-check';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';
import { flatValues } from '../internal/tree-values.js';

/**
 * A non-zero first step for non-zero gradients.
 *
 * Math: from a fresh state, if every gradient element gᵢ ≠ 0 then every update element of the
 * first step is ≠ 0. This catches update rules that lag one step behind (emitting the previous
 * step's update, which is zero at the start), as optax's Rprop once did.
 *
 * Applies to capability `nonZeroFirstStep`.
 *
 * @example
 * checkOptimizer(() => rprop({ lr: 1e-3 }), { capabilities: { nonZeroFirstStep: true } });
 */
export const nonZeroFirstStep: Invariant = {
  name: 'nonZeroFirstStep',
  law: 'from init, g with every gᵢ ≠ 0 gives a first update with every uᵢ ≠ 0',
  appliesTo: "capability 'nonZeroFirstStep'",
  skipReason: ({ capabilities }) => (capabilities.nonZeroFirstStep ? undefined : "needs capability 'nonZeroFirstStep'"),
  property: ({ factory }) =>
    fc.property(arbProblem({ length: 1 }), ({ params, gradients }) => {
      const [first] = runSteps(factory(), params, gradients).updates;
      const values = flatValues(first!);
      const index = values.findIndex((value) => value === 0 || Number.isNaN(value));
      if (index >= 0)
        throw new Error(
          `nonZeroFirstStep: first update element ${index} is ${values[index]} for gradient ${flatValues(gradients[0]!)[index]}`,
        );
    }),
};
