/**
 * A monitoring transform that estimates the simple gradient noise scale B_simple = tr(Σ)/|G|²
 * while training, from micro-batch gradients and their accumulated mean.
 */
import {
  add,
  div,
  fusedMap,
  isFinite,
  logicalAnd,
  mul,
  notEqual,
  square,
  sub,
  sum,
  tidy,
  where,
  zeros,
  type DType,
  type Tensor,
} from '@vane/tensor';
import { ADD } from '../kernels.js';
import type { GradientTransformation, TensorTree, UpdateExtras } from '../transform.js';
import { checkStructure, mapTensors, tensorLeaves, zerosTree } from '../tree-utilities.js';
import { checkOptionKeys, checkPositive, checkPositiveInteger, checkUnitInterval, failOption } from '../validation.js';
import type { NoiseScaleEstimate } from './two-batch-estimate.js';

/** Options of {@link gradientNoiseScale}. */
export interface GradientNoiseScaleOptions {
  /**
   * B_small > 0: examples (or tokens, if the loss is a per-token mean) behind each micro-batch
   * gradient, i.e. behind each entry of `extras.microBatchGradients`, or behind each update in
   * sequential mode.
   */
  microBatchSize: number;
  /** β of the moving averages, in [0, 1) (default 0.99, as gpt-neox). */
  decay?: number;
  /**
   * Sequential mode: treat every `groupSize` consecutive updates as the micro-batches of one
   * big batch of `groupSize · microBatchSize` examples (an integer ≥ 2). The parameters move
   * between those updates, so this is an approximation (gpt-neox's); prefer passing the
   * micro-batches of one accumulation group in `extras.microBatchGradients`. Off by default.
   */
  groupSize?: number;
}

/** The sequential-mode buffer of {@link GradientNoiseScaleState}. */
export interface NoiseScaleBuffer {
  /** Updates buffered in the current group. */
  count: number;
  /** Σ of the buffered updates, shaped like the params. */
  sum: TensorTree;
  /** Σ of their squared norms (a 0-d tensor). */
  squaredNormSum: Tensor;
}

/** State of {@link gradientNoiseScale}. All estimates are 0-d tensors; read them with {@link noiseScaleEstimate}. */
export interface GradientNoiseScaleState {
  /** Two-batch measurements attempted so far (non-finite ones are skipped in the averages). */
  count: number;
  /** Moving average of the |G|² estimates (not bias-corrected). */
  squaredNormAverage: Tensor;
  /** Moving average of the tr(Σ) estimates (not bias-corrected). */
  traceAverage: Tensor;
  /** 1 − βⁿ after n finite measurements: the bias-correction divisor of both averages. */
  averageWeight: Tensor;
  /** B_simple = traceAverage / squaredNormAverage (0 before the first measurement or while the average of |G|² is 0). */
  noiseScale: Tensor;
  /** Sequential mode only: the current group. */
  buffer?: NoiseScaleBuffer;
}

/**
 * Estimates the simple noise scale B_simple = tr(Σ)/|G|² during training and passes the updates
 * through unchanged (put it first in a chain, where the updates are still gradients).
 *
 * Each measurement uses two batch sizes at the same parameters (McCandlish et al., App. A.1):
 * B_small = `microBatchSize` and B_big = k·B_small for k micro-batches, with
 * ‖G_small‖² = mean_j ‖g_j‖² over the micro-batch gradients and ‖G_big‖² = ‖mean_j g_j‖²;
 * - |G|² ≈ (B_big‖G_big‖² − B_small‖G_small‖²) / (B_big − B_small),
 * - tr(Σ) ≈ (‖G_small‖² − ‖G_big‖²) / (1/B_small − 1/B_big);
 * the state keeps exponential moving averages A ← βA + (1 − β)x of both (bias-corrected by
 * 1 − βⁿ for display), and B_simple is the ratio of the averages (not an average of ratios,
 * which would be biased). A measurement with a non-finite value is skipped, as gpt-neox does.
 *
 * Where the micro-batches come from:
 * - `extras.microBatchGradients` (preferred): the k ≥ 2 micro-batch gradients of the current
 *   accumulation group, all taken at the current parameters.
 * - otherwise, with `groupSize: k`: the last k updates (sequential mode, approximate).
 *
 * Everything stays in tensor ops (0-d tensors in the state), so no backend read happens per step.
 *
 * @param options - `microBatchSize` (required), `decay` (0.99), `groupSize` (off).
 * @example
 * const monitor = gradientNoiseScale({ microBatchSize: 32 });
 * let state = monitor.init(params);
 * [, state] = monitor.update(meanGradient, state, params, { microBatchGradients: [g1, g2, g3, g4] });
 * noiseScaleEstimate(state).bSimple; // ≈ tr(Σ)/|G|²
 * @see McCandlish, Kaplan, Amodei, "An Empirical Model of Large-Batch Training" (arXiv 1812.06162);
 *   EleutherAI gpt-neox `megatron/gradient_noise_scale/gradient_noise_scale.py` for the running estimator.
 */
