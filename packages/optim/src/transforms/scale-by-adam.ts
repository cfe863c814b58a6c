import { defineKernel, expression as e, tree, type Tensor } from '@vane/tensor';
import { runFinalKernel } from '../combinators/compose-final-kernel.js';
import { ADAM_MOMENTS, ADAM_MOMENTS_FLOAT32 } from '../kernels.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, zerosTree } from '../tree-utilities.js';
import { checkBetas, checkBoolean, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link scaleByAdam}. */
export interface ScaleByAdamOptions {
  /** (β₁, β₂), each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 added to the denominator after bias correction (default 1e-8). */
  eps?: number;
  /** Keep the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
}

/** State of {@link scaleByAdam}. */
export interface ScaleByAdamState {
  /** Updates seen so far (t − 1 before the t-th update). */
  count: number;
  /** m: moving average of the gradients, shaped like the params. */
  firstMoment: TensorTree;
  /** v: moving average of the squared gradients, shaped like the params. */
  secondMoment: TensorTree;
  /** v̄ = max over time of v (AMSGrad only). */
  maxSecondMoment?: TensorTree;
}

/**
 * AMSGrad's running maximum v̄′ = v̄ > v′ ? v̄ : v′, over (m, v, g, v̄) and the new moments
 * (m′, v′), a dependent fresh kernel (`FreshInputs.dependent`): the same selection as the
 * separate maximum pass over (v̄, v′).
 */
const RUNNING_MAXIMUM = defineKernel(
  'optim.adam.runningMaximum',
  { inputs: ['m', 'v', 'g', 'maximum', 'nextM', 'nextV'], scalars: ['beta1', 'beta2'] },
  ({ maximum, nextV }) => e.select(e.greater(maximum, nextV), maximum, nextV),
);

/**
 * Adam's direction, m̂ / (√v̂ + ε) with m̂ = m·c₁ and √v̂ = √v·c₂ (c₁ = 1/(1 − β₁ᵗ),
 * c₂ = 1/√(1 − β₂ᵗ)). The only kernel written for it: `chain` composes a folded learning rate,
 * decoupled weight decay and ActiveLR's gain into it (`combinators/compose-final-kernel.ts`).
 * Internal: not exported from the package.
 */
export const ADAM_DIRECTION = defineKernel(
  'optim.adam.direction',
  { inputs: ['m', 'v'], scalars: ['firstCorrection', 'secondCorrection', 'eps'] },
  ({ m, v, firstCorrection, secondCorrection, eps }) =>
    e.div(e.mul(m, firstCorrection), e.add(e.mul(e.sqrt(v), secondCorrection), eps)),
);

const f = e.fround;

/**
 * {@link ADAM_DIRECTION} with float32 arithmetic, for float32 leaves: every operation and
 * scalar rounded to float32 (PyTorch's arithmetic on float32 tensors), so that WebAssembly SIMD
 * runs it on f32x4 lanes, four elements per instruction (`FinalKernelParts.float32Arithmetic`).
 * Internal: not exported from the package.
 */
export const ADAM_DIRECTION_FLOAT32 = defineKernel(
  'optim.adam.directionFloat32',
  { inputs: ['m', 'v'], scalars: ['firstCorrection', 'secondCorrection', 'eps'] },
  ({ m, v, firstCorrection, secondCorrection, eps }) =>
    f(e.div(f(e.mul(m, f(firstCorrection))), f(e.add(f(e.mul(f(e.sqrt(v)), f(secondCorrection))), f(eps))))),
);

/** Whether every leaf of every tree is float32 (Adam then computes with float32 arithmetic). */
function allFloat32(trees: readonly TensorTree[]): boolean {
  return trees.every((values) => (tree.leaves(values) as Tensor[]).every((leaf) => leaf.dtype === 'float32'));
}

/**
 * Adam's rescaling: bias-corrected first moment over the root of the bias-corrected second
 * moment (the learning rate comes later in the chain).
 *
 * Update (t-th update, t from 1; g the incoming updates):
 * - m_t = β₁·m_{t−1} + (1 − β₁)·g,  v_t = β₂·v_{t−1} + (1 − β₂)·g²  (m₀ = v₀ = 0);
 * - with `amsgrad`: v̄_t = max(v̄_{t−1}, v_t) replaces v_t below (PyTorch's form: the maximum of
 *   the raw moment, bias-corrected afterwards);
 * - u = (m_t / (1 − β₁ᵗ)) / (√(v_t / (1 − β₂ᵗ)) + ε).
 *
 * ε is added after the bias correction, as PyTorch and the paper do. On float32 leaves every
 * operation is rounded to float32 (the scalars too), as PyTorch computes on float32 tensors;
 * float64 leaves compute in float64.
 *
 * @param options - `betas` ([0.9, 0.999]), `eps` (1e-8), `amsgrad` (false).
 * @example
 * const adam = chain(scaleByAdam({ betas: [0.9, 0.98] }), scaleByLearningRate(1e-3));
 * @see Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015);
 *   Reddi, Kale, Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018) for AMSGrad.
 */
export function scaleByAdam(options: ScaleByAdamOptions = {}): GradientTransformation<ScaleByAdamState> {
  const owner = 'scaleByAdam';
  checkOptionKeys(owner, options, ['betas', 'eps', 'amsgrad']);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  const amsgrad = checkBoolean(owner, 'amsgrad', options.amsgrad ?? false);
  const finalKernel = (updates: TensorTree, state: ScaleByAdamState): FinalKernel<ScaleByAdamState> => {
    checkStructure('scaleByAdam.update', state.firstMoment, updates, ['state.firstMoment', 'updates']);
    if (amsgrad && state.maxSecondMoment === undefined)
      throw new Error('scaleByAdam.update: amsgrad needs state.maxSecondMoment; was the state made by init?');
    const count = state.count + 1;
    const scalars = [1 / (1 - beta1 ** count), 1 / Math.sqrt(1 - beta2 ** count), eps];
    // Float32 arithmetic where every leaf is float32; float64 arithmetic (rounded once) elsewhere.
    const float32Arithmetic = allFloat32([updates, state.firstMoment, state.secondMoment]);
    const kernel = float32Arithmetic ? ADAM_DIRECTION_FLOAT32 : ADAM_DIRECTION;
    const moments = float32Arithmetic ? ADAM_MOMENTS_FLOAT32 : ADAM_MOMENTS;
    // The moments (and AMSGrad's maximum of the new second moment) are fresh inputs of the
    // direction: `runFinalKernel` runs them, the direction and whatever is composed after it
    // (learning rate, decay, a gain, the parameter add) in one pass per leaf where it can, and
    // makes the next state from what it wrote.
    if (!amsgrad)
      return {
        owner,
        kernel,
        float32Arithmetic,
        fresh: {
          kernels: moments,
          sources: [state.firstMoment, state.secondMoment, updates],
          scalars: [beta1, beta2],
          selected: [{ output: 0 }, { output: 1 }],
          state: ([firstMoment, secondMoment]) => ({ count, firstMoment: firstMoment!, secondMoment: secondMoment! }),
        },
        scalars,
      };
    return {
      owner,
      kernel,
      float32Arithmetic,
      fresh: {
        kernels: moments,
        dependent: [RUNNING_MAXIMUM],
        sources: [state.firstMoment, state.secondMoment, updates, state.maxSecondMoment!],
        scalars: [beta1, beta2],
        selected: [{ output: 0 }, { output: 2 }],
        state: ([firstMoment, secondMoment, maxSecondMoment]) => ({
          count,
          firstMoment: firstMoment!,
          secondMoment: secondMoment!,
          maxSecondMoment: maxSecondMoment!,
        }),
      },
      scalars,
    };
  };
  return {
    init: (params) => {
      const state: ScaleByAdamState = { count: 0, firstMoment: zerosTree(params), secondMoment: zerosTree(params) };
      if (amsgrad) state.maxSecondMoment = zerosTree(params);
      return state;
    },
    update: (updates, state) => {
      return runFinalKernel(finalKernel(updates, state), updates, undefined, undefined);
    },
    finalKernel: (updates, state) => (updates === undefined ? undefined : finalKernel(updates, state)),
  };
}

/**
 * AMSGrad: {@link scaleByAdam} with the running maximum of the second moment.
 *
 * Update: v̄_t = max(v̄_{t−1}, v_t); u = (m_t/(1 − β₁ᵗ)) / (√(v̄_t/(1 − β₂ᵗ)) + ε).
 *
 * @param options - as {@link scaleByAdam}, without `amsgrad`.
 * @example
 * const tx = chain(scaleByAmsgrad(), scaleByLearningRate(1e-3));
 * @see Reddi, Kale, Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018).
 */
export function scaleByAmsgrad(
  options: Omit<ScaleByAdamOptions, 'amsgrad'> = {},
): GradientTransformation<ScaleByAdamState> {
  checkOptionKeys('scaleByAmsgrad', options, ['betas', 'eps']);
  return scaleByAdam({ ...options, amsgrad: true });
}
