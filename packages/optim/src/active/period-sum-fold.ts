/**
 * ActiveLR's per-step period sum (c ← c + g) as one more fresh output of the base's final
 * kernel, so that on float32 it is written by the same one `fusedMapMany` pass as the base's
 * moments, direction and parameter add, instead of by a pass of its own that reads g again.
 *
 * Why the bits stay the same: the separate pass was `fusedMap(ADD, [c, g])`, one addition of two
 * stored values rounded once when stored; the folded output is the same expression over the
 * same stored inputs (c and g are read as sources, never recomputed), rounded once when stored.
 */
import { expression as e, tree, type ExpressionKernel, type Tensor } from '@vane/tensor';
import { substituteInputs } from '../combinators/substitute-inputs.js';
import type { FreshInputs, TensorTree } from '../transform.js';
import { AGREES, CHANGE_GAIN } from './active-kernels.js';

/** Kernels already widened to a given arity, so that each compiles once (the compiled loops are cached by name). */
const widenedKernels = new WeakMap<ExpressionKernel, Map<number, ExpressionKernel>>();

/**
 * `kernel` read over `arity` inputs and `scalarCount` scalars (the extra trailing ones unread):
 * every fresh kernel must share one arity and one scalar count.
 */
function widened(kernel: ExpressionKernel, arity: number, scalarCount: number): ExpressionKernel {
  if (kernel.arity === arity && kernel.scalarCount === scalarCount) return kernel;
  let byArity = widenedKernels.get(kernel);
  if (byArity === undefined) {
    byArity = new Map();
    widenedKernels.set(kernel, byArity);
  }
  const key = arity * 1024 + scalarCount;
  let result = byArity.get(key);
  if (result === undefined) {
    result = { ...kernel, name: `${kernel.name}+periodSum@${arity}/${scalarCount}`, arity, scalarCount };
    byArity.set(key, result);
  }
  return result;
}

/**
 * `kernel` (CHANGE_GAIN or AGREES) with its inputs read from the pass's sources and the current
 * period sum as the float32 tensor stores it, fround(c + g): the value the separate pass read
 * back. Its scalars follow the base's `scalarShift` fresh scalars.
 */
function gainKernel(
  kernel: ExpressionKernel,
  inputs: readonly number[],
  sumIndex: number,
  gradientIndex: number,
  arity: number,
  scalarShift: number,
  scalarCount: number,
): ExpressionKernel {
  const name = `${kernel.name}@${arity}:${inputs.join(',')}:${sumIndex}+${gradientIndex}/${scalarShift}/${scalarCount}`;
  let result = sumKernels.get(name);
  if (result === undefined) {
    const currentSum = e.fround(e.add(e.input(sumIndex), e.input(gradientIndex)));
    const expression = substituteInputs(
      kernel.expression,
      (index) => (index < inputs.length ? e.input(inputs[index]!) : currentSum),
      scalarShift,
    );
    result = { name, arity, scalarCount, expression };
    sumKernels.set(name, result);
  }
  return result;
}

/**
 * The end-of-period gain change folded into the same pass (element gains on float32 only, where
 * the separate route counts agreeing elements from float32 flags): the gains, c_prev, and
 * CHANGE_GAIN's scalars (increase, decrease, zeroIsFlip, minGain, maxGain).
 */
export interface FoldedGainChange {
  /** The gains in force before this change. */
  readonly gain: TensorTree;
  /** c_prev, the last complete period's sum. */
  readonly previousSum: TensorTree;
  /** CHANGE_GAIN's scalars; AGREES reads the third (zeroIsFlip). */
  readonly scalars: readonly [number, number, number, number, number];
}

/** What the pass made for {@link active}'s state: the sum, and at a period end the empty sum and the change. */
export interface FoldedOutputs {
  /** c + g. */
  readonly sum: TensorTree;
  /** Zeros for the next period (period ends only). */
  readonly emptySum?: TensorTree;
  /** The changed gains (with a folded gain change only). */
  readonly gain?: TensorTree;
  /** 1 where the gain grew, else 0, float32 (with a folded gain change only). */
  readonly agrees?: TensorTree;
}

/** The sum kernels by (arity, sum input, gradient input, scalar count): a name per expression. */
const sumKernels = new Map<string, ExpressionKernel>();

/** c + g with c at input `sumIndex` and g at `gradientIndex`, over `arity` inputs and `scalarCount` unread scalars. */
function periodSumKernel(
  arity: number,
  sumIndex: number,
  gradientIndex: number,
  scalarCount: number,
): ExpressionKernel {
  const name = `optim.active.periodSum@${arity}:${sumIndex}+${gradientIndex}/${scalarCount}`;
  let kernel = sumKernels.get(name);
  if (kernel === undefined) {
    kernel = { name, arity, scalarCount, expression: e.add(e.input(sumIndex), e.input(gradientIndex)) };
    sumKernels.set(name, kernel);
  }
  return kernel;
}

