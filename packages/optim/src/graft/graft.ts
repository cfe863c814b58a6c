/**
 * Learning-rate grafting M#D (Agarwal, Anil, Hazan, Koren, Zhang, arXiv 2002.11803): the step
 * length of one optimizer with the direction of another, both run on the same gradients.
 */
import { withInputChecks } from '../input-checks.js';
import {
  add,
  defineKernel,
  div,
  expression as e,
  greater,
  mul,
  tidy,
  tree,
  where,
  zeros,
  type Tensor,
} from '@vane/tensor';

/** d·s, the direction's update times the grafting factor (a scalar per leaf, or one for all). */
const GRAFT_SCALED = defineKernel('optim.graft.scaled', { inputs: ['d'], scalars: ['factor'] }, ({ d, factor }) =>
  e.mul(d, factor),
);
import { checkTransformation } from '../combinators/chain.js';
import { runFinalKernel } from '../combinators/compose-final-kernel.js';
import {
  isFinalKernel,
  type ComputedStep,
  type FinalKernel,
  type GradientTransformation,
  type TensorTree,
  type UpdateExtras,
} from '../transform.js';
import { checkStructure, mapTensors, tensorLeaves } from '../tree-utilities.js';
import { checkOptionKeys, checkPositive, failOption } from '../validation.js';
import { GRAFT_MAGNITUDE_PRESETS, graftMagnitude, type GraftMagnitudePreset } from './magnitude-presets.js';
import { scaledNorm } from './scaled-norm.js';

/** Options of {@link graft}. */
export interface GraftOptions {
  /**
   * `'tensor'` (default, the paper's layer-wise grafting): norms per parameter tensor.
   * `'global'`: norms over all parameters at once.
   */
  granularity?: 'tensor' | 'global';
  /**
   * ε > 0 for Algorithm 2's form ‖M‖/(‖D‖ + ε). By default the official implementation's
   * zero handling (lingvo `adagraft.py`) is used instead: ‖M‖/‖D‖ where ‖D‖ > 0 and a zero
   * step where the direction is zero. (lingvo also floors ‖D‖ at 1e-30 to avoid 0/0; the
   * norms here are computed without underflow and the zero case is selected explicitly, so
   * no floor is needed and directions shorter than 1e-30 keep M's length.)
   */
  eps?: number;
}

/** The two parts of {@link graft}. */
export interface GraftParts<M, D> {
  /** M: the transform whose update norm is kept (or a preset name, see {@link graftMagnitude}). */
  magnitude: GradientTransformation<M> | GraftMagnitudePreset;
  /** D: the transform whose update direction is kept. */
  direction: GradientTransformation<D>;
}

/** State of {@link graft}. */
export interface GraftState<M = unknown, D = unknown> {
  /** The magnitude transform's own state. */
  magnitude: M;
  /** The direction transform's own state. */
  direction: D;
  /**
   * The last rescaling factor s = ‖M‖/‖D‖ (0 before the first update, and where D was zero):
   * a 0-d tensor per parameter for `'tensor'` granularity, one 0-d tensor for `'global'`.
   */
  multiplier: TensorTree;
}

/**
 * Grafting M#D: the magnitude of M's update with the direction of D's update.
 *
 * Both parts receive the same incoming updates (gradients) and params every step and advance
 * their own state exactly as if each ran alone; neither part's proposal is applied. Per block
 * b (each parameter tensor for `'tensor'`, all parameters for `'global'`), with m = M(g) and
 * d = D(g):
 *
 *   out_b = (‖m_b‖ / ‖d_b‖)·d_b  where ‖d_b‖ > 0, and out_b = 0 where d_b = 0
 *
 * (the official implementation's zero handling; with `eps` it is ‖m_b‖/(‖d_b‖ + ε)·d_b, the
 * paper's Algorithm 2). So each block's update norm equals M's, D's learning rate cancels, and
 * `graft({ magnitude: A, direction: A })` is A. The result carries D's sign convention: graft
 * two full optimizers (both with their learning rates), or two LR-free transforms followed by
 * `scaleByLearningRate`. Weight decay inside a part is part of its update and of its norm.
 *
 * @param parts - `{ magnitude, direction }`: two transforms (the magnitude may be a
 *   {@link graftMagnitude} preset name).
 * @param options - `granularity` ('tensor'), `eps` (off: the official zero handling).
 * @example
 * // AdaGrad's per-layer step size with SGD-with-momentum's direction.
 * const adagradSharpSgd = chain(graft({ magnitude: graftMagnitude('adagrad'), direction: trace({ decay: 0.9 }) }), scaleByLearningRate(0.1));
 * // Two complete optimizers: Adam's step lengths, momentum SGD's directions.
 * const adamSharpSgd = graft({ magnitude: adam({ lr: 1e-3 }), direction: sgd({ lr: 0.1, momentum: 0.9 }) });
 * @see Agarwal, Anil, Hazan, Koren, Zhang, "Disentangling Adaptive Gradient Methods from Learning
 *   Rates" (arXiv 2002.11803; ICLR 2022 "Learning Rate Grafting: Transferability of Optimizer
 *   Tuning"); tensorflow/lingvo `lingvo/core/adagraft.py`.
 */
