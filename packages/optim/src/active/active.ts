/**
 * ActiveLR ("Read the Signs", Wadi, Fredette, Senecal, arXiv 2301.10133) as a wrapper over any
 * gradient transformation: a per-parameter gain, adapted once per period from the sign
 * agreement of period-summed gradients, multiplies the base optimizer's whole update.
 */
import { withInputChecks } from '../input-checks.js';
import {
  add,
  cast,
  clip,
  fusedMap,
  less,
  full,
  fullLike,
  isNaN as isNaNTensor,
  lessEqual,
  logicalAnd,
  logicalNot,
  mul,
  sum,
  tidy,
  tree,
  where,
  zeros,
  type Tensor,
} from '@vane/tensor';
import { checkTransformation } from '../combinators/chain.js';
import { ADD } from '../kernels.js';
import { multiplyUpdates } from '../multiply-updates.js';
import {
  isAffineStep,
  isFinalKernel,
  mapStepState,
  type ComputedStep,
  type FinalKernel,
  type GradientTransformation,
  type TensorTree,
  type UpdateExtras,
} from '../transform.js';
import { runFinalKernel } from '../combinators/compose-final-kernel.js';
import { IDENTITY_EPILOGUE } from '../combinators/run-sequence.js';
import { checkStructure, mapTensors, zerosTree } from '../tree-utilities.js';
import {
  checkBoolean,
  checkNonNegative,
  checkOptionKeys,
  checkPositive,
  checkPositiveInteger,
  failOption,
} from '../validation.js';
import { AGREES, CHANGE_GAIN } from './active-kernels.js';
import { foldPeriodSum, type FoldedGainChange, type FoldedOutputs } from './period-sum-fold.js';

/** Options of {@link active}. */
export interface ActiveOptions {
  /**
   * K: updates per period, a positive integer. The authors use one epoch
   * (`period = stepsPerEpoch`); `period: 1` gives a per-step sign rule.
   */
  period: number;
  /** λ_high ≥ 0: added to a gain whose sign statistic agreed (default 2, the paper's benchmarks). */
  increase?: number;
  /** λ_low > 0: multiplies a gain whose sign statistic flipped (default 0.5, the paper's benchmarks). */
  decrease?: number;
  /**
   * Count a zero product of the two period sums as a flip (default true, as the authors'
   * `<= 0`); with false only a strictly negative product is a flip and a zero one grows the gain.
   */
  zeroIsFlip?: boolean;
  /**
   * Lower clamp of the gains, ≥ 0 (default none). Hinton suggests bounds such as [0.1, 10].
   * Applied from step 0: the starting gain 1 is clamped too, so `minGain: 2` doubles every
   * update from the first one.
   */
  minGain?: number;
  /**
   * Upper clamp of the gains, > 0 (default none: the authors' gains are unbounded). Applied from
   * step 0, like `minGain`: `maxGain: 0.5` halves every update from the first one.
   */
  maxGain?: number;
  /**
   * `'element'` (default, the authors'): one gain per parameter element, from the sign of
   * each element's period sums. `'tensor'`: one gain per parameter tensor, from the sign of
   * the inner product ⟨previous sum, current sum⟩ over the tensor (an inferred extension).
   */
  granularity?: 'element' | 'tensor';
  /**
   * What is summed over a period and compared: `'gradient'` (default, the authors'): the raw
   * updates this wrapper receives, before the base transforms them; `'update'`: the base's
   * own updates (after momentum, preconditioning and learning rate, before the gain).
   */
  signal?: 'gradient' | 'update';
}

/** The names of {@link ActiveOptions}, the one list both `active` and the Active optimizers check against. */
export const ACTIVE_OPTION_KEYS = [
  'period',
  'increase',
  'decrease',
  'zeroIsFlip',
  'minGain',
  'maxGain',
  'granularity',
  'signal',
] as const;
// A compile error here names an ActiveOptions key missing from ACTIVE_OPTION_KEYS.
const everyActiveOptionListed: Record<Exclude<keyof ActiveOptions, (typeof ACTIVE_OPTION_KEYS)[number]>, never> = {};
void everyActiveOptionListed;

/** State of {@link active}. Per-parameter fields are trees shaped like the params. */
export interface ActiveState<S = unknown> {
  /** Updates so far (the step counter t − 1 before the t-th update). */
  count: number;
  /** The base transformation's state. */
  base: S;
  /**
   * The gains a, all 1 at first (clamped to [minGain, maxGain]): shaped like the params for `'element'` granularity, one 0-d
   * tensor per parameter for `'tensor'`. Read them shaped like the params with {@link activeGains}.
   */
  gain: TensorTree;
  /** c: Σ of the signal over the current, unfinished period. */
  periodSum: TensorTree;
  /** c_prev: Σ of the signal over the last complete period (zeros before the first ends). */
  previousSum: TensorTree;
  /** Per parameter, a 0-d int32 count of elements whose gain grew at the last gain change. */
  grew: TensorTree;
  /** Gain changes so far (one at the end of every period after the first). */
  gainChanges: number;
}

