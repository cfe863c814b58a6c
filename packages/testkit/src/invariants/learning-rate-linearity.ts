import fc from 'fast-check';
import { tree, type Tensor } from '@vane/tensor';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runFixedParams } from '../internal/run.js';

/**
 * Learning-rate linearity.
 *
 * Math: with the parameters held fixed, the update sequence at learning rate c·η is c times the
 * sequence at η: u_t(c·η) = c·u_t(η) for c ∈ [0.1, 10] (the learning rate is the last factor
 * of every update, weight decay included). Float64; tolerance relative 1e-9 because the two
 * sides differ only by one multiplication's rounding (~1e-16) amplified by a few steps.
 *
 * Applies to optimizers checked with a `learningRateFactory`.
 *
 * @example
 * checkOptimizer(() => sgd({ lr: 0.1 }), { learningRateFactory: (lr) => sgd({ lr }) });
 */
export const learningRateLinearity: Invariant = {
  name: 'learningRateLinearity',
  law: 'with parameters fixed, updates at learning rate c·η are c times those at η',
  appliesTo: 'optimizers checked with a learningRateFactory',
  skipReason: ({ learningRateFactory }) => (learningRateFactory ? undefined : 'needs options.learningRateFactory'),
  property: ({ learningRateFactory }) =>
    fc.property(
      arbProblem({ length: 3, minLength: 1 }),
      fc.double({ min: 1e-4, max: 1e-2, noNaN: true }),
      fc.double({ min: 0.1, max: 10, noNaN: true }),
      ({ params, gradients }, learningRate, factor) => {
        const base = runFixedParams(learningRateFactory!(learningRate), params, gradients);
        const scaled = runFixedParams(learningRateFactory!(learningRate * factor), params, gradients);
        const expected = base.map((update) => tree.map((leaf: Tensor) => leaf.mul(factor), update));
        expectAllClose(
          scaled,
          expected,
          { absolute: 1e-15, relative: 1e-9 },
          `learningRateLinearity: lr ${learningRate}·${factor} did not scale the updates by ${factor}`,
        );
      },
    ),
};
