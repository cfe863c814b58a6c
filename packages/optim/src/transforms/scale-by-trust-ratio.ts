import {
  add,
  cast,
  defineKernel,
  div,
  expression as e,
  fusedMap,
  greater,
  logicalAnd,
  mul,
  norm,
  tidy,
  where,
  type Tensor,
} from '@vane/tensor';
import { runFinalKernel } from '../combinators/compose-final-kernel.js';
import { ADD_SCALED } from '../kernels.js';
import type { EmptyState, FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, requireParams, tensorLeaves } from '../tree-utilities.js';
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

/** u·r, the trust ratio r a per-leaf scalar. */
const TRUST_RATIO_SCALED = defineKernel(
  'optim.trustRatio.scaled',
  { inputs: ['u'], scalars: ['ratio'] },
  ({ u, ratio }) => e.mul(u, ratio),
);

/**
 * (u + β·p)·r in one pass; for float32 the direction is rounded first, as storing it between the
 * two passes did, so the product is bit for bit the two passes'.
 */
const TRUST_RATIO_DECAYED = {
  float64: defineKernel(
    'optim.trustRatio.decayed',
    { inputs: ['u', 'p'], scalars: ['weightDecay', 'ratio'] },
    ({ u, p, weightDecay, ratio }) => e.mul(e.add(u, e.mul(weightDecay, p)), ratio),
  ),
  float32: defineKernel(
    'optim.trustRatio.decayedRounded',
    { inputs: ['u', 'p'], scalars: ['weightDecay', 'ratio'] },
    ({ u, p, weightDecay, ratio }) => e.mul(e.fround(e.add(u, e.mul(weightDecay, p))), ratio),
  ),
};

/**
 * Layer-wise trust ratio (LARS, LAMB): rescales each parameter tensor's update so that its
 * norm is proportional to the parameter's norm.
 *
 * Update, per leaf: d = ‖u‖ + β‖p‖; r = η‖p‖/(d + ε) if ‖p‖ > 0 and d > 0, else 1;
 * out = r·(u + βp). State: none.
 *
 * Two passes: the norms (reductions), then one kernel with r as a per-leaf scalar, its final
 * kernel, into which `chain` composes the learning rate (LAMB). On the CPU r is read on the host
 * for that; on other backends the norms and r stay on the device and the product is a tensor
 * op. Bit for bit the same either way.
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
  const checkedParams = (updates: TensorTree, params: TensorTree | undefined): TensorTree => {
    const parameters = requireParams('scaleByTrustRatio.update', params);
    checkStructure('scaleByTrustRatio.update', parameters, updates, ['params', 'updates']);
    return parameters;
  };
  /** r for one leaf, a 0-d tensor of the update's dtype that stays on the device. */
  const ratioOf = (u: Tensor, p: Tensor): Tensor => {
    const parameterNorm = norm(p);
    const updateNorm = norm(u);
    const denominator = weightDecay === 0 ? updateNorm : add(updateNorm, mul(parameterNorm, weightDecay));
    const usable = logicalAnd(greater(parameterNorm, 0), greater(denominator, 0));
    return cast(where(usable, div(mul(parameterNorm, trustCoefficient), add(denominator, eps)), 1), u.dtype);
  };
  const finalKernel = (
    updates: TensorTree,
    state: EmptyState,
    params: TensorTree | undefined,
  ): FinalKernel<EmptyState> | undefined => {
    const parameters = checkedParams(updates, params);
    const leaves = [...tensorLeaves(updates), ...tensorLeaves(parameters)];
    const dtype = leaves[0]?.dtype;
    // The ratios become kernel scalars, read on the host: only where that costs no device
    // round trip (CPU), and with one dtype (the float32 kernel rounds the decayed direction).
    if (leaves.some((leaf) => leaf.backend.name !== 'cpu' || leaf.dtype !== dtype)) return undefined;
    const leafScalars: number[][] = [];
    tidy(() =>
      mapTensors(
        (u: Tensor, p: Tensor) => {
          leafScalars.push([ratioOf(u, p).dataSync()[0]!]);
          return u;
        },
        updates,
        parameters,
      ),
    );
    if (weightDecay === 0)
      return {
        owner,
        kernel: TRUST_RATIO_SCALED,
        inputs: [updates],
        scalars: [],
        leafScalars,
        state,
        roundsOutput: true,
      };
    return {
      owner,
      kernel: dtype === 'float32' ? TRUST_RATIO_DECAYED.float32 : TRUST_RATIO_DECAYED.float64,
      inputs: [updates, parameters],
      scalars: [weightDecay],
      leafScalars,
      state,
      roundsOutput: true,
    };
  };
  return {
    init: () => ({}),
    update: (updates, state, params) => {
      const final = finalKernel(updates, state, params);
      if (final !== undefined) return runFinalKernel(final, updates, undefined, undefined);
      const parameters = checkedParams(updates, params);
      const out = tidy(
        () =>
          mapTensors(
            (u: Tensor, p: Tensor) =>
              mul(weightDecay === 0 ? u : fusedMap(ADD_SCALED, [u, p], [weightDecay]), ratioOf(u, p)),
            updates,
            parameters,
          ) as TensorTree,
      );
      return [out, state];
    },
    finalKernel: (updates, state, params) => (updates === undefined ? undefined : finalKernel(updates, state, params)),
  };
}
