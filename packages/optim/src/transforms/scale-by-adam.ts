import { defineKernel, expression as e, fusedMap, tidy, type ExpressionKernel, type NumberExpression, type Tensor } from '@vane/tensor';
import { MOVING_AVERAGE, MOVING_AVERAGE_OF_SQUARES } from '../kernels';
import { multiplyUpdate } from '../multiply-updates';
import type { AffineCoefficients, GradientTransformation, TensorTree } from '../transform';
import { checkStructure, mapTensors, requireParams, zerosTree } from '../tree-utilities';
import { checkBetas, checkBoolean, checkOptionKeys, checkPositive } from '../validation';

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

const MAXIMUM = defineKernel('optim.adam.maximum', { inputs: ['a', 'b'] }, ({ a, b }) => e.select(e.greater(a, b), a, b));

/** m̂ / (√v̂ + ε) with m̂ = m·c₁ and √v̂ = √v·c₂ (c₁ = 1/(1 − β₁ᵗ), c₂ = 1/√(1 − β₂ᵗ)). */
function adamDirection(m: NumberExpression, v: NumberExpression, firstCorrection: NumberExpression, secondCorrection: NumberExpression, eps: NumberExpression): NumberExpression {
  return e.div(e.mul(m, firstCorrection), e.add(e.mul(e.sqrt(v), secondCorrection), eps));
}

const CORRECTIONS = ['firstCorrection', 'secondCorrection', 'eps'] as const;

const ADAM_DIRECTION = defineKernel('optim.adam.direction', { inputs: ['m', 'v'], scalars: CORRECTIONS }, ({ m, v, firstCorrection, secondCorrection, eps }) =>
  adamDirection(m, v, firstCorrection, secondCorrection, eps),
);

// a·(m̂ / (√v̂ + ε)): Adam's direction with a folded learning rate (see FusionHooks).
const ADAM_DIRECTION_SCALED = defineKernel('optim.adam.directionScaled', { inputs: ['m', 'v'], scalars: [...CORRECTIONS, 'updateScale'] }, ({ m, v, firstCorrection, secondCorrection, eps, updateScale }) =>
  e.mul(updateScale, adamDirection(m, v, firstCorrection, secondCorrection, eps)),
);

// a·(m̂ / (√v̂ + ε)) + b·p: with folded decoupled weight decay too (AdamW in one pass).
const ADAM_DIRECTION_AFFINE = defineKernel(
  'optim.adam.directionAffine',
  { inputs: ['m', 'v', 'p'], scalars: [...CORRECTIONS, 'updateScale', 'paramScale'] },
  ({ m, v, p, firstCorrection, secondCorrection, eps, updateScale, paramScale }) =>
    e.add(e.mul(updateScale, adamDirection(m, v, firstCorrection, secondCorrection, eps)), e.mul(paramScale, p)),
);

// The two epilogue kernels above, then times a per-element multiplier (ActiveLR's gain). For
// float32 outputs only: fround rounds the epilogue's value to float32 first, as storing it
// would, so the product equals the separate multiply pass bit for bit.
const ADAM_DIRECTION_SCALED_MULTIPLIED = defineKernel(
  'optim.adam.directionScaledMultiplied',
  { inputs: ['m', 'v', 'multiplier'], scalars: [...CORRECTIONS, 'updateScale'] },
  ({ m, v, multiplier, firstCorrection, secondCorrection, eps, updateScale }) =>
    e.mul(e.fround(e.mul(updateScale, adamDirection(m, v, firstCorrection, secondCorrection, eps))), multiplier),
);

const ADAM_DIRECTION_AFFINE_MULTIPLIED = defineKernel(
  'optim.adam.directionAffineMultiplied',
  { inputs: ['m', 'v', 'p', 'multiplier'], scalars: [...CORRECTIONS, 'updateScale', 'paramScale'] },
  ({ m, v, p, multiplier, firstCorrection, secondCorrection, eps, updateScale, paramScale }) =>
    e.mul(e.fround(e.add(e.mul(updateScale, adamDirection(m, v, firstCorrection, secondCorrection, eps)), e.mul(paramScale, p))), multiplier),
);

/**
 * Adam's epilogue kernels, for the test that checks each compiles to WebAssembly SIMD (a kernel
 * that does not would run on the JavaScript loop, counted in `kernelInfo().fallbacks`).
 * Internal: not exported from the package.
 */
export const ADAM_EPILOGUE_KERNELS: readonly ExpressionKernel[] = [ADAM_DIRECTION, ADAM_DIRECTION_SCALED, ADAM_DIRECTION_AFFINE, ADAM_DIRECTION_SCALED_MULTIPLIED, ADAM_DIRECTION_AFFINE_MULTIPLIED];

