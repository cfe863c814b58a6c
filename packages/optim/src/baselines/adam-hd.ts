/**
 * Adam with hypergradient descent on its learning rate (Baydin et al., ICLR 2018).
 */
import { withInputChecks } from '../input-checks.js';
import { add, fusedMap, mul, tidy, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import { ADD_SCALED, MOVING_AVERAGE, MOVING_AVERAGE_OF_SQUARES } from '../kernels.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, requireParams, zerosTree } from '../tree-utilities.js';
import { checkBetas, checkFinite, checkNonNegative, checkOptionKeys, checkPositive } from '../validation.js';
import { innerProduct, learningRateTensor } from './hypergradient-support.js';

/** Options of {@link adamHd}. */
export interface AdamHdOptions {
  /** α₀: the initial learning rate, ≥ 0 (default 1e-3). */
  lr?: number;
  /** β: the hypergradient learning rate (default 1e-8, the reference code's). */
  hypergradientLr?: number;
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0, added to √v before the bias correction as in the reference code (default 1e-8). */
  eps?: number;
  /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
  weightDecay?: number;
}

/** State of {@link adamHd}. */
export interface AdamHdState {
  /** Updates so far. */
  count: number;
  /** α: the current learning rate (a 0-d tensor). */
  learningRate: Tensor;
  /** m: moving average of the gradients. */
  firstMoment: TensorTree;
  /** v: moving average of the squared gradients. */
  secondMoment: TensorTree;
}

// m/(√v + ε)·c: the (previous or current) Adam direction with c = √(1 − β₂ᵗ)/(1 − β₁ᵗ).
const ADAM_HD_DIRECTION = defineKernel(
  'optim.adamHd.direction',
  { inputs: ['m', 'v'], scalars: ['correction', 'eps'] },
  ({ m, v, correction, eps }) => e.div(e.mul(correction, m), e.add(e.sqrt(v), eps)),
);

/**
 * Adam-HD: Adam whose global learning rate follows its hypergradient.
 *
 * The t-th update (t from 1), g_t the gradient (plus λθ with weight decay):
 * - for t > 1: h_t = ⟨g_t, m_{t−1}/(√v_{t−1} + ε)⟩ · √(1 − β₂^{t−1})/(1 − β₁^{t−1}) over all
 *   parameters, and α_t = α_{t−1} + β·h_t (after the full inner product; the reference code
 *   updates α tensor by tensor, which this does not copy);
 * - m_t = β₁m_{t−1} + (1 − β₁)g_t, v_t = β₂v_{t−1} + (1 − β₂)g_t²;
 * - out = −α_t·(√(1 − β₂ᵗ)/(1 − β₁ᵗ))·m_t/(√v_t + ε) (ε on the uncorrected √v, as the reference).
 *
 * @param options - `lr` α₀ (1e-3), `hypergradientLr` β (1e-8), `betas` ([0.9, 0.999]),
 *   `eps` (1e-8), `weightDecay` (0).
 * @example
 * const optimizer = adamHd({ lr: 1e-3, hypergradientLr: 1e-7 });
 * @see Baydin, Cornish, Martínez Rubio, Schmidt, Wood, "Online Learning Rate Adaptation with
 *   Hypergradient Descent" (ICLR 2018); github.com/gbaydin/hypergradient-descent `adam_hd.py`.
 */
export function adamHd(options: AdamHdOptions = {}): GradientTransformation<AdamHdState> {
  const owner = 'adamHd';
  checkOptionKeys(owner, options, ['lr', 'hypergradientLr', 'betas', 'eps', 'weightDecay']);
  const initialRate = checkNonNegative(owner, 'lr', options.lr ?? 1e-3);
  const hypergradientLr = checkFinite(owner, 'hypergradientLr', options.hypergradientLr ?? 1e-8);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const weightDecay = checkNonNegative(owner, 'weightDecay', options.weightDecay ?? 0);
  const correction = (t: number): number => Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t);
  return withInputChecks(owner, {
    init: (params) => ({
      count: 0,
      learningRate: learningRateTensor(params, initialRate),
      firstMoment: zerosTree(params),
      secondMoment: zerosTree(params),
    }),
    update: (updates, state, params) => {
      checkStructure('adamHd.update', state.firstMoment, updates, ['state.firstMoment', 'updates']);
      const t = state.count + 1;
      return tidy(() => {
        const gradient =
          weightDecay === 0
            ? updates
            : (mapTensors(
                (g: Tensor, p: Tensor) => fusedMap(ADD_SCALED, [g, p], [weightDecay]),
                updates,
                requireParams('adamHd.update', params),
              ) as TensorTree);
        let learningRate = state.learningRate;
        if (t > 1) {
          const previous = mapTensors(
            (m: Tensor, v: Tensor) => fusedMap(ADAM_HD_DIRECTION, [m, v], [correction(t - 1), eps]),
            state.firstMoment,
            state.secondMoment,
          ) as TensorTree;
          learningRate = add(learningRate, mul(innerProduct(gradient, previous), hypergradientLr));
        }
        const firstMoment = mapTensors(
          (g: Tensor, m: Tensor) => fusedMap(MOVING_AVERAGE, [m, g], [beta1]),
          gradient,
          state.firstMoment,
        ) as TensorTree;
        const secondMoment = mapTensors(
          (g: Tensor, v: Tensor) => fusedMap(MOVING_AVERAGE_OF_SQUARES, [v, g], [beta2]),
          gradient,
          state.secondMoment,
        ) as TensorTree;
        const negativeRate = mul(learningRate, -1);
        const out = mapTensors(
          (m: Tensor, v: Tensor) => mul(fusedMap(ADAM_HD_DIRECTION, [m, v], [correction(t), eps]), negativeRate),
          firstMoment,
          secondMoment,
        ) as TensorTree;
        return [out, { count: t, learningRate, firstMoment, secondMoment }] as [TensorTree, AdamHdState];
      });
    },
  });
}