export function gradientNoiseScale(
  options: GradientNoiseScaleOptions,
): GradientTransformation<GradientNoiseScaleState> {
  const owner = 'gradientNoiseScale';
  if (options === undefined) failOption(owner, 'options', "an object with 'microBatchSize'", options);
  checkOptionKeys(owner, options, ['microBatchSize', 'decay', 'groupSize']);
  const microBatchSize = checkPositive(owner, 'microBatchSize', options.microBatchSize);
  const decay = checkUnitInterval(owner, 'decay', options.decay ?? 0.99);
  const groupSize =
    options.groupSize === undefined ? undefined : checkPositiveInteger(owner, 'groupSize', options.groupSize);
  if (groupSize !== undefined && groupSize < 2) failOption(owner, 'groupSize', 'an integer ≥ 2', groupSize);

  // One measurement folded into the averages, as 0-d tensor math.
  const fold = (
    state: GradientNoiseScaleState,
    smallSquaredNorm: Tensor,
    bigSquaredNorm: Tensor,
    groups: number,
  ): Omit<GradientNoiseScaleState, 'buffer'> => {
    const small = microBatchSize;
    const big = groups * microBatchSize;
    const gradientEstimate = div(sub(mul(bigSquaredNorm, big), mul(smallSquaredNorm, small)), big - small);
    const traceEstimate = div(sub(smallSquaredNorm, bigSquaredNorm), 1 / small - 1 / big);
    const finite = logicalAnd(isFinite(gradientEstimate), isFinite(traceEstimate));
    const squaredNormAverage = where(
      finite,
      add(mul(state.squaredNormAverage, decay), mul(gradientEstimate, 1 - decay)),
      state.squaredNormAverage,
    );
    const traceAverage = where(
      finite,
      add(mul(state.traceAverage, decay), mul(traceEstimate, 1 - decay)),
      state.traceAverage,
    );
    const averageWeight = where(finite, add(mul(state.averageWeight, decay), 1 - decay), state.averageWeight);
    // 0 (not NaN) while |G|²'s average is exactly 0, so the state stays finite; readers get NaN then.
    const ratio = where(notEqual(squaredNormAverage, 0), div(traceAverage, squaredNormAverage), 0);
    const noiseScale = where(finite, ratio, state.noiseScale);
    return { count: state.count + 1, squaredNormAverage, traceAverage, averageWeight, noiseScale };
  };

  return {
    init: (params) => {
      const first = tensorLeaves(params)[0];
      const dtype: DType = first !== undefined && first.dtype === 'float64' ? 'float64' : 'float32';
      const scalar = () => zeros([], { dtype, ...(first === undefined ? {} : { backend: first.backend.name }) });
      const state: GradientNoiseScaleState = {
        count: 0,
        squaredNormAverage: scalar(),
        traceAverage: scalar(),
        averageWeight: scalar(),
        noiseScale: scalar(),
      };
      if (groupSize !== undefined) state.buffer = { count: 0, sum: zerosTree(params), squaredNormSum: scalar() };
      return state;
    },
    update: (updates, state, _params, extras?: UpdateExtras) => {
      const microBatches = extras?.microBatchGradients as TensorTree[] | undefined;
      if (microBatches !== undefined) {
        if (!Array.isArray(microBatches) || microBatches.length < 2) {
          const got = Array.isArray(microBatches) ? `${microBatches.length} tree(s)` : String(microBatches);
          throw new RangeError(
            `gradientNoiseScale.update: 'extras.microBatchGradients' must be an array of at least two gradient trees, got ${got}`,
          );
        }
        microBatches.forEach((gradient, index) =>
          checkStructure('gradientNoiseScale.update', updates, gradient, [
            'updates',
            `extras.microBatchGradients[${index}]`,
          ]),
        );
        const next = tidy(() => {
          const count = microBatches.length;
          const smallSquaredNorm = div(
            microBatches.map(squaredNorm).reduce((a, b) => add(a, b)),
            count,
          );
          const total = microBatches
            .slice(1)
            .reduce(
              (a: TensorTree, b) => mapTensors((x: Tensor, y: Tensor) => fusedMap(ADD, [x, y]), a, b) as TensorTree,
              microBatches[0]!,
            );
          const bigSquaredNorm = div(squaredNorm(total), count * count);
          return fold(state, smallSquaredNorm, bigSquaredNorm, count);
        });
        return [updates, state.buffer === undefined ? next : { ...next, buffer: state.buffer }];
      }
      if (groupSize === undefined || state.buffer === undefined) {
        throw new Error(
          "gradientNoiseScale.update: pass the micro-batch gradients as update(updates, state, params, { microBatchGradients: [...] }), or build the transform with 'groupSize' for sequential mode",
        );
      }
      checkStructure('gradientNoiseScale.update', state.buffer.sum, updates, ['state.buffer.sum', 'updates']);
      const buffer = state.buffer;
      const next = tidy((): GradientNoiseScaleState => {
        const bufferedSum = mapTensors(
          (s: Tensor, u: Tensor) => fusedMap(ADD, [s, u]),
          buffer.sum,
          updates,
        ) as TensorTree;
        const squaredNormSum = add(buffer.squaredNormSum, squaredNorm(updates));
        const count = buffer.count + 1;
        if (count < groupSize) return { ...state, buffer: { count, sum: bufferedSum, squaredNormSum } };
        const smallSquaredNorm = div(squaredNormSum, count);
        const bigSquaredNorm = div(squaredNorm(bufferedSum), count * count);
        const folded = fold(state, smallSquaredNorm, bigSquaredNorm, count);
        return {
          ...folded,
          buffer: {
            count: 0,
            sum: zerosTree(updates),
            squaredNormSum: zeros([], { dtype: squaredNormSum.dtype, backend: squaredNormSum.backend.name }),
          },
        };
      });
      return [updates, next];
    },
  };
}