/** Whether the multiplier can join a float32 kernel whose first input is `moment` (same shape). */
function foldsMultiplier(moment: Tensor, multiplier: Tensor): boolean {
  return moment.dtype === 'float32' && multiplier.ndim === moment.ndim && multiplier.shape.every((size, axis) => size === moment.shape[axis]);
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
 * ε is added after the bias correction, as PyTorch and the paper do.
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
  const step = (
    updates: TensorTree,
    state: ScaleByAdamState,
    params: TensorTree | undefined,
    epilogue: AffineCoefficients | undefined,
    multiplier: TensorTree | undefined,
  ): [TensorTree, ScaleByAdamState] => {
    checkStructure('scaleByAdam.update', state.firstMoment, updates, ['state.firstMoment', 'updates']);
    if (multiplier !== undefined) checkStructure('scaleByAdam.update', multiplier, updates, ['multiplier', 'updates']);
    if (amsgrad && state.maxSecondMoment === undefined) throw new Error('scaleByAdam.update: amsgrad needs state.maxSecondMoment; was the state made by init?');
    const parameters = epilogue !== undefined && epilogue.paramScale !== 0 ? requireParams('scaleByAdam.update', params) : undefined;
    if (parameters !== undefined) checkStructure('scaleByAdam.update', parameters, updates, ['params', 'updates']);
    const count = state.count + 1;
    const firstCorrection = 1 / (1 - beta1 ** count);
    const secondCorrection = 1 / Math.sqrt(1 - beta2 ** count);
    return tidy(() => {
      const firstMoment = mapTensors((g: Tensor, m: Tensor) => fusedMap(MOVING_AVERAGE, [m, g], [beta1]), updates, state.firstMoment) as TensorTree;
      const secondMoment = mapTensors((g: Tensor, v: Tensor) => fusedMap(MOVING_AVERAGE_OF_SQUARES, [v, g], [beta2]), updates, state.secondMoment) as TensorTree;
      const next: ScaleByAdamState = { count, firstMoment, secondMoment };
      let denominatorMoment = secondMoment;
      if (amsgrad) {
        next.maxSecondMoment = mapTensors((v: Tensor, vMax: Tensor) => fusedMap(MAXIMUM, [vMax, v]), secondMoment, state.maxSecondMoment!) as TensorTree;
        denominatorMoment = next.maxSecondMoment;
      }
      const scalars = [firstCorrection, secondCorrection, eps];
      // One leaf's output: the epilogue kernel, with the multiplier folded in where it can be,
      // else multiplied in its own pass (the same bits either way).
      const direction = (m: Tensor, v: Tensor, p: Tensor | undefined, factor: Tensor | undefined): Tensor => {
        if (factor !== undefined && epilogue !== undefined && foldsMultiplier(m, factor)) {
          return p !== undefined
            ? fusedMap(ADAM_DIRECTION_AFFINE_MULTIPLIED, [m, v, p, factor], [...scalars, epilogue.updateScale, epilogue.paramScale])
            : fusedMap(ADAM_DIRECTION_SCALED_MULTIPLIED, [m, v, factor], [...scalars, epilogue.updateScale]);
        }
        const plain =
          p !== undefined
            ? fusedMap(ADAM_DIRECTION_AFFINE, [m, v, p], [...scalars, epilogue!.updateScale, epilogue!.paramScale])
            : epilogue !== undefined
              ? fusedMap(ADAM_DIRECTION_SCALED, [m, v], [...scalars, epilogue.updateScale])
              : fusedMap(ADAM_DIRECTION, [m, v], scalars);
        return factor === undefined ? plain : multiplyUpdate(plain, factor);
      };
      const out = (
        multiplier === undefined
          ? parameters !== undefined
            ? mapTensors((m: Tensor, v: Tensor, p: Tensor) => direction(m, v, p, undefined), firstMoment, denominatorMoment, parameters)
            : mapTensors((m: Tensor, v: Tensor) => direction(m, v, undefined, undefined), firstMoment, denominatorMoment)
          : parameters !== undefined
            ? mapTensors((m: Tensor, v: Tensor, p: Tensor, factor: Tensor) => direction(m, v, p, factor), firstMoment, denominatorMoment, parameters, multiplier)
            : mapTensors((m: Tensor, v: Tensor, factor: Tensor) => direction(m, v, undefined, factor), firstMoment, denominatorMoment, multiplier)
      ) as TensorTree;
      return [out, next] as [TensorTree, ScaleByAdamState];
    });
  };
  return {
    init: (params) => {
      const state: ScaleByAdamState = { count: 0, firstMoment: zerosTree(params), secondMoment: zerosTree(params) };
      if (amsgrad) state.maxSecondMoment = zerosTree(params);
      return state;
    },
    update: (updates, state) => step(updates, state, undefined, undefined, undefined),
    fusion: {
      updateWithEpilogue: (updates, state, params, _extras, epilogue, multiplier) => step(updates, state, params, epilogue, multiplier),
      acceptsMultiplier: true,
    },
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
export function scaleByAmsgrad(options: Omit<ScaleByAdamOptions, 'amsgrad'> = {}): GradientTransformation<ScaleByAdamState> {
  checkOptionKeys('scaleByAmsgrad', options, ['betas', 'eps']);
  return scaleByAdam({ ...options, amsgrad: true });
}