/** Zeros over `arity` inputs and `scalarCount` scalars, none read: the next period's empty sum. */
function zerosKernel(arity: number, scalarCount: number): ExpressionKernel {
  const name = `optim.active.emptySum@${arity}/${scalarCount}`;
  let kernel = sumKernels.get(name);
  if (kernel === undefined) {
    kernel = { name, arity, scalarCount, expression: e.constant(0) };
    sumKernels.set(name, kernel);
  }
  return kernel;
}

/**
 * `fresh` with the period sum c + g as one more output (the last, so that the outputs `selected`
 * names keep their places), with c (and g, where it is not already a source) as sources after the
 * base's, so that sources the base's kernels name keep their places too. Its `state` gives the base's
 * state from the base's outputs and passes the new sum to `withSum`. With `endsPeriod` the next
 * period's empty sum (zeros, +0 as `zerosTree` makes) is one more output after it, written by the
 * same pass rather than allocated, filled and copied on its own (about a quarter of a period end's
 * cost at 10M parameters), and passed to `withSum` too. Undefined where the base has
 * dependent kernels (AMSGrad's), which read the outputs right after the sources: the caller then sums
 * in a pass of its own, as before.
 *
 * @example
 * const folded = foldPeriodSum(step.fresh, state.periodSum, grads, false, undefined, (baseState, { sum }) => ({ ...next(sum), base: baseState }));
 */
export function foldPeriodSum<S, T>(
  fresh: FreshInputs<S>,
  periodSum: TensorTree,
  gradients: TensorTree,
  endsPeriod: boolean,
  gainChange: FoldedGainChange | undefined,
  withSum: (baseState: S, outputs: FoldedOutputs) => T,
): FreshInputs<T> | undefined {
  if (fresh.dependent !== undefined && fresh.dependent.length > 0) return undefined;
  // A pass's outputs take its first input's dtype: fold only where that is the sum's own, so the
  // sums keep the dtype the separate pass gave them.
  const firstLeaves = tree.leaves(fresh.sources[0]!) as Tensor[];
  const sumLeaves = tree.leaves(periodSum) as Tensor[];
  if (
    firstLeaves.length !== sumLeaves.length ||
    firstLeaves.some((leaf, index) => leaf.dtype !== sumLeaves[index]!.dtype)
  )
    return undefined;
  // The folded gain change reads c as a float32 tensor stores it: every input float32.
  if (
    gainChange !== undefined &&
    ![...fresh.sources, gradients].every((source) =>
      (tree.leaves(source) as Tensor[]).every((leaf) => leaf.dtype === 'float32'),
    )
  )
    gainChange = undefined;
  const sumIndex = fresh.sources.length;
  const known = fresh.sources.indexOf(gradients);
  const gradientIndex = known >= 0 ? known : sumIndex + 1;
  const sources = known >= 0 ? [...fresh.sources, periodSum] : [...fresh.sources, periodSum, gradients];
  const gainIndex = sources.length;
  if (gainChange !== undefined) sources.push(gainChange.gain, gainChange.previousSum);
  const arity = sources.length;
  const baseScalars = fresh.scalars.length;
  const scalars = gainChange === undefined ? fresh.scalars : [...fresh.scalars, ...gainChange.scalars];
  const scalarCount = gainChange === undefined ? fresh.kernels[0]!.scalarCount : scalars.length;
  const baseOutputs = fresh.kernels.length;
  const gainKernels =
    gainChange === undefined
      ? []
      : [
          gainKernel(CHANGE_GAIN, [gainIndex, gainIndex + 1], sumIndex, gradientIndex, arity, baseScalars, scalarCount),
          // AGREES' one scalar (zeroIsFlip) is CHANGE_GAIN's third.
          gainKernel(AGREES, [gainIndex + 1], sumIndex, gradientIndex, arity, baseScalars + 2, scalarCount),
        ];
  return {
    ...fresh,
    kernels: [
      ...fresh.kernels.map((kernel) => widened(kernel, arity, scalarCount)),
      periodSumKernel(arity, sumIndex, gradientIndex, scalarCount),
      ...(endsPeriod ? [zerosKernel(arity, scalarCount)] : []),
      ...gainKernels,
    ],
    sources,
    scalars,
    state: (outputs) => {
      const changeAt = baseOutputs + (endsPeriod ? 2 : 1);
      return withSum(fresh.state(outputs.slice(0, baseOutputs)), {
        sum: outputs[baseOutputs]!,
        emptySum: endsPeriod ? outputs[baseOutputs + 1]! : undefined,
        gain: gainChange === undefined ? undefined : outputs[changeAt]!,
        agrees: gainChange === undefined ? undefined : outputs[changeAt + 1]!,
      });
    },
  };
}
