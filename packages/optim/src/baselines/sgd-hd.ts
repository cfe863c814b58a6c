/**
 * SGD with hypergradient descent on its learning rate (Baydin et al., ICLR 2018): a single
 * global learning rate nudged every step by the inner product of consecutive directions.
 */
import { withInputChecks } from '../input-checks.js';
import { add, fusedMap, mul, neg, tidy, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import { ADD_SCALED, SCALE } from '../kernels.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, requireParams, zerosTree } from '../tree-utilities.js';
import { checkBoolean, checkFinite, checkNonNegative, checkOptionKeys, failOption } from '../validation.js';
import { innerProduct, learningRateTensor } from './hypergradient-support.js';

/** Options of {@link sgdHd}. */
export interface SgdHdOptions {
  /** α₀: the initial learning rate, ≥ 0 (default 1e-3). */
  lr?: number;
  /** β: the hypergradient learning rate (default 1e-6, the reference code's). */
  hypergradientLr?: number;
  /** Momentum μ ≥ 0 (default 0). */
  momentum?: number;
  /** Nesterov momentum (default false; needs momentum > 0). */
  nesterov?: boolean;
  /** L2 penalty λ ≥ 0 added to the gradient (default 0). */
  weightDecay?: number;
}

/** State of {@link sgdHd}. */
export interface SgdHdState {
  /** Updates so far. */
  count: number;
  /** α: the current learning rate (a 0-d tensor). */
  learningRate: Tensor;
  /** u_{t−1}: the direction used at the previous step (zeros at first), shaped like the params. */
  previousDirection: TensorTree;
  /** The momentum buffer (zeros and unused without momentum). */
  momentum: TensorTree;
}

const MOMENTUM = defineKernel(
  'optim.sgdHd.momentum',
  { inputs: ['buffer', 'g'], scalars: ['decay'] },
  ({ buffer, g, decay }) => e.add(e.mul(decay, buffer), g),
);

/**
 * SGD-HD (and SGDN-HD with momentum): SGD whose global learning rate follows its hypergradient.
 *
 * The t-th update, with g_t the gradient (plus λθ with weight decay) and u_{t−1} the direction
 * of the previous step (u₀ = 0, so the first step keeps α₀):
 * - h_t = ⟨g_t, u_{t−1}⟩ over all parameters; α_t = α_{t−1} + β·h_t (one update per step, after
 *   the full inner product);
 * - u_t = g_t; with momentum b_t = μ·b_{t−1} + g_t (b₁ = g₁) and u_t = b_t, or g_t + μ·b_t with Nesterov;
 * - out = −α_t·u_t.
 *
 * α lives in the state as a 0-d tensor (no backend read per step). There is no safeguard
 * against a diverging α, as in the reference code.
 *
 * @param options - `lr` α₀ (1e-3), `hypergradientLr` β (1e-6), `momentum` (0), `nesterov`
 *   (false), `weightDecay` (0).
 * @example
 * const optimizer = sgdHd({ lr: 0.01, hypergradientLr: 1e-4, momentum: 0.9 });
 * @see Baydin, Cornish, Martínez Rubio, Schmidt, Wood, "Online Learning Rate Adaptation with
 *   Hypergradient Descent" (ICLR 2018); github.com/gbaydin/hypergradient-descent `sgd_hd.py`.
 */
export function sgdHd(options: SgdHdOptions = {}): GradientTransformation<SgdHdState> {
  const owner = 'sgdHd';
  checkOptionKeys(owner, options, ['lr', 'hypergradientLr', 'momentum', 'nesterov', 'weightDecay']);
  const initialRate = checkNonNegative(owner, 'lr', options.lr ?? 1e-3);
  const hypergradientLr = checkFinite(owner, 'hypergradientLr', options.hypergradientLr ?? 1e-6);
  const momentum = checkNonNegative(owner, 'momentum', options.momentum ?? 0);
  const nesterov = checkBoolean(owner, 'nesterov', options.nesterov ?? false);
  const weightDecay = checkNonNegative(owner, 'weightDecay', options.weightDecay ?? 0);
  if (nesterov && momentum <= 0) failOption(owner, 'nesterov', 'used with momentum > 0', `momentum ${momentum}`);
  return withInputChecks(owner, {
    init: (params) => ({
      count: 0,
      learningRate: learningRateTensor(params, initialRate),
      previousDirection: zerosTree(params),
      momentum: zerosTree(params),
    }),
    update: (updates, state, params) => {
      checkStructure('sgdHd.update', state.previousDirection, updates, ['state.previousDirection', 'updates']);
      return tidy(() => {
        const gradient =
          weightDecay === 0
            ? updates
            : (mapTensors(
                (g: Tensor, p: Tensor) => fusedMap(ADD_SCALED, [g, p], [weightDecay]),
                updates,
                requireParams('sgdHd.update', params),
              ) as TensorTree);
        const learningRate =
          state.count === 0
            ? state.learningRate
            : add(state.learningRate, mul(innerProduct(gradient, state.previousDirection), hypergradientLr));
        let buffer = state.momentum;
        let direction = gradient;
        if (momentum > 0) {
          buffer = mapTensors(
            (g: Tensor, b: Tensor) =>
              state.count === 0 ? fusedMap(SCALE, [g], [1]) : fusedMap(MOMENTUM, [b, g], [momentum]),
            gradient,
            state.momentum,
          ) as TensorTree;
          direction = nesterov
            ? (mapTensors(
                (g: Tensor, b: Tensor) => fusedMap(ADD_SCALED, [g, b], [momentum]),
                gradient,
                buffer,
              ) as TensorTree)
            : buffer;
        }
        const negativeRate = neg(learningRate);
        const out = mapTensors((u: Tensor) => mul(u, negativeRate), direction) as TensorTree;
        // The direction is kept in the state: copy it when it is the caller's gradient tensor.
        const previousDirection =
          direction === updates
            ? (mapTensors((u: Tensor) => fusedMap(SCALE, [u], [1]), direction) as TensorTree)
            : direction;
        return [out, { count: state.count + 1, learningRate, previousDirection, momentum: buffer }] as [
          TensorTree,
          SgdHdState,
        ];
      });
    },
  });
}
