/**
 * A producer stated as its final kernel: `update` runs that kernel as it is, and `chain`
 * composes the learning rate, decoupled weight decay and a wrapper's gain into it
 * (`compose-final-kernel.ts`). One mechanism for every producer whose output is one
 * elementwise kernel per leaf.
 */
import { runFinalKernel } from './compose-final-kernel.js';
import type { FinalKernel, GradientTransformation, TensorTree, UpdateExtras } from '../transform.js';

/**
 * The transformation whose state starts as `init` gives it and whose step is `finalKernel`:
 * `update` advances the state and runs the kernel; its composition point
 * (`GradientTransformation.finalKernel`) hands the kernel unrun to `chain` and `active`.
 *
 * @example
 * return finalKernelProducer((params) => ({ sum: zerosTree(params) }), (updates, state) => ({ owner, kernel, inputs, scalars, state: next, roundsOutput: true }));
 */
export function finalKernelProducer<S>(
  init: (params: TensorTree) => S,
  finalKernel: (
    updates: TensorTree,
    state: S,
    params: TensorTree | undefined,
    extras: UpdateExtras | undefined,
  ) => FinalKernel<S>,
): GradientTransformation<S> {
  return {
    init,
    update: (updates, state, params, extras) => {
      return runFinalKernel(finalKernel(updates, state, params, extras), updates, undefined, undefined);
    },
    finalKernel: (updates, state, params, extras) =>
      updates === undefined ? undefined : finalKernel(updates, state, params, extras),
  };
}
