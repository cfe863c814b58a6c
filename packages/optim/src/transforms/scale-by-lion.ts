import { fusedMap, tidy, defineKernel, expression as e, type NumberExpression, type Tensor } from '@vane/tensor';
import { MOVING_AVERAGE, signOf } from '../kernels';
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

// sign(β₁·m + (1 − β₁)·g), then optionally with a folded learning rate and weight decay.
const interpolated = (m: NumberExpression, g: NumberExpression, beta1: NumberExpression) => e.add(e.mul(beta1, m), e.mul(e.sub(1, beta1), g));
const LION_DIRECTION = defineKernel('optim.lion.direction', { inputs: ['m', 'g'], scalars: ['beta1'] }, ({ m, g, beta1 }) => signOf(interpolated(m, g, beta1)));

// a·sign(c): the direction with a folded learning rate.
const LION_DIRECTION_SCALED = defineKernel('optim.lion.directionScaled', { inputs: ['m', 'g'], scalars: ['beta1', 'updateScale'] }, ({ m, g, beta1, updateScale }) =>
  e.mul(updateScale, signOf(interpolated(m, g, beta1))),
);

// a·sign(c) + b·p: the direction with a folded learning rate and decoupled decay.
const LION_DIRECTION_AFFINE = defineKernel(
  'optim.lion.directionAffine',
  { inputs: ['m', 'g', 'p'], scalars: ['beta1', 'updateScale', 'paramScale'] },
  ({ m, g, p, beta1, updateScale, paramScale }) => e.add(e.mul(updateScale, signOf(interpolated(m, g, beta1))), e.mul(paramScale, p)),
);

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
