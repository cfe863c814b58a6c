/**
 * EXPERIMENTAL. A static per-layer learning-rate correction for SGD derived from grafting
 * (spec/algorithms.md §2.3, an inferred procedure: the paper's section defining it could not be read).
 */
import { tree, type Tensor, type Tree } from '@vane/tensor';
import { applyUpdates, disposeReplaced } from '../apply-updates.js';
import { checkTransformation } from '../combinators/chain.js';
import { sgd } from '../optimizers/sgd.js';
import type { GradientTransformation, TensorTree } from '../transform.js';
import { checkBoolean, checkNonNegative, checkOptionKeys, checkPositiveInteger, failOption } from '../validation.js';
import { graft } from './graft.js';

/** Options of {@link calibrateLayerwiseLR}. */
export interface CalibrateLayerwiseLROptions<M> {
  /** M: the tuned optimizer whose per-layer step lengths are measured, complete with its learning rate (e.g. `adam({ lr: 1e-3 })`). */
  magnitude: GradientTransformation<M>;
  /** The starting parameters (not modified). */
  params: TensorTree;
  /** The gradient at `params` for calibration step `step` (from 0), e.g. a mini-batch loss gradient. The calibration disposes it after use. */
  gradient: (params: TensorTree, step: number) => TensorTree;
  /** T₀: calibration steps of M#SGD to run (a positive integer). */
  steps: number;
  /** How many of the last steps to aggregate (default 1: r_ℓ(T₀) alone). */
  window?: number;
  /** How to aggregate the window: `'median'` (default) or `'mean'`. */
  aggregate?: 'median' | 'mean';
  /**
   * Divide every ratio by their mean over tensors, so only the *relative* layer scales are
   * frozen and a global schedule s(t) sets the overall size (default false).
   */
  normalize?: boolean;
  /**
   * μ ∈ [0, 1): the momentum of the SGD the ratios are measured against and will be applied to
   * (default 0). The ratios are per unit of SGD's *step*: use the same μ in the SGD that
   * consumes them (`trace({ decay: μ })`). A momentum buffer grows to about 1/(1 − μ) times the
   * gradient, so ratios measured without momentum and applied after `trace({ decay: 0.9 })`
   * give steps about 10 times M's.
   */
  momentum?: number;
}

/** Result of {@link calibrateLayerwiseLR}. */
export interface LayerwiseCalibration {
  /** r_ℓ per parameter tensor, a tree of numbers shaped like the params: SGD's per-layer learning rate (times s(t) if normalized). */
  ratios: Tree<number>;
  /** The normalizing mean the raw ratios were divided by (1 without `normalize`). */
  scale: number;
  /** r_ℓ(t) at every calibration step, one array (over tensors, in tree order) per step. */
  history: number[][];
  /** The parameters after the calibration run (M#SGD steps), to continue training from. */
  params: TensorTree;
}

/**
 * EXPERIMENTAL: calibrates a per-layer learning rate for plain SGD by grafting.
 *
 * 1. Runs M#SGD layer-wise for T₀ steps from `params`: the step of each tensor ℓ has M's norm
 *    and the direction of SGD (lr 1, momentum μ), so the implicit learning rate SGD needs to
 *    match M is r_ℓ(t) = ‖Δ_M,ℓ(t)‖ / ‖Δ_SGD,ℓ(t)‖ (the graft multiplier): ‖Δ_M,ℓ‖/‖g_ℓ‖ without
 *    momentum, ‖Δ_M,ℓ‖/‖buf_ℓ‖ with it (buf ← μ·buf + g).
 * 2. Freezes r_ℓ as r_ℓ(T₀), or the median (or mean) over the last `window` steps; with
 *    `normalize`, divides by the mean over tensors so only relative layer scales remain.
 * 3. Train SGD with the same momentum and η_ℓ(t) = r_ℓ·s(t):
 *    `chain(trace({ decay: μ }), scaleByLayerRatios(ratios), scaleByLearningRate(s))`, or without
 *    momentum `chain(scaleByLayerRatios(ratios), scaleByLearningRate(s))` (s = 1 and no normalize
 *    reproduces M's step lengths at T₀).
 *
 * The paper reports that a static, non-adaptive correction found by grafting lets SGD train
 * BERT; its exact procedure could not be read, so this is a faithful-in-spirit inference,
 * not the authors' protocol. Reading r_ℓ(t) each step is a backend read, which is fine for an
 * offline calibration run but is why this is not a transform.
 *
 * @param options - `magnitude`, `params`, `gradient`, `steps`, `window` (1), `aggregate`
 *   ('median'), `normalize` (false), `momentum` (0).
 * @returns `{ ratios, scale, history, params }`.
 * @example
 * const calibration = calibrateLayerwiseLR({ magnitude: adam({ lr: 1e-3 }), params, gradient: (p) => gradientOf(p), steps: 50, window: 10, momentum: 0.9 });
 * const layerwiseSgd = chain(trace({ decay: 0.9 }), scaleByLayerRatios(calibration.ratios), scaleByLearningRate(1));
 * @experimental
 * @see Agarwal, Anil, Hazan, Koren, Zhang, "Disentangling Adaptive Gradient Methods from Learning
 *   Rates" (arXiv 2002.11803) and its ICLR 2022 version ("static transfer of learning rate ratios").
 */
