/**
 * The graft ("magnitude") updates used by Shampoo implementations, as LR-free transforms to
 * pass as `graft({ magnitude })`: SGD, AdaGrad, RMSProp, their normalized variants and sqrt(n).
 */
import { add, div, tidy, type Tensor } from '@vane/tensor';
import { chain } from '../combinators/chain.js';
import { identity } from '../combinators/identity.js';
import type { EmptyState, GradientTransformation, TensorTree } from '../transform.js';
import { scaleByRms, type ScaleByRmsState } from '../transforms/scale-by-rms.js';
import { scaleByRss, type ScaleByRssState } from '../transforms/scale-by-rss.js';
import { scaleBySign } from '../transforms/scale-by-sign.js';
import { mapTensors } from '../tree-utilities.js';
import { scaledNorm } from './scaled-norm.js';
import { checkClosedUnitInterval, checkOptionKeys, checkPositive, failOption } from '../validation.js';

/** The names of the magnitude presets (Shampoo's `GraftingType`s). */
export type GraftMagnitudePreset = 'sgd' | 'adagrad' | 'rmsprop' | 'adagradNormalized' | 'rmspropNormalized' | 'sqrtN';

/** The preset names, in `GraftingType` order. */
export const GRAFT_MAGNITUDE_PRESETS: readonly GraftMagnitudePreset[] = [
  'sgd',
  'adagrad',
  'rmsprop',
  'rmspropNormalized',
  'sqrtN',
  'adagradNormalized',
];

/** Options of {@link graftMagnitude}. */
export interface GraftMagnitudeOptions {
  /** The diagonal ε > 0 added to √S (AdaGrad and RMSProp presets; default 1e-10). */
  eps?: number;
  /** β₂ of the RMSProp presets, in [0, 1]; 1 makes the accumulator a sum like AdaGrad's (default 0.999). */
  beta2?: number;
}

/** State of a magnitude preset: none, scaleByRss's or scaleByRms's, after a stateless normalization for the normalized presets. */
export type GraftMagnitudeState =
  EmptyState | ScaleByRssState | ScaleByRmsState | [EmptyState, ScaleByRssState | ScaleByRmsState];

// The normalized presets divide each tensor by its norm plus Shampoo's _EPSILON = 1e-25.
const NORMALIZE_EPSILON = 1e-25;

/** ĝ = g/(‖g‖ + 1e-25) per tensor: the first stage of the normalized presets. */
function normalizeEachTensor(): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (updates, state) => [
      tidy(() => mapTensors((g: Tensor) => div(g, add(scaledNorm([g]), NORMALIZE_EPSILON)), updates) as TensorTree),
      state,
    ],
  };
}

/**
 * A Shampoo-style magnitude ("graft") transform by name. Each returns an update *before* the
 * learning rate (chain `scaleByLearningRate` after the graft), per tensor, with g the incoming
 * gradient:
 *
 * | preset | update |
 * |---|---|
 * | `'sgd'` | g |
 * | `'adagrad'` | S ← S + g²; g/(√S + ε) |
 * | `'rmsprop'` | S ← β₂S + (1 − β₂)g² (S + g² when β₂ = 1); g/(√S + ε) |
 * | `'adagradNormalized'` | ĝ = g/(‖g‖ + 1e-25); S ← S + ĝ²; ĝ/(√S + ε) |
 * | `'rmspropNormalized'` | ĝ as above; S ← β₂S + (1 − β₂)ĝ²; ĝ/(√S + ε) |
 * | `'sqrtN'` | sign(g), whose norm is √(number of non-zeros) |
 *
 * @param name - the preset.
 * @param options - `eps` (1e-10, the diagonal ε) and `beta2` (0.999, RMSProp presets only).
 * @example
 * const shampooLike = chain(graft({ magnitude: graftMagnitude('rmspropNormalized'), direction: myPreconditioner }), scaleByLearningRate(1e-3));
 * @see google-research `precondition/distributed_shampoo.py` (`GraftingType`);
 *   Agarwal et al., "Disentangling Adaptive Gradient Methods from Learning Rates" (arXiv 2002.11803).
 */
export function graftMagnitude(
  name: GraftMagnitudePreset,
  options: GraftMagnitudeOptions = {},
): GradientTransformation<GraftMagnitudeState> {
  const owner = 'graftMagnitude';
  if (!GRAFT_MAGNITUDE_PRESETS.includes(name))
    failOption(
      owner,
      'name',
      GRAFT_MAGNITUDE_PRESETS.map((preset) => `'${preset}'`)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1'),
      name,
    );
  checkOptionKeys(owner, options, ['eps', 'beta2']);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-10);
  const isRms = name === 'rmsprop' || name === 'rmspropNormalized';
  if (!isRms && options.beta2 !== undefined)
    failOption(owner, 'beta2', `absent for the '${name}' preset (only the RMSProp presets use it)`, options.beta2);
  const beta2 = isRms ? checkClosedUnitInterval(owner, 'beta2', options.beta2 ?? 0.999) : 1;
  if (name === 'sgd') return identity();
  if (name === 'sqrtN') return scaleBySign();
  // S + g² is AdaGrad's sum (scaleByRss); β₂ < 1 is RMSProp's moving average (scaleByRms),
  // whose kernels compute the same expressions, so the results are the same bit for bit.
  const diagonal = beta2 === 1 ? scaleByRss({ eps }) : scaleByRms({ decay: beta2, eps });
  const normalized = name === 'adagradNormalized' || name === 'rmspropNormalized';
  return (
    normalized ? chain(normalizeEachTensor(), diagonal) : diagonal
  ) as GradientTransformation<GraftMagnitudeState>;
}
