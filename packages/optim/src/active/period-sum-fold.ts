/**
 * ActiveLR's per-step period sum (c ← c + g) as one more fresh output of the base's final
 * kernel, so that on float32 it is written by the same one `fusedMapMany` pass as the base's
 * moments, direction and parameter add, instead of by a pass of its own that reads g again.
 *
 * Why the bits stay the same: the separate pass was `fusedMap(ADD, [c, g])`, one addition of two
 * stored values rounded once when stored; the folded output is the same expression over the
 * same stored inputs (c and g are read as sources, never recomputed), rounded once when stored.
 */
import { expression as e, type ExpressionKernel } from '@vane/tensor';
import type { FreshInputs, TensorTree } from '../transform.js';

/** Kernels already widened to a given arity, so that each compiles once (the compiled loops are cached by name). */
const widenedKernels = new WeakMap<ExpressionKernel, Map<number, ExpressionKernel>>();

/** `kernel` read over `arity` inputs (the extra trailing ones unread): every fresh kernel must share one arity. */
function widened(kernel: ExpressionKernel, arity: number): ExpressionKernel {
  if (kernel.arity === arity) return kernel;
  let byArity = widenedKernels.get(kernel);
  if (byArity === undefined) {
    byArity = new Map();
    widenedKernels.set(kernel, byArity);
  }
  let result = byArity.get(arity);
  if (result === undefined) {
    result = { ...kernel, name: `${kernel.name}+periodSum@${arity}`, arity };
    byArity.set(arity, result);
  }
  return result;
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
 * const folded = foldPeriodSum(step.fresh, state.periodSum, grads, false, (baseState, sum) => ({ ...next(sum), base: baseState }));
 */
export function foldPeriodSum<S, T>(
  fresh: FreshInputs<S>,
  periodSum: TensorTree,
  gradients: TensorTree,
  endsPeriod: boolean,
  withSum: (baseState: S, sum: TensorTree, emptySum: TensorTree | undefined) => T,
): FreshInputs<T> | undefined {
  if (fresh.dependent !== undefined && fresh.dependent.length > 0) return undefined;
  const sumIndex = fresh.sources.length;
  const known = fresh.sources.indexOf(gradients);
  const gradientIndex = known >= 0 ? known : sumIndex + 1;
  const sources = known >= 0 ? [...fresh.sources, periodSum] : [...fresh.sources, periodSum, gradients];
  const arity = sources.length;
  const scalarCount = fresh.kernels[0]!.scalarCount;
  const baseOutputs = fresh.kernels.length;
  return {
    ...fresh,
    kernels: [
      ...fresh.kernels.map((kernel) => widened(kernel, arity)),
      periodSumKernel(arity, sumIndex, gradientIndex, scalarCount),
      ...(endsPeriod ? [zerosKernel(arity, scalarCount)] : []),
    ],
    sources,
    state: (outputs) =>
      withSum(
        fresh.state(outputs.slice(0, baseOutputs)),
        outputs[baseOutputs]!,
        endsPeriod ? outputs[baseOutputs + 1]! : undefined,
      ),
  };
}
