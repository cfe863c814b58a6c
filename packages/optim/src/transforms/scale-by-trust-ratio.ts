import { add, cast, div, fusedMap, greater, logicalAnd, mul, norm, tidy, where, type Tensor } from '@vane/tensor';
import { ADD_SCALED } from '../kernels.js';
import type { EmptyState, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, requireParams } from '../tree-utilities.js';
import { checkNonNegative, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link scaleByTrustRatio}. */
export interface ScaleByTrustRatioOptions {
  /** η, the trust coefficient multiplying the ratio (default 1; LARS uses 0.001). */
  trustCoefficient?: number;
  /** ε ≥ 0 added to the denominator (default 0). */
  eps?: number;
  /**
   * β ≥ 0: LARS's weight decay, folded in as the paper does: the update becomes u + βp and
   * the denominator ‖u‖ + β‖p‖ (default 0, LAMB's form, where decay is a separate transform).
   */
  weightDecay?: number;
}

/**
 * Layer-wise trust ratio (LARS, LAMB): rescales each parameter tensor's update so that its
 * norm is proportional to the parameter's norm.
 *
 * Update, per leaf: d = ‖u‖ + β‖p‖; r = η‖p‖/(d + ε) if ‖p‖ > 0 and d > 0, else 1;
 * out = r·(u + βp). The norms and r stay on the device. State: none.
 *
 * @param options - `trustCoefficient` η (1), `eps` (0), `weightDecay` β (0).
 * @example
 * const lambLike = chain(scaleByAdam({ eps: 1e-6 }), addDecayedWeights(0.01), scaleByTrustRatio(), scaleByLearningRate(1e-3));
 * @see You, Gitman, Ginsburg, "Large Batch Training of Convolutional Networks" (2017) (LARS);
 *   You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes" (ICLR 2020) (LAMB).
 */
export function scaleByTrustRatio(options: ScaleByTrustRatioOptions = {}): GradientTransformation<EmptyState> {
  const owner = 'scaleByTrustRatio';
  checkOptionKeys(owner, options, ['trustCoefficient', 'eps', 'weightDecay']);
  const trustCoefficient = checkPositive(owner, 'trustCoefficient', options.trustCoefficient ?? 1);
  const eps = checkNonNegative(owner, 'eps', options.eps ?? 0);
  const weightDecay = checkNonNegative(owner, 'weightDecay', options.weightDecay ?? 0);
  return {
    init: () => ({}),
    update: (updates, state, params) => {
      const parameters = requireParams('scaleByTrustRatio.update', params);
      checkStructure('scaleByTrustRatio.update', parameters, updates, ['params', 'updates']);
      const out = tidy(
        () =>
          mapTensors(
            (u: Tensor, p: Tensor) => {
              const parameterNorm = norm(p);
              const updateNorm = norm(u);
              const denominator = weightDecay === 0 ? updateNorm : add(updateNorm, mul(parameterNorm, weightDecay));
              const usable = logicalAnd(greater(parameterNorm, 0), greater(denominator, 0));
              const ratio = where(usable, div(mul(parameterNorm, trustCoefficient), add(denominator, eps)), 1);
              const direction = weightDecay === 0 ? u : fusedMap(ADD_SCALED, [u, p], [weightDecay]);
              return mul(direction, cast(ratio, u.dtype));
            },
            updates,
            parameters,
          ) as TensorTree,
      );
      return [out, state];
    },
  };
}
