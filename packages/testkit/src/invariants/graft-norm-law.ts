import fc from 'fast-check';
import { tree, type Tensor, type Tree } from '@vane/tensor';
import { expectAllClose } from '../assertions/expect-all-close.js';
import type { Invariant } from '../invariant.js';
import type { AnyTransform } from '../optim-implementations.js';
import { arbProblem, runFixedParams } from '../internal/run.js';
import { euclideanNorm, readTensorLeaves } from '../internal/tree-values.js';
import { shapeLike } from '../arbitraries/arb-gradient-stream.js';
import { GRAFT_GRANULARITIES, makeGraft, type GraftGranularity } from './graft-support.js';

/** The transform that returns its input: the simplest direction or magnitude there is. */
function passThrough(): AnyTransform {
  return { init: () => ({}), update: (updates, state) => [updates, state] };
}

/**
 * The graft norm law.
 *
 * Math: per block b (each tensor for 'tensor', the whole tree for 'global'),
 * graft(M, D)_b = D_b·‖M_b‖₂/‖D_b‖₂: the norm of the magnitude's update with the direction of
 * the direction's update. M and D are run separately, from their own fresh states, on the same
 * gradients (parameters fixed), and the expected result is computed in plain float64 outside
 * the code under test, so a graft that fails to advance either part's state is caught from the
 * second step. The optimizer under test plays M with D = pass-through, then D with M =
 * pass-through. Blocks with ‖D_b‖ = 0 are not judged (the convention there is the
 * implementation's). Tolerance relative 1e-10 + absolute 1e-14 (norms summed in another order).
 *
 * Applies to every optimizer (needs `graft`).
 *
 * @example
 * checkOptimizer(() => sgd({ lr: 0.1, momentum: 0.9 }), { invariants: ['graftNormLaw'] });
 */
export const graftNormLaw: Invariant = {
  name: 'graftNormLaw',
  law: 'graft(M, D)_b = D_b·‖M_b‖/‖D_b‖ per block, with M and D each advancing its own state',
  appliesTo: 'every optimizer, as either part of graft',
  skipReason: ({ implementations }) => (implementations.graft ? undefined : 'graft is not available'),
  property: ({ factory, implementations }) =>
    fc.property(
      arbProblem({ length: 4, minLength: 2 }),
      fc.constantFrom(...GRAFT_GRANULARITIES),
      fc.boolean(),
      ({ params, gradients }, granularity, underTestIsMagnitude) => {
        const [magnitude, direction] = underTestIsMagnitude ? [factory, passThrough] : [passThrough, factory];
        const grafted = makeGraft(implementations, magnitude(), direction(), granularity);
        if (grafted === undefined) return;
        const magnitudes = runFixedParams(magnitude(), params, gradients);
        const directions = runFixedParams(direction(), params, gradients);
        const actual = runFixedParams(grafted, params, gradients);
        actual.forEach((update, step) => {
          const { expected, judged } = expectedGraft(params, magnitudes[step]!, directions[step]!, granularity);
          const mask = (value: Tree<Tensor>) =>
            shapeLike(
              params,
              readTensorLeaves(value).flatMap((leaf, index) => leaf.values.map((v) => (judged[index] ? v : 0))),
            );
          expectAllClose(
            mask(update),
            expected,
            { absolute: 1e-14, relative: 1e-10 },
            `graftNormLaw: step ${step + 1}, granularity '${granularity}', optimizer as ${underTestIsMagnitude ? 'magnitude' : 'direction'}`,
          );
        });
        void tree;
      },
    ),
};

/** D_b·‖M_b‖/‖D_b‖ per block in plain numbers; blocks with ‖D_b‖ = 0 are zeroed and marked unjudged. */
function expectedGraft(
  params: Tree<Tensor>,
  magnitude: Tree<Tensor>,
  direction: Tree<Tensor>,
  granularity: GraftGranularity,
): { expected: Tree<Tensor>; judged: boolean[] } {
  const magnitudeLeaves = readTensorLeaves(magnitude);
  const directionLeaves = readTensorLeaves(direction);
  const blocks =
    granularity === 'global' ? [directionLeaves.map((_, index) => index)] : directionLeaves.map((_, index) => [index]);
  const scaled: number[][] = directionLeaves.map((leaf) => leaf.values.map(() => 0));
  const judged = directionLeaves.map(() => false);
  for (const block of blocks) {
    const magnitudeNorm = euclideanNorm(block.flatMap((index) => magnitudeLeaves[index]!.values));
    const directionNorm = euclideanNorm(block.flatMap((index) => directionLeaves[index]!.values));
    if (directionNorm === 0) continue;
    for (const index of block) {
      judged[index] = true;
      scaled[index] = directionLeaves[index]!.values.map((value) => (value * magnitudeNorm) / directionNorm);
    }
  }
  return { expected: shapeLike(params, scaled.flat()), judged };
}
