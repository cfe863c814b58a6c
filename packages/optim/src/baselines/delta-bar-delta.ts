/**
 * Jacobs' delta-bar-delta rule (1988), which includes Hinton's "local gains": per-element
 * step-size gains adapted every step from the sign agreement of the gradient with a running
 * average of past gradients. A baseline for {@link active}, which applies the same
 * additive-increase/multiplicative-decrease rule to period sums.
 */
import { fusedMap, tidy, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import { clampBetween, MOVING_AVERAGE, MULTIPLY } from '../kernels.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, fullTree, mapTensors, zerosTree } from '../tree-utilities.js';
import { checkNonNegative, checkOptionKeys, checkPositive, checkUnitInterval, failOption } from '../validation.js';

/** Options of {@link scaleByDeltaBarDelta}. */
export interface DeltaBarDeltaOptions {
  /** κ ≥ 0: added to a gain whose gradient agrees with the running average (default 0.05, Hinton's). */
  increase?: number;
  /** 1 − φ > 0: multiplies a gain whose gradient disagrees (default 0.95, Hinton's). */
  decrease?: number;
  /** θ in [0, 1): weight of the past in δ̄ = (1 − θ)δ + θδ̄ (default 0.7, Tveter's example; 0 is Hinton's rule). */
  averaging?: number;
  /** Starting gain, > 0 (default 1: the learning rate comes later in the chain). */
  initialGain?: number;
  /** Lower bound of the gains, ≥ 0 (default 0.01, one of Hinton's suggested ranges). */
  minGain?: number;
  /** Upper bound of the gains, > 0 (default 100, one of Hinton's suggested ranges). */
  maxGain?: number;
}

/** State of {@link scaleByDeltaBarDelta}. */
export interface DeltaBarDeltaState {
  /** ε: the per-element gains, shaped like the params. */
  gain: TensorTree;
  /** δ̄: the running average of past gradients (0 at first), shaped like the params. */
  averageGradient: TensorTree;
}

// ε ← ε + κ if δ̄·δ > 0, ε·(1 − φ) if δ̄·δ < 0, unchanged if 0; then clamped.
const CHANGE_GAIN = defineKernel(
  'optim.deltaBarDelta.changeGain',
  { inputs: ['gain', 'average', 'g'], scalars: ['increase', 'decrease', 'minGain', 'maxGain'] },
  ({ gain, average, g, increase, decrease, minGain, maxGain }) => {
    const product = e.mul(average, g);
    const changed = e.select(
      e.greater(product, 0),
      e.add(gain, increase),
      e.select(e.less(product, 0), e.mul(gain, decrease), gain),
    );
    return clampBetween(changed, minGain, maxGain);
  },
);

/**
 * Delta-bar-delta step-size gains (Jacobs 1988; Hinton's local gains are the θ = 0 case).
 *
 * Update (δ the incoming update, per element):
 * - ε_t = clamp(ε_{t−1} + κ if δ̄_{t−1}·δ_t > 0; ε_{t−1}·(1 − φ) if < 0; ε_{t−1} if 0);
 * - out = ε_t·δ_t (the *new* gain, unlike ActiveLR, which uses the gain before its change);
 * - δ̄_t = (1 − θ)·δ_t + θ·δ̄_{t−1}, with δ̄₀ = 0 (so the first step leaves the gains alone).
 *
 * Gains are dimensionless (start at 1); chain `scaleByLearningRate` after it.
 *
 * @param options - `increase` κ (0.05), `decrease` 1 − φ (0.95), `averaging` θ (0.7),
 *   `initialGain` (1), `minGain` (0.01), `maxGain` (100).
 * @example
 * const deltaBarDelta = chain(scaleByDeltaBarDelta({ increase: 0.05, decrease: 0.95 }), scaleByLearningRate(0.01));
 * const hintonLocalGains = chain(scaleByDeltaBarDelta({ averaging: 0 }), scaleByLearningRate(0.01));
 * @see Jacobs, "Increased rates of convergence through learning rate adaptation", Neural Networks 1(4), 1988;
 *   Hinton, CSC321 lecture 10 / Coursera "Neural Networks for Machine Learning" lecture 6 (local gains).
 */
export function scaleByDeltaBarDelta(options: DeltaBarDeltaOptions = {}): GradientTransformation<DeltaBarDeltaState> {
  const owner = 'scaleByDeltaBarDelta';
  checkOptionKeys(owner, options, ['increase', 'decrease', 'averaging', 'initialGain', 'minGain', 'maxGain']);
  const increase = checkNonNegative(owner, 'increase', options.increase ?? 0.05);
  const decrease = checkPositive(owner, 'decrease', options.decrease ?? 0.95);
  const averaging = checkUnitInterval(owner, 'averaging', options.averaging ?? 0.7);
  const initialGain = checkPositive(owner, 'initialGain', options.initialGain ?? 1);
  const minGain = checkNonNegative(owner, 'minGain', options.minGain ?? 0.01);
  const maxGain = checkPositive(owner, 'maxGain', options.maxGain ?? 100);
  if (minGain > maxGain) failOption(owner, 'maxGain', `≥ 'minGain' (${minGain})`, maxGain);
  return {
    init: (params) => ({ gain: fullTree(params, initialGain), averageGradient: zerosTree(params) }),
    update: (updates, state) => {
      checkStructure('scaleByDeltaBarDelta.update', state.gain, updates, ['state.gain', 'updates']);
      return tidy(() => {
        const gain = mapTensors(
          (g: Tensor, gainLeaf: Tensor, average: Tensor) =>
            fusedMap(CHANGE_GAIN, [gainLeaf, average, g], [increase, decrease, minGain, maxGain]),
          updates,
          state.gain,
          state.averageGradient,
        ) as TensorTree;
        const out = mapTensors(
          (g: Tensor, gainLeaf: Tensor) => fusedMap(MULTIPLY, [g, gainLeaf]),
          updates,
          gain,
        ) as TensorTree;
        const averageGradient = mapTensors(
          (g: Tensor, average: Tensor) => fusedMap(MOVING_AVERAGE, [average, g], [averaging]),
          updates,
          state.averageGradient,
        ) as TensorTree;
        return [out, { gain, averageGradient }] as [TensorTree, DeltaBarDeltaState];
      });
    },
  };
}
