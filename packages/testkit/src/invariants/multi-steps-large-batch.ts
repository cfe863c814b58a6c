import fc from 'fast-check';
import { tree, type Tensor, type Tree } from '@vane/tensor';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import { arbProblem, runFixedParams } from '../internal/run.js';
import { flatValues } from '../internal/tree-values.js';
import { shapeLike } from '../arbitraries/arb-gradient-stream.js';

/**
 * Gradient accumulation equals a k-times larger batch.
 *
 * Math: the gradient of a mean loss over a batch of k micro-batches is ḡ = (1/k)·Σⱼ gⱼ. Over
 * 2k micro-steps, multiSteps(T, k) returns 0 on every micro-step but the k-th of each group,
 * where it returns T's update for that group's ḡ (means computed here in plain float64, outside
 * the code under test). For a linear T (capability `linear`: SGD, momentum), that update also
 * equals (1/k)·Σⱼ T(gⱼ) from the same state, i.e. accumulating updates equals accumulating
 * gradients. Tolerance relative 1e-9 + absolute 1e-12: float64 summation order differs.
 * Parameters are held fixed, as a training loop does between real updates.
 *
 * Applies to every optimizer (needs `multiSteps`); the linear law to capability `linear`.
 *
 * @example
 * checkOptimizer(() => sgd({ lr: 0.1, momentum: 0.9 }), { capabilities: { linear: true } });
 */
export const multiStepsLargeBatch: Invariant = {
  name: 'multiStepsLargeBatch',
  law: 'multiSteps(T, k) over k micro-batches equals T on their mean gradient (and the mean of T per micro-batch, for linear T)',
  appliesTo: "every optimizer; the linear form with capability 'linear'",
  skipReason: ({ implementations }) => (implementations.multiSteps ? undefined : 'multiSteps is not available'),
  property: ({ factory, capabilities, implementations }) =>
    fc.property(
      fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(fc.constant(k), arbProblem({ length: 2 * k }))),
      ([k, { params, gradients }]) => {
        const tolerance = { absolute: 1e-12, relative: 1e-9 };
        const accumulated = runFixedParams(implementations.multiSteps!(factory(), k), params, gradients);
        const means: Tree<Tensor>[] = [];
        for (let group = 0; group < 2; group++) {
          const members = gradients.slice(group * k, group * k + k).map(flatValues);
          means.push(
            shapeLike(
              params,
              members[0]!.map((_, index) => members.reduce((total, member) => total + member[index]!, 0) / k),
            ),
          );
        }
        const large = runFixedParams(factory(), params, means);
        accumulated.forEach((update, step) => {
          if ((step + 1) % k === 0)
            expectAllClose(
              update,
              large[(step + 1) / k - 1]!,
              tolerance,
              `multiStepsLargeBatch: micro-step ${step + 1} (k = ${k}) differs from T on the mean gradient`,
            );
          else if (flatValues(update).some((value) => value !== 0))
            throw new Error(`multiStepsLargeBatch: micro-step ${step + 1} (k = ${k}) returned a non-zero update`);
        });
        if (capabilities.linear) {
          // Each micro-batch's update from the same state, averaged.
          const optimizer = factory();
          const state = optimizer.init(params);
          const perMember = gradients
            .slice(0, k)
            .map((gradient) => flatValues(optimizer.update(gradient, state, params)[0]));
          const mean = shapeLike(
            params,
            perMember[0]!.map((_, index) => perMember.reduce((total, member) => total + member[index]!, 0) / k),
          );
          expectAllClose(
            accumulated[k - 1]!,
            mean,
            tolerance,
            'multiStepsLargeBatch: for a linear T, the accumulated update differs from the mean of per-micro-batch updates',
          );
        }
        void tree;
      },
    ),
};
