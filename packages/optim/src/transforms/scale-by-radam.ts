import { defineKernel, expression as e } from '@vane/tensor';
import { ADAM_MOMENTS, SCALE } from '../kernels.js';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { FinalKernel, FreshInputReference, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, zerosTree } from '../tree-utilities.js';
import { checkBetas, checkBoolean, checkFinite, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link scaleByRadam}. */
export interface ScaleByRadamOptions {
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 (default 1e-8). */
  eps?: number;
  /** Rectify only when ρ_t exceeds this (default 5, as PyTorch). */
  threshold?: number;
  /**
   * Step with the previous moments m_{t−1}, v_{t−1} (and step t's ρ_t, r_t and bias corrections),
   * as the ActiveLR authors' `ActiveRAdam.py` and `RAdamConsciousLR.py` do: they read the moment
   * tensors before replacing them with the new ones. The first update is then 0 (m₀ = 0).
   * Default false: standard RAdam, as PyTorch's `torch.optim.RAdam` (which has no such lag).
   */
  laggedMoments?: boolean;
}

/** State of {@link scaleByRadam}. */
export interface ScaleByRadamState {
  count: number;
  firstMoment: TensorTree;
  secondMoment: TensorTree;
}

// m̂ · r · √(1 − β₂ᵗ) / (√v + ε), with m̂ = m·c₁.
const RADAM_DIRECTION = defineKernel(
  'optim.radam.direction',
  { inputs: ['m', 'v'], scalars: ['firstCorrection', 'rectification', 'secondCorrectionRoot', 'eps'] },
  ({ m, v, firstCorrection, rectification, secondCorrectionRoot, eps }) =>
    e.mul(e.mul(m, firstCorrection), e.mul(e.div(secondCorrectionRoot, e.add(e.sqrt(v), eps)), rectification)),
);

/**
 * Rectified Adam: Adam whose adaptive step is switched on only once the variance of the
 * adaptive learning rate is tractable, and rectified by r_t.
 *
 * Update (t from 1): m_t, v_t as in Adam; ρ_∞ = 2/(1 − β₂) − 1,
 * ρ_t = ρ_∞ − 2tβ₂ᵗ/(1 − β₂ᵗ). If ρ_t > 5:
 * r_t = √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t)) and
 * out = m_t/(1 − β₁ᵗ) · r_t · √(1 − β₂ᵗ)/(√v_t + ε); otherwise out = m_t/(1 − β₁ᵗ).
 * (ε is added to √v_t before the bias correction, as in PyTorch.) With `laggedMoments`, m_{t−1} and
 * v_{t−1} stand for m_t and v_t in `out` (the ActiveLR authors' one-step lag).
 *
 * @param options - `betas` ([0.9, 0.999]), `eps` (1e-8), `threshold` (5), `laggedMoments` (false).
 * @example
 * const tx = chain(scaleByRadam(), scaleByLearningRate(1e-3));
 * @see Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (ICLR 2020).
 */
export function scaleByRadam(options: ScaleByRadamOptions = {}): GradientTransformation<ScaleByRadamState> {
  const owner = 'scaleByRadam';
  checkOptionKeys(owner, options, ['betas', 'eps', 'threshold', 'laggedMoments']);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const threshold = checkFinite(owner, 'threshold', options.threshold ?? 5);
  const laggedMoments = checkBoolean(owner, 'laggedMoments', options.laggedMoments ?? false);
  const rhoInfinity = 2 / (1 - beta2) - 1;
  return finalKernelProducer(
    (params) => ({ count: 0, firstMoment: zerosTree(params), secondMoment: zerosTree(params) }),
    (updates, state): FinalKernel<ScaleByRadamState> => {
      checkStructure('scaleByRadam.update', state.firstMoment, updates, ['state.firstMoment', 'updates']);
      const count = state.count + 1;
      const firstCorrection = 1 / (1 - beta1 ** count);
      const secondCorrection = 1 - beta2 ** count;
      const rho = rhoInfinity - (2 * count * beta2 ** count) / secondCorrection;
      // Adam's moments as fresh inputs (the moments and the direction in one pass where it can
      // run as one), over the sources (m, v, g).
      const moments = {
        kernels: ADAM_MOMENTS,
        sources: [state.firstMoment, state.secondMoment, updates],
        scalars: [beta1, beta2],
        state: ([firstMoment, secondMoment]: readonly TensorTree[]): ScaleByRadamState => ({
          count,
          firstMoment: firstMoment!,
          secondMoment: secondMoment!,
        }),
      };
      // The moments the step is taken with: this step's, or the previous step's (the authors' lag).
      const [stepFirst, stepSecond]: FreshInputReference[] = laggedMoments
        ? [{ source: 0 }, { source: 1 }]
        : [{ output: 0 }, { output: 1 }];
      if (rho <= threshold)
        return {
          owner,
          kernel: SCALE,
          fresh: { ...moments, selected: [stepFirst] },
          scalars: [firstCorrection],
          roundsOutput: true,
        };
      const rectification = Math.sqrt(
        ((rho - 4) * (rho - 2) * rhoInfinity) / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho),
      );
      const scalars = [firstCorrection, rectification, Math.sqrt(secondCorrection), eps];
      return {
        owner,
        kernel: RADAM_DIRECTION,
        fresh: { ...moments, selected: [stepFirst, stepSecond] },
        scalars,
        roundsOutput: true,
      };
    },
  );
}
