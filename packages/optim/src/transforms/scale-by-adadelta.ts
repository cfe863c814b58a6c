import { fusedMap, tidy, defineKernel, expression as e, type NumberExpression, type Tensor } from '@vane/tensor';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import { MOVING_AVERAGE_OF_SQUARES, movingAverageOfSquares } from '../kernels.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
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

/** Δ = √(E[Δx²] + ε)/√(E[g²] + ε)·g. */
function adadeltaDirection(
  g: NumberExpression,
  squaredGradients: NumberExpression,
  squaredUpdates: NumberExpression,
  eps: NumberExpression,
): NumberExpression {
  return e.mul(e.div(e.sqrt(e.add(squaredUpdates, eps)), e.sqrt(e.add(squaredGradients, eps))), g);
}

/** AdaDelta's output Δ, the producer's final kernel. */
export const ADADELTA_DIRECTION = defineKernel(
  'optim.adadelta.direction',
  { inputs: ['g', 'squaredGradients', 'squaredUpdates'], scalars: ['eps'] },
  ({ g, squaredGradients, squaredUpdates, eps }) => adadeltaDirection(g, squaredGradients, squaredUpdates, eps),
);

/**
 * E[Δx²]_t = ρE[Δx²]_{t−1} + (1 − ρ)Δ² with Δ computed in place instead of read back from a
 * stored tensor: the next state without a pass that stores Δ. `rounded` (float32) rounds Δ to
 * float32 first, as storing it did, so the average is bit for bit the one of the stored Δ.
 */
function squaredUpdateAverageKernel(rounded: boolean) {
  return defineKernel(
    rounded ? 'optim.adadelta.squaredUpdateAverageRounded' : 'optim.adadelta.squaredUpdateAverage',
    { inputs: ['average', 'g', 'squaredGradients'], scalars: ['rho', 'eps'] },
    ({ average, g, squaredGradients, rho, eps }) => {
      const delta = adadeltaDirection(g, squaredGradients, average, eps);
      return movingAverageOfSquares(average, rounded ? e.fround(delta) : delta, rho);
    },
  );
}

/** The E[Δx²] kernels, for float64 and (rounding Δ) for float32. */
export const ADADELTA_SQUARED_UPDATE_AVERAGE = {
  float64: squaredUpdateAverageKernel(false),
  float32: squaredUpdateAverageKernel(true),
};

/**
 * AdaDelta's unit-correcting rescaling: the ratio of the RMS of past updates to the RMS of
 * gradients.
 *
 * Update: E[g²]_t = ρE[g²]_{t−1} + (1 − ρ)g²; Δ = √(E[Δx²]_{t−1} + ε)/√(E[g²]_t + ε)·g;
 * E[Δx²]_t = ρE[Δx²]_{t−1} + (1 − ρ)Δ²; out = Δ (the learning rate, 1 in the paper, comes
 * later in the chain and does not enter E[Δx²], as in PyTorch).
 *
 * Stated as its final kernel Δ, so `chain` composes the learning rate into it: E[Δx²] computes
 * Δ in place (one pass), and Δ itself is computed again in the final kernel rather than stored
 * and read back, three passes where there were four, bit for bit the same.
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
  return finalKernelProducer(
    (params): ScaleByAdadeltaState => ({
      squaredGradientAverage: zerosTree(params),
      squaredUpdateAverage: zerosTree(params),
    }),
    (updates, state: ScaleByAdadeltaState): FinalKernel<ScaleByAdadeltaState> => {
      checkStructure('scaleByAdadelta.update', state.squaredGradientAverage, updates, [
        'state.squaredGradientAverage',
        'updates',
      ]);
      const next = tidy((): ScaleByAdadeltaState => {
        const squaredGradientAverage = mapTensors(
          (g: Tensor, average: Tensor) => fusedMap(MOVING_AVERAGE_OF_SQUARES, [average, g], [rho]),
          updates,
          state.squaredGradientAverage,
        ) as TensorTree;
        const squaredUpdateAverage = mapTensors(
          (g: Tensor, squaredGradients: Tensor, average: Tensor) =>
            fusedMap(
              ADADELTA_SQUARED_UPDATE_AVERAGE[g.dtype === 'float32' ? 'float32' : 'float64'],
              [average, g, squaredGradients],
              [rho, eps],
            ),
          updates,
          squaredGradientAverage,
          state.squaredUpdateAverage,
        ) as TensorTree;
        return { squaredGradientAverage, squaredUpdateAverage };
      });
      return {
        owner,
        kernel: ADADELTA_DIRECTION,
        // Δ reads E[Δx²] before this update.
        inputs: [updates, next.squaredGradientAverage, state.squaredUpdateAverage],
        scalars: [eps],
        state: next,
        roundsOutput: true,
      };
    },
  );
}
