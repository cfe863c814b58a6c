import { fusedMap, tidy, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import { MOVING_AVERAGE_OF_SQUARES } from '../kernels.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, mapTensors, zerosTree } from '../tree-utilities.js';
import { checkClosedUnitInterval, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link scaleByAdadelta}. */
export interface ScaleByAdadeltaOptions {
  /** Decay ρ of both moving averages, in [0, 1] (default 0.9). */
  rho?: number;
  /** ε > 0 inside both roots (default 1e-6). */
  eps?: number;
}

/** State of {@link scaleByAdadelta}. */
export interface ScaleByAdadeltaState {
  /** E[g²]: moving average of squared gradients. */
  squaredGradientAverage: TensorTree;
  /** E[Δx²]: moving average of squared updates. */
  squaredUpdateAverage: TensorTree;
}

const ADADELTA_DIRECTION = defineKernel(
  'optim.adadelta.direction',
  { inputs: ['g', 'squaredGradients', 'squaredUpdates'], scalars: ['eps'] },
  ({ g, squaredGradients, squaredUpdates, eps }) =>
    e.mul(e.div(e.sqrt(e.add(squaredUpdates, eps)), e.sqrt(e.add(squaredGradients, eps))), g),
);

/**
 * AdaDelta's unit-correcting rescaling: the ratio of the RMS of past updates to the RMS of
 * gradients.
 *
 * Update: E[g²]_t = ρE[g²]_{t−1} + (1 − ρ)g²; Δ = √(E[Δx²]_{t−1} + ε)/√(E[g²]_t + ε)·g;
 * E[Δx²]_t = ρE[Δx²]_{t−1} + (1 − ρ)Δ²; out = Δ (the learning rate, 1 in the paper, comes
 * later in the chain and does not enter E[Δx²], as in PyTorch).
 *
 * @param options - `rho` (0.9), `eps` (1e-6).
 * @example
 * const tx = chain(scaleByAdadelta(), scaleByLearningRate(1));
 * @see Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (2012), Algorithm 1.
 */
export function scaleByAdadelta(options: ScaleByAdadeltaOptions = {}): GradientTransformation<ScaleByAdadeltaState> {
  const owner = 'scaleByAdadelta';
  checkOptionKeys(owner, options, ['rho', 'eps']);
  const rho = checkClosedUnitInterval(owner, 'rho', options.rho ?? 0.9);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-6);
  return {
    init: (params) => ({ squaredGradientAverage: zerosTree(params), squaredUpdateAverage: zerosTree(params) }),
    update: (updates, state) => {
      checkStructure('scaleByAdadelta.update', state.squaredGradientAverage, updates, [
        'state.squaredGradientAverage',
        'updates',
      ]);
      return tidy(() => {
        const squaredGradientAverage = mapTensors(
          (g: Tensor, average: Tensor) => fusedMap(MOVING_AVERAGE_OF_SQUARES, [average, g], [rho]),
          updates,
          state.squaredGradientAverage,
        ) as TensorTree;
        const out = mapTensors(
          (g: Tensor, squaredGradients: Tensor, squaredUpdates: Tensor) =>
            fusedMap(ADADELTA_DIRECTION, [g, squaredGradients, squaredUpdates], [eps]),
          updates,
          squaredGradientAverage,
          state.squaredUpdateAverage,
        ) as TensorTree;
        const squaredUpdateAverage = mapTensors(
          (delta: Tensor, average: Tensor) => fusedMap(MOVING_AVERAGE_OF_SQUARES, [average, delta], [rho]),
          out,
          state.squaredUpdateAverage,
        ) as TensorTree;
        return [out, { squaredGradientAverage, squaredUpdateAverage }] as [TensorTree, ScaleByAdadeltaState];
      });
    },
  };
}
