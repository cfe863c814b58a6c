/**
 * The loop shared by `chain` and `namedChain`: apply transforms in order, composing each run of
 * affine stages into the final kernel of the producer before it, through the one composition
 * point every transform may offer (`GradientTransformation.finalKernel`).
 *
 * The rules, which keep every step bit for bit what it was before composition:
 * - A producer (a stage whose composition point returns a {@link FinalKernel}) followed by a
 *   run of affine stages is one kernel: its expression, then a·u + b·p with the run's
 *   coefficients multiplied out.
 * - A producer followed by nothing runs its own `update` (which may skip a pass, as `trace`
 *   does), except at the end of a sequence asked to leave its tail unrun (`chain`'s own
 *   composition point, for `active`'s gain).
 * - A kernel that already carries an epilogue (a nested chain's tail) is not folded into again:
 *   the affine run after it is its own pass, as it was before composition.
 * - Two or more affine stages in a row with no producer before them are one pass.
 * - Everything else runs its `update`.
 */
import { fusedMap, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import {
  isAffineStep,
  isFinalKernel,
  mapStepState,
  type AffineCoefficients,
  type AnyTransformation,
  type FinalKernel,
  type TensorTree,
  type UpdateExtras,
} from '../transform.js';
import { runFinalKernel } from './compose-final-kernel.js';
import { checkStructure, mapTensors } from '../tree-utilities.js';

const AFFINE = defineKernel(
  'optim.chain.affine',
  { inputs: ['u', 'p'], scalars: ['updateScale', 'paramScale'] },
  ({ u, p, updateScale, paramScale }) => e.add(e.mul(updateScale, u), e.mul(paramScale, p)),
);

const SCALED = defineKernel('optim.chain.scaled', { inputs: ['u'], scalars: ['updateScale'] }, ({ u, updateScale }) =>
  e.mul(updateScale, u),
);

/** The affine stage u ↦ 1·u + 0·p: where a run of affine stages starts. */
export const IDENTITY_EPILOGUE: AffineCoefficients = { updateScale: 1, paramScale: 0 };

/** `second` after `first`: a₂(a₁u + b₁p) + b₂p = a₂a₁·u + (a₂b₁ + b₂)·p. */
export function composeAffine(first: AffineCoefficients, second: AffineCoefficients): AffineCoefficients {
  return {
    updateScale: second.updateScale * first.updateScale,
    paramScale: second.updateScale * first.paramScale + second.paramScale,
  };
}

/**
 * The affine stages from `start` on, asked with their incoming updates not yet computed: where
 * the run ends, its coefficients multiplied out (from the identity) and the stages' next states.
 */
export function foldAffineRun(
  transforms: readonly AnyTransformation[],
  states: readonly unknown[],
  start: number,
  params: TensorTree | undefined,
  extras: UpdateExtras | undefined,
) {
  let coefficients = IDENTITY_EPILOGUE;
  const foldedStates: unknown[] = [];
  let end = start;
  while (end < transforms.length) {
    const step = transforms[end]!.finalKernel?.(undefined, states[end], params, extras);
    if (step === undefined || !isAffineStep(step)) break;
    coefficients = composeAffine(coefficients, step.epilogue);
    foldedStates.push(step.state);
    end++;
  }
  return { end, coefficients, foldedStates };
}

/** The outcome of {@link runSequence}: the updates, or (asked to leave it unrun) the tail's kernel. */
export type SequenceOutcome =
  | { readonly updates: TensorTree; readonly pending?: undefined }
  | { readonly pending: FinalKernel<unknown[]>; readonly updates?: undefined };

/**
 * Applies `transforms` in order; returns the final updates and the next states (same order).
 * With `leavePending`, a sequence that ends with a producer and the affine run after it
 * returns that producer's kernel unrun, with the run as its `epilogue` (none when the run is
 * empty), for the caller to compose more into it (`active`'s gain); that kernel's state is
 * then every transform's next state, in order (the producer's once the kernel has run).
 */
export function runSequence(
  transforms: readonly AnyTransformation[],
  states: readonly unknown[],
  updates: TensorTree,
  params: TensorTree | undefined,
  extras: UpdateExtras | undefined,
  leavePending = false,
): [SequenceOutcome, unknown[]] {
  const next: unknown[] = new Array(transforms.length);
  let current = updates;
  let index = 0;
  while (index < transforms.length) {
    const transform = transforms[index]!;
    if (transform.finalKernel !== undefined) {
      const own = foldAffineRun(transforms, states, index, params, extras);
      if (own.end > index) {
        // An affine stage: two or more in a row (decay then learning rate) are one pass; one
        // alone runs its own update below.
        if (own.end > index + 1) {
          current = applyAffine(current, params, own.coefficients);
          own.foldedStates.forEach((state, offset) => (next[index + offset] = state));
          index = own.end;
          continue;
        }
      } else {
        const { end, coefficients, foldedStates } = foldAffineRun(transforms, states, index + 1, params, extras);
        const folds = end > index + 1;
        const endsPending = leavePending && end === transforms.length;
        if (folds || endsPending) {
          const step = transform.finalKernel(current, states[index], params, extras);
          if (step !== undefined) {
            foldedStates.forEach((state, offset) => (next[index + 1 + offset] = state));
            if (isFinalKernel(step) && step.epilogue !== undefined && folds) {
              // A kernel that brings its own epilogue (a nested chain's) keeps it: folding more
              // into it would move a rounding the unfused chain had. The run after it is a pass.
              const [out, state] = runFinalKernel(step, current, params, step.epilogue);
              next[index] = state;
              current = applyAffine(out, params, coefficients);
            } else if (isFinalKernel(step)) {
              if (endsPending) {
                // The producer's state may come from the run (fresh inputs): the sequence's
                // states are completed when the caller runs the kernel.
                const pending = folds ? { ...step, epilogue: coefficients } : step;
                const states = next;
                return [
                  {
                    pending: mapStepState(
                      pending,
                      (state) => {
                        const all = [...states];
                        all[index] = state;
                        return all;
                      },
                      [states],
                    ),
                  },
                  next,
                ];
              }
              [current, next[index]] = runFinalKernel(step, current, params, step.epilogue ?? coefficients);
            } else {
              // An affine stage or a computed step after all: its output, then the run after it.
              next[index] = step.state;
              current = isAffineStep(step) ? applyAffine(current, params, step.epilogue) : step.updates;
              if (folds) current = applyAffine(current, params, coefficients);
            }
            index = end;
            continue;
          }
        }
      }
    }
    const [out, state] = transform.update(current, states[index], params, extras);
    current = out;
    next[index] = state;
    index++;
  }
  return [{ updates: current }, next];
}

/** u ↦ a·u + b·p on every leaf, in one pass (`a·u` alone when b is 0). */
export function applyAffine(
  updates: TensorTree,
  params: TensorTree | undefined,
  { updateScale, paramScale }: AffineCoefficients,
): TensorTree {
  // Checked even when no decay is folded, as the unfused addDecayedWeights would.
  if (params !== undefined) checkStructure('chain.update', params, updates, ['params', 'updates']);
  if (paramScale === 0) return mapTensors((u: Tensor) => fusedMap(SCALED, [u], [updateScale]), updates) as TensorTree;
  return mapTensors(
    (u: Tensor, p: Tensor) => fusedMap(AFFINE, [u, p], [updateScale, paramScale]),
    updates,
    params!,
  ) as TensorTree;
}
