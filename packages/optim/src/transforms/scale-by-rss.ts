import { defineKernel, expression as e } from '@vane/tensor';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, fullTree } from '../tree-utilities.js';
import { checkNonNegative, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link scaleByRss}. */
export interface ScaleByRssOptions {
  /** Starting value of the accumulator (default 0, as PyTorch). */
  initialAccumulatorValue?: number;
  /** ε > 0 added to the root (default 1e-10, as PyTorch). */
  eps?: number;
}

/** State of {@link scaleByRss}. */
export interface ScaleByRssState {
  /** Σ g²: the running sum of squared gradients, shaped like the params. */
  sumOfSquares: TensorTree;
}

const ACCUMULATE = defineKernel('optim.rss.accumulate', { inputs: ['sum', 'g'] }, ({ sum, g }) =>
  e.add(sum, e.mul(g, g)),
);

const RSS_DIRECTION = defineKernel(
  'optim.rss.direction',
  { inputs: ['g', 'sum'], scalars: ['eps'] },
  ({ g, sum, eps }) => e.div(g, e.add(e.sqrt(sum), eps)),
);

/**
 * AdaGrad's rescaling by the root of the sum of squared gradients.
 *
 * Update: G_t = G_{t−1} + g², G₀ = `initialAccumulatorValue`; out = g / (√G_t + ε).
 *
 * @param options - `initialAccumulatorValue` (0), `eps` (1e-10).
 * @example
 * const adagradLike = chain(scaleByRss({ initialAccumulatorValue: 0.1 }), scaleByLearningRate(0.01));
 * @see Duchi, Hazan, Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization" (JMLR 2011).
 */
export function scaleByRss(options: ScaleByRssOptions = {}): GradientTransformation<ScaleByRssState> {
  const owner = 'scaleByRss';
  checkOptionKeys(owner, options, ['initialAccumulatorValue', 'eps']);
  const initial = checkNonNegative(owner, 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-10);
  return finalKernelProducer(
    (params) => ({ sumOfSquares: fullTree(params, initial) }),
    (updates, state): FinalKernel<ScaleByRssState> => {
      checkStructure('scaleByRss.update', state.sumOfSquares, updates, ['state.sumOfSquares', 'updates']);
      // The sum is a fresh input: the sum and the direction in one pass where it runs as one.
      return {
        owner,
        kernel: RSS_DIRECTION,
        fresh: {
          kernels: [ACCUMULATE],
          sources: [state.sumOfSquares, updates],
          scalars: [],
          selected: [{ source: 1 }, { output: 0 }],
          state: ([sumOfSquares]) => ({ sumOfSquares: sumOfSquares! }),
        },
        scalars: [eps],
        roundsOutput: true,
      };
    },
  );
}
