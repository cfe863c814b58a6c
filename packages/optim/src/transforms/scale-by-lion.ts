import { fusedMap, tidy, type FusedKernel, type Tensor } from '@vane/tensor';
import { MOVING_AVERAGE } from '../kernels';
import type { AffineCoefficients, GradientTransformation, TensorTree } from '../transform';
import { checkStructure, mapTensors, requireParams, zerosTree } from '../tree-utilities';
import { checkBetas, checkOptionKeys } from '../validation';

/** Options of {@link scaleByLion}. */
export interface ScaleByLionOptions {
  /** (β₁, β₂) in [0, 1): interpolation for the step, decay of the momentum (default [0.9, 0.99]). */
  betas?: readonly [number, number];
}

/** State of {@link scaleByLion}. */
export interface ScaleByLionState {
  /** m: the momentum, shaped like the params. */
  momentum: TensorTree;
}

const LION_DIRECTION: FusedKernel = {
  name: 'optim.lion.direction',
  arity: 2,
  fn: function lionDirection(m: number, g: number, beta1: number) {
    const interpolated = beta1 * m + (1 - beta1) * g;
    return interpolated > 0 ? 1 : interpolated < 0 ? -1 : interpolated;
  },
};

// a·sign(c): the direction with a folded learning rate.
const LION_DIRECTION_SCALED: FusedKernel = {
  name: 'optim.lion.directionScaled',
  arity: 2,
  fn: function lionDirectionScaled(m: number, g: number, beta1: number, updateScale: number) {
    const interpolated = beta1 * m + (1 - beta1) * g;
    return updateScale * (interpolated > 0 ? 1 : interpolated < 0 ? -1 : interpolated);
  },
};

// a·sign(c) + b·p: the direction with a folded learning rate and decoupled decay.
const LION_DIRECTION_AFFINE: FusedKernel = {
  name: 'optim.lion.directionAffine',
  arity: 3,
  fn: function lionDirectionAffine(m: number, g: number, p: number, beta1: number, updateScale: number, paramScale: number) {
    const interpolated = beta1 * m + (1 - beta1) * g;
    const direction = interpolated > 0 ? 1 : interpolated < 0 ? -1 : interpolated;
    return updateScale * direction + paramScale * p;
  },
};

/**
 * Lion's update direction: the sign of an interpolation between the momentum and the
 * gradient; the momentum itself decays with a second, slower rate.
 *
 * Update (Program 1 of the paper): c = β₁m_{t−1} + (1 − β₁)g; out = sign(c);
 * m_t = β₂m_{t−1} + (1 − β₂)g (m₀ = 0).
 *
 * @param options - `betas` ([0.9, 0.99]).
 * @example
 * const tx = chain(scaleByLion(), scaleByLearningRate(1e-4));
 * @see Chen et al., "Symbolic Discovery of Optimization Algorithms" (NeurIPS 2023).
 */
export function scaleByLion(options: ScaleByLionOptions = {}): GradientTransformation<ScaleByLionState> {
  const owner = 'scaleByLion';
  checkOptionKeys(owner, options, ['betas']);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.99]);
  const step = (updates: TensorTree, state: ScaleByLionState, params: TensorTree | undefined, epilogue: AffineCoefficients | undefined): [TensorTree, ScaleByLionState] => {
    checkStructure('scaleByLion.update', state.momentum, updates, ['state.momentum', 'updates']);
    const parameters = epilogue !== undefined && epilogue.paramScale !== 0 ? requireParams('scaleByLion.update', params) : undefined;
    if (parameters !== undefined) checkStructure('scaleByLion.update', parameters, updates, ['params', 'updates']);
    return tidy(() => {
      const out = (
        parameters !== undefined
          ? mapTensors(
              (g: Tensor, m: Tensor, p: Tensor) => fusedMap(LION_DIRECTION_AFFINE, [m, g, p], [beta1, epilogue!.updateScale, epilogue!.paramScale]),
              updates,
              state.momentum,
              parameters,
            )
          : epilogue !== undefined
            ? mapTensors((g: Tensor, m: Tensor) => fusedMap(LION_DIRECTION_SCALED, [m, g], [beta1, epilogue.updateScale]), updates, state.momentum)
            : mapTensors((g: Tensor, m: Tensor) => fusedMap(LION_DIRECTION, [m, g], [beta1]), updates, state.momentum)
      ) as TensorTree;
      const momentum = mapTensors((g: Tensor, m: Tensor) => fusedMap(MOVING_AVERAGE, [m, g], [beta2]), updates, state.momentum) as TensorTree;
      return [out, { momentum }] as [TensorTree, ScaleByLionState];
    });
  };
  return {
    init: (params) => ({ momentum: zerosTree(params) }),
    update: (updates, state) => step(updates, state, undefined, undefined),
    fusion: { updateWithEpilogue: (updates, state, params, _extras, epilogue) => step(updates, state, params, epilogue) },
  };
}
