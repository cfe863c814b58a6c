import { defineKernel, expression as e } from '@vane/tensor';
import { ADAM_MOMENTS } from '../kernels.js';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkBetas, checkNonNegative, checkOptionKeys, checkPositive } from '../validation.js';
import { checkStructure, zerosTree } from '../tree-utilities.js';

/** Options of {@link scaleByNadam}. */
export interface ScaleByNadamOptions {
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** ψ ≥ 0 in the momentum schedule μ_t = β₁(1 − ½·0.96^(tψ)) (default 4e-3). */
  momentumDecay?: number;
}

/** State of {@link scaleByNadam}. */
export interface ScaleByNadamState {
  count: number;
  /** Π_{i≤t} μ_i, the product of the momentum schedule so far (1 at the start). */
  momentumProduct: number;
  firstMoment: TensorTree;
  secondMoment: TensorTree;
}

// (1 − μ_t)/(1 − Π_t)·g/d + μ_{t+1}/(1 − Π_{t+1})·m/d with d = √(v/(1 − β₂ᵗ)) + ε.
const NADAM_DIRECTION = defineKernel(
  'optim.nadam.direction',
  { inputs: ['g', 'm', 'v'], scalars: ['gradientWeight', 'momentumWeight', 'secondCorrection', 'eps'] },
  ({ g, m, v, gradientWeight, momentumWeight, secondCorrection, eps }) => {
    const denominator = e.add(e.sqrt(e.div(v, secondCorrection)), eps);
    return e.add(e.div(e.mul(gradientWeight, g), denominator), e.div(e.mul(momentumWeight, m), denominator));
  },
);

/**
 * NAdam: Adam with Nesterov momentum and Dozat's momentum schedule, in PyTorch's form.
 *
 * Update (t from 1): μ_t = β₁(1 − ½·0.96^(tψ)), Π_t = Π_{t−1}·μ_t (Π₀ = 1);
 * m_t, v_t as in Adam; d = √(v_t / (1 − β₂ᵗ)) + ε;
 * out = (1 − μ_t)/(1 − Π_t) · g/d + μ_{t+1}/(1 − Π_t·μ_{t+1}) · m_t/d.
 *
 * This is PyTorch ≥ 2.0 (and the paper); PyTorch 1.13 multiplied Π_{t+1} by an extra μ_t
 * (fixed in pytorch/pytorch#92699).
 *
 * @param options - `betas` ([0.9, 0.999]), `eps` (1e-8), `momentumDecay` ψ (4e-3).
 * @example
 * const tx = chain(scaleByNadam(), scaleByLearningRate(2e-3));
 * @see Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop).
 */
export function scaleByNadam(options: ScaleByNadamOptions = {}): GradientTransformation<ScaleByNadamState> {
  const owner = 'scaleByNadam';
  checkOptionKeys(owner, options, ['betas', 'eps', 'momentumDecay']);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const momentumDecay = checkNonNegative(owner, 'momentumDecay', options.momentumDecay ?? 4e-3);
  return finalKernelProducer(
    (params) => ({ count: 0, momentumProduct: 1, firstMoment: zerosTree(params), secondMoment: zerosTree(params) }),
    (updates, state): FinalKernel<ScaleByNadamState> => {
      checkStructure('scaleByNadam.update', state.firstMoment, updates, ['state.firstMoment', 'updates']);
      const count = state.count + 1;
      const mu = beta1 * (1 - 0.5 * 0.96 ** (count * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((count + 1) * momentumDecay));
      const momentumProduct = state.momentumProduct * mu;
      const gradientWeight = (1 - mu) / (1 - momentumProduct);
      const momentumWeight = muNext / (1 - momentumProduct * muNext);
      const secondCorrection = 1 - beta2 ** count;
      const scalars = [gradientWeight, momentumWeight, secondCorrection, eps];
      // Adam's moments (the same expressions as the separate moving averages), as fresh inputs:
      // the moments and the direction in one pass where it can run as one.
      return {
        owner,
        kernel: NADAM_DIRECTION,
        fresh: {
          kernels: ADAM_MOMENTS,
          sources: [state.firstMoment, state.secondMoment, updates],
          scalars: [beta1, beta2],
          selected: [{ source: 2 }, { output: 0 }, { output: 1 }],
          state: ([firstMoment, secondMoment]) => ({
            count,
            momentumProduct,
            firstMoment: firstMoment!,
            secondMoment: secondMoment!,
          }),
        },
        scalars,
        roundsOutput: true,
      };
    },
  );
}