export function graft<M, D>(
  parts: GraftParts<M, D>,
  options: GraftOptions = {},
): GradientTransformation<GraftState<M, D>> {
  const owner = 'graft';
  if (parts === null || typeof parts !== 'object')
    failOption(owner, 'parts', 'an object { magnitude, direction }', parts);
  checkOptionKeys(owner, parts, ['magnitude', 'direction']);
  const magnitude = (
    typeof parts.magnitude === 'string' ? graftMagnitude(parts.magnitude) : parts.magnitude
  ) as GradientTransformation<M>;
  if (typeof parts.magnitude === 'string' && !GRAFT_MAGNITUDE_PRESETS.includes(parts.magnitude))
    failOption(owner, 'magnitude', 'a transformation or a preset name', parts.magnitude);
  checkTransformation(owner, 'magnitude', magnitude);
  checkTransformation(owner, 'direction', parts.direction);
  const direction = parts.direction;
  checkOptionKeys(owner, options, ['granularity', 'eps']);
  const granularity = options.granularity ?? 'tensor';
  if (granularity !== 'tensor' && granularity !== 'global')
    failOption(owner, 'granularity', "'tensor' or 'global'", granularity);
  const eps = options.eps === undefined ? undefined : checkPositive(owner, 'eps', options.eps);

  // s = ‖m‖/‖d‖ from the two norms (0-d tensors): the official zero rule, or Algorithm 2's ε.
  const ratio = (magnitudeNorm: Tensor, directionNorm: Tensor): Tensor =>
    eps === undefined
      ? where(greater(directionNorm, 0), div(magnitudeNorm, directionNorm), 0)
      : div(magnitudeNorm, add(directionNorm, eps));

  /**
   * Both parts' updates and states, the factors s, and the output d·s: as a final kernel with s
   * a scalar per leaf where that is free (every leaf on the CPU, one dtype, as `mul` would keep
   * it), so that `chain` composes the stages after graft into it; else computed with `mul`.
   */
  const composedStep = (
    updates: TensorTree,
    state: GraftState<M, D>,
    params: TensorTree | undefined,
    extras: UpdateExtras | undefined,
  ): FinalKernel<GraftState<M, D>> | ComputedStep<GraftState<M, D>> => {
    const [magnitudeUpdates, magnitudeState] = magnitude.update(updates, state.magnitude, params, extras);
    const [directionUpdates, directionState] = direction.update(updates, state.direction, params, extras);
    checkStructure('graft.update', directionUpdates, magnitudeUpdates, [
      "the direction's updates",
      "the magnitude's updates",
    ]);
    const directionLeaves = tensorLeaves(directionUpdates);
    const magnitudeLeaves = tensorLeaves(magnitudeUpdates);
    if (granularity === 'global' && magnitudeLeaves.length === 0)
      return {
        updates: directionUpdates,
        state: { magnitude: magnitudeState, direction: directionState, multiplier: state.multiplier },
      };
    const multiplier: TensorTree =
      granularity === 'tensor'
        ? (mapTensors(
            (m: Tensor, d: Tensor) => ratio(scaledNorm([m]), scaledNorm([d])),
            magnitudeUpdates,
            directionUpdates,
          ) as TensorTree)
        : ratio(scaledNorm(magnitudeLeaves), scaledNorm(directionLeaves));
    const next: GraftState<M, D> = { magnitude: magnitudeState, direction: directionState, multiplier };
    const factors = tensorLeaves(multiplier);
    const dtype = directionLeaves[0]?.dtype;
    const composable = [...directionLeaves, ...factors].every(
      (leaf) => leaf.backend.name === 'cpu' && leaf.dtype === dtype,
    );
    if (!composable) {
      const out =
        granularity === 'tensor'
          ? mapTensors((d: Tensor, s: Tensor) => mul(d, s), directionUpdates, multiplier)
          : tree.map((d: Tensor) => mul(d, multiplier as Tensor), directionUpdates);
      return { updates: out as TensorTree, state: next };
    }
    const values = factors.map((factor) => factor.dataSync()[0]!);
    return {
      owner,
      kernel: GRAFT_SCALED,
      inputs: [directionUpdates],
      scalars: granularity === 'tensor' ? [] : [values[0]!],
      ...(granularity === 'tensor' && { leafScalars: values.map((value) => [value]) }),
      state: next,
      roundsOutput: true,
    };
  };

  return withInputChecks('graft', {
    init: (params) => {
      const leaves = tensorLeaves(params);
      const like = leaves[0];
      const dtype = like?.dtype === 'float64' ? 'float64' : 'float32';
      return {
        magnitude: magnitude.init(params),
        direction: direction.init(params),
        multiplier:
          granularity === 'tensor'
            ? (mapTensors((p: Tensor) => zeros([], { dtype: p.dtype, backend: p.backend.name }), params) as TensorTree)
            : zeros([], { dtype, ...(like ? { backend: like.backend.name } : {}) }),
      };
    },
    update: (updates, state, params, extras) =>
      tidy(() => {
        const step = composedStep(updates, state, params, extras);
        return isFinalKernel(step) ? runFinalKernel(step, updates, undefined, undefined) : [step.updates, step.state];
      }),
    finalKernel: (updates, state, params, extras) =>
      updates === undefined ? undefined : tidy(() => composedStep(updates, state, params, extras)),
  });
}
