import { fusedMap, tidy, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import { clampBetween } from '../kernels.js';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, fullTree, mapTensors, zerosTree } from '../tree-utilities.js';
import { checkNonNegative, checkOptionKeys, checkPositive, failOption } from '../validation.js';

/** Options of {@link scaleByRprop}. */
export interface ScaleByRpropOptions {
  /** Initial step size η₀ > 0 (PyTorch's `lr`; default 0.01). */
  learningRate?: number;
  /** (η⁻, η⁺) with 0 < η⁻ < 1 < η⁺ (default [0.5, 1.2]). */
  etas?: readonly [number, number];
  /** (Δ_min, Δ_max) bounds of the step sizes, 0 ≤ Δ_min ≤ Δ_max (default [1e-6, 50]). */
  stepSizes?: readonly [number, number];
}

/** State of {@link scaleByRprop}. */
export interface ScaleByRpropState {
  /** The previous gradient, with 0 where its sign flipped. */
  previousGradient: TensorTree;
  /** Δ: the per-element step sizes. */
  stepSize: TensorTree;
}

const STEP_SIZE = defineKernel(
  'optim.rprop.stepSize',
  { inputs: ['step', 'g', 'previous'], scalars: ['etaMinus', 'etaPlus', 'minimum', 'maximum'] },
  ({ step, g, previous, etaMinus, etaPlus, minimum, maximum }) => {
    const agreement = e.mul(g, previous);
    const scaled = e.select(
      e.greater(agreement, 0),
      e.mul(step, etaPlus),
      e.select(e.less(agreement, 0), e.mul(step, etaMinus), step),
    );
    return clampBetween(scaled, minimum, maximum);
  },
);

// The gradient, zeroed where its sign flipped (no move there, and no flip counted next time).
const KEPT_GRADIENT = defineKernel('optim.rprop.keptGradient', { inputs: ['g', 'previous'] }, ({ g, previous }) =>
  e.select(e.less(e.mul(g, previous), 0), 0, g),
);

// kept is 0 or NaN in the last branch: NaN gradients propagate, as in PyTorch.
const RPROP_DIRECTION = defineKernel('optim.rprop.direction', { inputs: ['kept', 'step'] }, ({ kept, step }) =>
  e.select(e.greater(kept, 0), step, e.select(e.less(kept, 0), e.neg(step), kept)),
);

/**
 * Rprop: per-element step sizes that grow while the gradient keeps its sign and shrink when
 * it flips; only the gradient's sign is used. PyTorch's variant (Rprop without
 * weight-backtracking, "Rprop⁻" with the flip-skips-a-step rule).
 *
 * Update: a = g_t·g_{t−1}; Δ_t = clamp(Δ_{t−1}·(η⁺ if a > 0, η⁻ if a < 0, 1 if a = 0),
 * Δ_min, Δ_max); where a < 0 the gradient is set to 0 (no move, and g_t is stored as 0);
 * out = sign(g)·Δ_t (descent direction; the chain's `scale(-1)` makes it a step).
 * Δ₀ = η₀, g₀ = 0.
 *
 * @param options - `learningRate` η₀ (0.01), `etas` ([0.5, 1.2]), `stepSizes` ([1e-6, 50]).
 * @example
 * const rpropLike = chain(scaleByRprop({ learningRate: 0.01 }), scale(-1));
 * @see Riedmiller & Braun, "A Direct Adaptive Method for Faster Backpropagation Learning: The RPROP Algorithm" (ICNN 1993).
 */
export function scaleByRprop(options: ScaleByRpropOptions = {}): GradientTransformation<ScaleByRpropState> {
  const owner = 'scaleByRprop';
  checkOptionKeys(owner, options, ['learningRate', 'etas', 'stepSizes']);
  const initialStep = checkPositive(owner, 'learningRate', options.learningRate ?? 0.01);
  const [etaMinus, etaPlus] = checkEtas(owner, 'etas', options.etas ?? [0.5, 1.2]);
  const [minimum, maximum] = checkStepSizes(owner, 'stepSizes', options.stepSizes ?? [1e-6, 50]);
  return finalKernelProducer(
    (params) => ({ previousGradient: zerosTree(params), stepSize: fullTree(params, initialStep) }),
    (updates, state): FinalKernel<ScaleByRpropState> => {
      checkStructure('scaleByRprop.update', state.stepSize, updates, ['state.stepSize', 'updates']);
      const next = tidy((): ScaleByRpropState => {
        const stepSize = mapTensors(
          (g: Tensor, step: Tensor, previous: Tensor) =>
            fusedMap(STEP_SIZE, [step, g, previous], [etaMinus, etaPlus, minimum, maximum]),
          updates,
          state.stepSize,
          state.previousGradient,
        ) as TensorTree;
        const previousGradient = mapTensors(
          (g: Tensor, previous: Tensor) => fusedMap(KEPT_GRADIENT, [g, previous]),
          updates,
          state.previousGradient,
        ) as TensorTree;
        return { previousGradient, stepSize };
      });
      return {
        owner,
        kernel: RPROP_DIRECTION,
        inputs: [next.previousGradient, next.stepSize],
        scalars: [],
        state: next,
        roundsOutput: true,
      };
    },
  );
}

/** Checks Rprop's (η⁻, η⁺): 0 < η⁻ < 1 < η⁺. */
export function checkEtas(owner: string, name: string, value: unknown): [number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !(value[0] > 0 && value[0] < 1 && value[1] > 1 && Number.isFinite(value[1]))
  ) {
    failOption(owner, name, 'a pair [etaMinus, etaPlus] with 0 < etaMinus < 1 < etaPlus', value);
  }
  return [value[0], value[1]];
}

/** Checks Rprop's (Δ_min, Δ_max): 0 ≤ Δ_min ≤ Δ_max. */
export function checkStepSizes(owner: string, name: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) failOption(owner, name, 'a pair [minimum, maximum]', value);
  checkNonNegative(owner, `${name}[0]`, value[0]);
  checkNonNegative(owner, `${name}[1]`, value[1]);
  if (value[0] > value[1]) failOption(owner, name, 'a pair with minimum ≤ maximum', value);
  return [value[0], value[1]];
}