export function calibrateLayerwiseLR<M>(options: CalibrateLayerwiseLROptions<M>): LayerwiseCalibration {
  const owner = 'calibrateLayerwiseLR';
  if (options === null || typeof options !== 'object') failOption(owner, 'options', 'an object', options);
  checkOptionKeys(owner, options, [
    'magnitude',
    'params',
    'gradient',
    'steps',
    'window',
    'aggregate',
    'normalize',
    'momentum',
  ]);
  checkTransformation(owner, 'magnitude', options.magnitude);
  if (typeof options.gradient !== 'function')
    failOption(owner, 'gradient', 'a function (params, step) => gradients', options.gradient);
  const steps = checkPositiveInteger(owner, 'steps', options.steps);
  const window = checkPositiveInteger(owner, 'window', options.window ?? 1);
  if (window > steps) failOption(owner, 'window', `at most 'steps' (${steps})`, window);
  const aggregate = options.aggregate ?? 'median';
  if (aggregate !== 'median' && aggregate !== 'mean') failOption(owner, 'aggregate', "'median' or 'mean'", aggregate);
  const normalize = checkBoolean(owner, 'normalize', options.normalize ?? false);
  const momentum = checkNonNegative(owner, 'momentum', options.momentum ?? 0);
  if (momentum >= 1) failOption(owner, 'momentum', 'a number in [0, 1)', momentum);

  // SGD at lr 1 flips the sign, so the grafted update is a step to add to the parameters. Its
  // momentum is the one the ratios will be applied after, so they are per unit of that step.
  const grafted = graft(
    { magnitude: options.magnitude, direction: sgd({ lr: 1, momentum }) },
    { granularity: 'tensor' },
  );
  let params = options.params;
  let state = grafted.init(params);
  const history: number[][] = [];
  for (let step = 0; step < steps; step++) {
    const gradients = options.gradient(params, step);
    const [updates, next] = grafted.update(gradients, state, params);
    const nextParams = applyUpdates(params, updates);
    history.push((tree.leaves(next.multiplier) as Tensor[]).map((multiplier) => multiplier.item()));
    // Free what this loop made and the gradients it was handed; never the caller's starting params.
    disposeReplaced([step === 0 ? [] : params, state, updates, gradients], [nextParams, next, options.params]);
    params = nextParams;
    state = next;
  }
  disposeReplaced(state, [params, options.params]);

  const recent = history.slice(-window);
  const leafCount = recent[0]!.length;
  const raw = Array.from({ length: leafCount }, (_, leaf) => {
    const values = recent.map((row) => row[leaf]!).sort((a, b) => a - b);
    if (aggregate === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
    const middle = values.length >> 1;
    return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
  });
  const scale = normalize ? raw.reduce((a, b) => a + b, 0) / raw.length : 1;
  const values = raw.map((value) => (scale > 0 ? value / scale : value));
  const structure = tree.flatten(options.params).structure;
  return { ratios: tree.unflatten<number>(structure, values), scale, history, params };
}
