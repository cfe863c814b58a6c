import fc from 'fast-check';
import { tree, type Tensor } from '@vane/tensor';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runFixedParams } from '../internal/run.js';

/**
 * Invariance to positive gradient scaling (sign-based and Adam-style updates).
 *
 * Math: for c > 0, the updates for c·g₁, …, c·g_T equal those for g₁, …, g_T up to ε: sign(c·g)
 * = sign(g) exactly, and m/(√v + ε) scales as c·m/(c·√v + ε). With |g| ≥ 0.01, c ∈ [0.1, 10]
 * and β₂ ≤ 0.999, √v ≥ 3e-4·c, so the ε = 1e-8 term shifts the result by at most ~1e-4
 * relative; the tolerance is relative 1e-3 + absolute 1e-9 (absolute for exact zeros), with
 * float64 arithmetic everywhere else. The parameters are held fixed (updates not applied) so
 * weight decay, if any, sees the same parameters in both runs; decay itself is not
 * scale-invariant, so declare the capability only without it.
 *
 * Applies to capability `scaleInvariant`.
 *
 * @example
 * checkOptimizer(() => adam({ lr: 1e-3 }), { capabilities: { scaleInvariant: true } });
 */
export const positiveScaleInvariance: Invariant = {
  name: 'positiveScaleInvariance',
  law: 'updates for c·g equal updates for g (c > 0), up to ε',
  appliesTo: "capability 'scaleInvariant' (sign methods, Adam-style m/√v)",
  skipReason: ({ capabilities }) => (capabilities.scaleInvariant ? undefined : "needs capability 'scaleInvariant'"),
  property: ({ factory }) =>
    fc.property(
      arbProblem({ length: 4, minLength: 1 }),
      fc.double({ min: 0.1, max: 10, noNaN: true }),
      ({ params, gradients }, scale) => {
        const scaled = gradients.map((gradient) => tree.map((leaf: Tensor) => leaf.mul(scale), gradient));
        const reference = runFixedParams(factory(), params, gradients);
        const actual = runFixedParams(factory(), params, scaled);
        expectAllClose(
          actual,
          reference,
          { absolute: 1e-9, relative: 1e-3 },
          `positiveScaleInvariance: scaling gradients by ${scale} changed the updates`,
        );
      },
    ),
};
