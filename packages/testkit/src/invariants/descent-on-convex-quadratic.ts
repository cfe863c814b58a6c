import fc from 'fast-check';
import type { Tensor, Tree } from '@vane/tensor';
import type { Invariant } from '../invariant.js';
import { arbProblem } from '../internal/run.js';
import { flatValues } from '../internal/tree-values.js';
import { shapeLike } from '../arbitraries/arb-gradient-stream.js';

/** Learning rate used when the caller supplies `learningRateFactory`: small enough for every curvature drawn. */
export const DESCENT_LEARNING_RATE = 1e-3;

/**
 * Descent on convex quadratics for small learning rates.
 *
 * Math: f(p) = ½·Σᵢ aᵢ·pᵢ² with curvatures aᵢ ∈ [0.1, 10] and a start with |pᵢ| ∈ [0.5, 1],
 * gradient ∇f = a∘p. Five steps p ← p + u(∇f(p)) must never raise f and must lower it overall.
 * With learning rate η ≤ 1e-3 every optimizer in the Adam and SGD families moves each
 * coordinate by O(η) towards 0, far less than |pᵢ| ≥ 0.5, so each step lowers f. Computed in
 * float64 in plain JavaScript, outside the tensor library; the only slack is 1e-12·f for
 * rounding.
 *
 * Applies to complete optimizers (capability `descends`); uses `learningRateFactory(1e-3)`
 * when given, else the factory as is (whose learning rate must then be small).
 *
 * @example
 * checkOptimizer(() => adam({ lr: 1e-3 }), { capabilities: { descends: true }, invariants: ['descentOnConvexQuadratic'] });
 */
export const descentOnConvexQuadratic: Invariant = {
  name: 'descentOnConvexQuadratic',
  law: 'on f(p) = ½Σaᵢpᵢ², five small-learning-rate steps from |pᵢ| ≥ ½ never raise f and lower it overall',
  appliesTo: "complete optimizers with a small learning rate (capability 'descends')",
  skipReason: ({ capabilities }) => (capabilities.descends ? undefined : "needs capability 'descends'"),
  property: ({ factory, learningRateFactory }) =>
    fc.property(
      arbProblem({ length: 1 }).chain(({ params }) => {
        const size = flatValues(params).length;
        return fc.record({
          params: fc.constant(params),
          curvatures: fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: size, maxLength: size }),
        });
      }),
      ({ params, curvatures }) => {
        const start = flatValues(params).map((value) => (value < 0 ? -1 : 1) * (0.5 + Math.abs(value) / 2));
        const loss = (values: readonly number[]) =>
          values.reduce((total, value, index) => total + 0.5 * curvatures[index]! * value * value, 0);
        const optimizer = learningRateFactory ? learningRateFactory(DESCENT_LEARNING_RATE) : factory();
        let current: Tree<Tensor> = shapeLike(params, start);
        let state = optimizer.init(current);
        let values = start;
        const initialLoss = loss(values);
        for (let step = 0; step < 5; step++) {
          const gradient = shapeLike(
            params,
            values.map((value, index) => curvatures[index]! * value),
          );
          const [update, next] = optimizer.update(gradient, state, current);
          state = next;
          const updateValues = flatValues(update);
          const nextValues = values.map((value, index) => value + updateValues[index]!);
          const before = loss(values);
          const after = loss(nextValues);
          if (!(after <= before * (1 + 1e-12)))
            throw new Error(`descentOnConvexQuadratic: step ${step + 1} raised the loss from ${before} to ${after}`);
          values = nextValues;
          current = shapeLike(params, values);
        }
        const finalLoss = loss(values);
        if (!(finalLoss < initialLoss))
          throw new Error(
            `descentOnConvexQuadratic: five steps did not lower the loss (${initialLoss} → ${finalLoss})`,
          );
      },
    ),
};
