import fc from 'fast-check';
import { tree, type Tensor, type Tree } from '@vane/tensor';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runSteps } from '../internal/run.js';

/**
 * Masked leaves are untouched.
 *
 * Math: for a boolean mask M over the leaves, masked(T, M) passes every leaf with M = false
 * through unchanged (u_i = g_i, exactly) and, on the leaves with M = true, equals T run on
 * those leaves alone: masked(T, M)(g)_M = T(g_M). Exact: masking does no arithmetic.
 *
 * Applies to every optimizer (needs `masked`).
 *
 * @example
 * checkOptimizer(() => adamw({ lr: 1e-3 }), { invariants: ['maskedLeavesUntouched'] });
 */
export const maskedLeavesUntouched: Invariant = {
  name: 'maskedLeavesUntouched',
  law: 'masked(T, M) returns g_i where M_i is false and T(g_M) where it is true',
  appliesTo: 'every optimizer',
  skipReason: ({ implementations }) => (implementations.masked ? undefined : 'masked is not available'),
  property: ({ factory, implementations }) =>
    fc.property(
      arbProblem({ length: 3, minLength: 1 }).chain((problem) => {
        const count = tree.leaves(problem.params).length;
        return fc.tuple(fc.constant(problem), fc.array(fc.boolean(), { minLength: count, maxLength: count }));
      }),
      ([{ params, gradients }, flags]) => {
        const paths = tree.paths(params);
        const mask = tree.map((_leaf: Tensor, path: string) => flags[paths.indexOf(path)]!, params) as Tree<boolean>;
        const run = runSteps(implementations.masked!(factory(), mask), params, gradients);
        // The reference: T on the selected leaves only, with the selected parameters.
        const select = (value: Tree<Tensor>) =>
          Object.fromEntries(
            tree
              .entries(value)
              .filter(([path]) => flags[paths.indexOf(path)])
              .map(([path, leaf]) => [path, leaf]),
          );
        let referenceParams: Tree<Tensor> = select(params);
        const reference = factory();
        let referenceState = reference.init(referenceParams);
        gradients.forEach((gradient, step) => {
          const updateEntries = new Map(tree.entries(run.updates[step]!));
          for (const [path, leaf] of tree.entries(gradient)) {
            if (!flags[paths.indexOf(path)])
              expectAllClose(
                updateEntries.get(path),
                leaf,
                { absolute: 0, relative: 0 },
                `maskedLeavesUntouched: masked-out leaf '${path}' was changed at step ${step + 1}`,
              );
          }
          if (flags.some(Boolean)) {
            const [expected, next] = reference.update(select(gradient), referenceState, referenceParams);
            referenceState = next;
            referenceParams = tree.map((p: Tensor, u: Tensor) => p.add(u), referenceParams, expected);
            expectAllClose(
              select(run.updates[step]!),
              expected,
              { absolute: 0, relative: 0 },
              `maskedLeavesUntouched: selected leaves differ from T on them alone at step ${step + 1}`,
            );
          }
        });
      },
    ),
};