/** Σ over the leaves of Σ u²: the squared global norm, as a 0-d tensor. */
function squaredNorm(value: TensorTree): Tensor {
  return tensorLeaves(value)
    .map((leaf) => sum(square(leaf)))
    .reduce((a, b) => add(a, b));
}

/**
 * Reads the current estimates of a {@link gradientNoiseScale} state: the bias-corrected
 * averages of |G|² and tr(Σ), and B_simple (NaN before the first measurement, or while the
 * average of |G|² is exactly 0).
 *
 * @param state - a `GradientNoiseScaleState`.
 * @returns `{ bSimple, gradientSquaredNorm, traceCovariance }`.
 * @example
 * const { bSimple } = noiseScaleEstimate(state);
 */
export function noiseScaleEstimate(state: GradientNoiseScaleState): NoiseScaleEstimate {
  const weight = state.averageWeight.item();
  const squaredNormAverage = state.squaredNormAverage.item();
  return {
    bSimple: weight > 0 && squaredNormAverage !== 0 ? state.noiseScale.item() : Number.NaN,
    gradientSquaredNorm: weight > 0 ? state.squaredNormAverage.item() / weight : Number.NaN,
    traceCovariance: weight > 0 ? state.traceAverage.item() / weight : Number.NaN,
  };
}