/**
 * Sign-aware learning-rate adaptation (ActiveLR) over any base transformation.
 *
 * The t-th update (t from 1), with raw incoming updates g_t (the gradient) and period K:
 * - u_t = base(g_t) (the base advances its own state as usual);
 * - out_t = a ⊙ u_t, with the gain a in force *before* this step's change (it multiplies the
 *   base's whole update: direction, weight decay and learning rate);
 * - c ← c + g_t (or + u_t with `signal: 'update'`);
 * - if t mod K = 0 and t > K: a ← clamp(where(c_prev ⊙ c ≤ 0, a·λ_low, a + λ_high), minGain, maxGain)
 *   (additive increase, multiplicative decrease; `< 0` when `zeroIsFlip` is false);
 * - if t mod K = 0: c_prev ← c, c ← 0.
 *
 * The gains start at clamp(1, minGain, maxGain). The first gain change happens at the end of
 * the second period (t = 2K) and is used from step 2K + 1; until then `active(base)` equals
 * `base` exactly (times the clamped starting gain when 1 lies outside the bounds). The effective
 * per-element learning rate is η·a. The gains are unbounded unless `minGain`/`maxGain` are
 * given, as in the authors' code.
 *
 * A NaN product c_prev·c (a period sum that is NaN, or ∞·0) leaves the gain unchanged: it has no
 * sign, so it is evidence neither of agreement nor of a flip. The authors' `where(c_prev*c <= 0,
 * …)` instead grows the gain on a NaN, which raises the learning rate exactly where the
 * gradients have gone bad, and Vane's kernel used to count it as a flip. The NaN sum is still
 * stored as c_prev, so the comparison at the end of the next period is kept too; after that the
 * rule resumes on finite sums. (Reaching the sums needs a base that survives a NaN gradient,
 * such as `applyIfFinite`; a NaN that reaches the params ends training anyway.)
 *
 * @param base - any gradient transformation, typically a full optimizer such as `adamw(...)`.
 * @param options - `period` (required), `increase` (2), `decrease` (0.5), `zeroIsFlip` (true),
 *   `minGain`, `maxGain`, `granularity` ('element'), `signal` ('gradient').
 * @example
 * const optimizer = active(adamw({ lr: 1e-3 }), { period: stepsPerEpoch });
 * let state = optimizer.init(params);
 * const [updates, next] = optimizer.update(grads, state, params);
 * activeSummary(next); // { min, max, mean, grewFraction, gainChanges }
 * @see Wadi, Fredette, Senecal, "Read the Signs: Towards Invariance to Gradient Descent's
 *   Hyperparameter Initialization" (arXiv 2301.10133); the authors' code, github.com/davoodwadi/ConsciousLR.
 */
export function active<S>(
  base: GradientTransformation<S>,
  options: ActiveOptions,
): GradientTransformation<ActiveState<S>> {
  const owner = 'active';
  checkTransformation(owner, 'base', base);
  if (options === undefined || options === null) failOption(owner, 'options', "an object with 'period'", options);
  checkOptionKeys(owner, options, ACTIVE_OPTION_KEYS);
  const period = checkPositiveInteger(owner, 'period', options.period);
  const increase = checkNonNegative(owner, 'increase', options.increase ?? 2);
  const decrease = checkPositive(owner, 'decrease', options.decrease ?? 0.5);
  const zeroIsFlip = checkBoolean(owner, 'zeroIsFlip', options.zeroIsFlip ?? true);
  const minGain = options.minGain === undefined ? 0 : checkNonNegative(owner, 'minGain', options.minGain);
  const maxGain = options.maxGain === undefined ? Number.MAX_VALUE : checkPositive(owner, 'maxGain', options.maxGain);
  if (minGain > maxGain) failOption(owner, 'maxGain', `≥ 'minGain' (${minGain})`, maxGain);
  const bounded = options.minGain !== undefined || options.maxGain !== undefined;
  // The bounds hold from step 0: the starting gain 1 is clamped like every later gain.
  const startGain = Math.min(Math.max(1, minGain), maxGain);
  const granularity = options.granularity ?? 'element';
  if (granularity !== 'element' && granularity !== 'tensor')
    failOption(owner, 'granularity', "'element' or 'tensor'", granularity);
  const signal = options.signal ?? 'gradient';
  if (signal !== 'gradient' && signal !== 'update') failOption(owner, 'signal', "'gradient' or 'update'", signal);
  const flipFlag = zeroIsFlip ? 1 : 0;

  // The number of elements whose gain grows. Float32 flags run as a compiled SIMD kernel (the
  // int32 ones in a JavaScript loop, several times slower), and their sum is exact while the count
  // cannot exceed 2²⁴ (every partial sum is then an integer float32 holds), so that route is
  // taken only for float32 tensors of at most 2²⁴ elements.
  const countAgreeing = (previous: Tensor, current: Tensor): Tensor =>
    previous.dtype === 'float32' && previous.size <= 2 ** 24
      ? cast(sum(fusedMap(AGREES, [previous, current], [flipFlag])), 'int32')
      : sum(fusedMap(AGREES, [previous, current], [flipFlag], { dtype: 'int32' }));

  const changeElementGain = (gain: Tensor, previous: Tensor, current: Tensor): [Tensor, Tensor] => [
    fusedMap(CHANGE_GAIN, [gain, previous, current], [increase, decrease, flipFlag, minGain, maxGain]),
    countAgreeing(previous, current),
  ];

  // One gain per tensor: the tensor's sign statistic is the inner product of its two period sums.
  const changeTensorGain = (gain: Tensor, previous: Tensor, current: Tensor): [Tensor, Tensor] => {
    const product = sum(mul(previous, current));
    const flip = zeroIsFlip ? lessEqual(product, 0) : less(product, 0);
    // A NaN inner product has no sign: the gain is kept (as the element kernel does).
    const unknown = isNaNTensor(product);
    const changed = where(unknown, gain, where(flip, mul(gain, decrease), add(gain, increase)));
    const grew = logicalAnd(logicalNot(flip), logicalNot(unknown));
    return [bounded ? clip(changed, minGain, maxGain) : changed, mul(cast(grew, 'int32'), current.size)];
  };

  // Until the first change at t = 2K every gain is the starting gain; when that is exactly 1
  // (no bound excludes it) the product is skipped.
  const gainsInUse = (state: ActiveState<S>): boolean => state.count >= 2 * period || startGain !== 1;

  /** The next state but the base's: the period sums and, at the end of a period, the gain change. */
  const advance = (updates: TensorTree, state: ActiveState<S>, signalTree: TensorTree): ActiveState<S> => {
    checkStructure('active.update', state.periodSum, updates, ['state.periodSum', 'updates']);
    const periodSum = mapTensors(
      (c: Tensor, g: Tensor) => fusedMap(ADD, [c, g]),
      state.periodSum,
      signalTree,
    ) as TensorTree;
    return advanceWithSum(state, periodSum);
  };

  /**
   * {@link advance} given this step's period sum c + g already made (by the base's one pass, see
   * `period-sum-fold.ts`): the gain change at the end of a period reads it, and only then.
   */
  const advanceWithSum = (
    state: ActiveState<S>,
    periodSum: TensorTree,
    folded: Omit<FoldedOutputs, 'sum'> = {},
  ): ActiveState<S> => {
    const { emptySum } = folded;
    const count = state.count + 1;
    const next: ActiveState<S> = {
      count,
      base: state.base,
      gain: state.gain,
      periodSum,
      previousSum: state.previousSum,
      grew: state.grew,
      gainChanges: state.gainChanges,
    };
    if (count % period === 0) {
      if (count > period && folded.gain !== undefined && folded.agrees !== undefined) {
        // Made by the base's pass: the count from float32 flags, as countAgreeing's float32 route.
        next.gain = folded.gain;
        next.grew = mapTensors((flags: Tensor) => cast(sum(flags), 'int32'), folded.agrees) as TensorTree;
        next.gainChanges = state.gainChanges + 1;
      } else if (count > period) {
        const { leaves: gains, structure } = tree.flatten(state.gain);
        const previous = tree.leaves(state.previousSum);
        const current = tree.leaves(periodSum);
        const changed = gains.map((gain, index) =>
          granularity === 'element'
            ? changeElementGain(gain, previous[index]!, current[index]!)
            : changeTensorGain(gain, previous[index]!, current[index]!),
        );
        next.gain = tree.unflatten(
          structure,
          changed.map((pair) => pair[0]),
        );
        next.grew = tree.unflatten(
          structure,
          changed.map((pair) => pair[1]),
        );
        next.gainChanges = state.gainChanges + 1;
      }
      next.previousSum = periodSum;
      next.periodSum = emptySum ?? zerosTree(periodSum);
    }
    return next;
  };

  /**
   * Whether the gain change can join the base's pass: element gains whose sums are all float32 of
   * at most 2²⁴ elements (where the separate route counts from float32 flags, see countAgreeing).
   */
  const foldsGainChange = (state: ActiveState<S>): boolean =>
    granularity === 'element' &&
    tree
      .leaves(state.periodSum)
      .every((leaf) => (leaf as Tensor).dtype === 'float32' && (leaf as Tensor).size <= 2 ** 24) &&
    tree.leaves(state.gain).every((leaf) => (leaf as Tensor).dtype === 'float32') &&
    tree.leaves(state.previousSum).every((leaf) => (leaf as Tensor).dtype === 'float32');

  const gainChangeOf = (state: ActiveState<S>): FoldedGainChange => ({
    gain: state.gain,
    previousSum: state.previousSum,
    scalars: [increase, decrease, flipFlag, minGain, maxGain],
  });

  const withBase = (next: ActiveState<S>, baseState: S): ActiveState<S> => ({ ...next, base: baseState });

  /**
   * The composition point: with the gradient as the signal the base's own updates are not
   * needed, so the gain composes after the base's last kernel where the base leaves it unrun
   * (one pass fewer; the same bits), and the base's state comes from that kernel's run. The
   * 'update' signal needs the base's updates before the gain: none (undefined).
   */
  const composedStep = (
    updates: TensorTree,
    state: ActiveState<S>,
    params: TensorTree | undefined,
    extras: UpdateExtras | undefined,
  ): FinalKernel<ActiveState<S>> | ComputedStep<ActiveState<S>> | undefined => {
    if (signal !== 'gradient' || base.finalKernel === undefined) return undefined;
    checkStructure('active.update', state.periodSum, updates, ['state.periodSum', 'updates']);
    const step = base.finalKernel(updates, state.base, params, extras);
    if (step === undefined || isAffineStep(step)) return undefined;
    const inUse = gainsInUse(state);
    if (!isFinalKernel(step))
      return {
        updates: inUse ? multiplyUpdates(step.updates, state.gain) : step.updates,
        state: withBase(advance(updates, state, updates), step.state),
      };
    if (inUse && step.multiplier !== undefined) {
      // A gain already composed (active over active): this one is its own pass.
      const next = advance(updates, state, updates);
      const [out, baseState] = runFinalKernel(step, updates, params, step.epilogue);
      return { updates: multiplyUpdates(out, state.gain), state: withBase(next, baseState) };
    }
    const composed: FinalKernel<S> = inUse
      ? { ...step, epilogue: step.epilogue ?? IDENTITY_EPILOGUE, multiplier: state.gain }
      : step;
    // The period sum as one more output of the base's pass (it reads g already): one pass and
    // one read of g fewer per step. The gain change, at a period end, runs once that pass has.
    // (Nothing is made before that pass, so nothing here needs `carried` to outlive this tidy.)
    if (composed.fresh !== undefined) {
      const endsPeriod = (state.count + 1) % period === 0;
      const fresh = foldPeriodSum(
        composed.fresh,
        state.periodSum,
        updates,
        endsPeriod,
        endsPeriod && state.count + 1 > period && foldsGainChange(state) ? gainChangeOf(state) : undefined,
        (baseState, { sum: periodSum, ...folded }) => withBase(advanceWithSum(state, periodSum, folded), baseState),
      );
      if (fresh !== undefined) return { ...composed, fresh };
    }
    const next = advance(updates, state, updates);
    return mapStepState(composed, (baseState) => withBase(next, baseState), [next]);
  };

  return withInputChecks('active', {
    init: (params) => ({
      count: 0,
      base: base.init(params),
      gain: mapTensors(
        (p: Tensor) =>
          granularity === 'element'
            ? fullLike(p, startGain)
            : full([], startGain, { dtype: p.dtype, backend: p.backend.name }),
        params,
      ) as TensorTree,
      periodSum: zerosTree(params),
      previousSum: zerosTree(params),
      grew: mapTensors((p: Tensor) => zeros([], { dtype: 'int32', backend: p.backend.name }), params) as TensorTree,
      gainChanges: 0,
    }),
    update: (updates, state, params, extras) =>
      tidy(() => {
        const step = composedStep(updates, state, params, extras);
        if (step !== undefined)
          return isFinalKernel(step)
            ? runFinalKernel(step, updates, params, step.epilogue)
            : [step.updates, step.state];
        // No composition (the 'update' signal, or a base without one): the base's own update.
        const [baseUpdates, baseState] = base.update(updates, state.base, params, extras);
        const out = gainsInUse(state) ? multiplyUpdates(baseUpdates, state.gain) : baseUpdates;
        const signalTree = signal === 'gradient' ? updates : baseUpdates;
        return [out, withBase(advance(updates, state, signalTree), baseState)] as [TensorTree, ActiveState<S>];
      }),
    finalKernel: (updates, state, params, extras) =>
      updates === undefined ? undefined : tidy(() => composedStep(updates, state, params, extras)),
  });
}
