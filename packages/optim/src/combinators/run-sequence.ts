/**
 * The loop shared by `chain` and `namedChain`: apply transforms in order, composing a run of
 * affine transforms (and a wrapper's multiplier) into the final kernel of the producer before
 * them when the producer offers one (`FusionHooks.finalKernel`).
 */
import { fusedMap, defineKernel, expression as e, type Tensor } from '@vane/tensor';
import type { AffineCoefficients, AnyTransformation, TensorTree, UpdateExtras } from '../transform.js';
import { multiplyUpdates } from '../multiply-updates.js';
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

/** Folds the affine transforms from `start` on; returns where the run ends, its map and states. */
function foldAffineRun(
  transforms: readonly AnyTransformation[],
  states: readonly unknown[],
  start: number,
  hasParams: boolean,
) {
  let coefficients: AffineCoefficients = { updateScale: 1, paramScale: 0 };
  const foldedStates: unknown[] = [];
  let end = start;
  while (end < transforms.length) {
    const folded = transforms[end]!.fusion?.affine?.(states[end], hasParams);
    if (!folded) break;
    // a₂(a₁u + b₁p) + b₂p = a₂a₁u + (a₂b₁ + b₂)p.
    coefficients = {
      updateScale: folded.coefficients.updateScale * coefficients.updateScale,
      paramScale: folded.coefficients.updateScale * coefficients.paramScale + folded.coefficients.paramScale,
    };
    foldedStates.push(folded.state);
    end++;
  }
  return { end, coefficients, foldedStates };
}

/**
 * Applies `transforms` in order; returns the final updates and the next states (same order).
 * With `multiplier`, the final updates are multiplied by it element by element: inside the last
 * producer's final kernel when that producer and the affine run after it end the sequence,
 * else in one more pass (the result is the same bit for bit).
 */
export function runSequence(
  transforms: readonly AnyTransformation[],
  states: readonly unknown[],
  updates: TensorTree,
  params: TensorTree | undefined,
  extras: UpdateExtras | undefined,
  multiplier?: TensorTree,
): [TensorTree, unknown[]] {
  const next: unknown[] = new Array(transforms.length);
  let current = updates;
  let index = 0;
  let multiplied = multiplier === undefined;
  while (index < transforms.length) {
    const transform = transforms[index]!;
    const producer = transform.fusion?.finalKernel;
    if (producer) {
      const { end, coefficients, foldedStates } = foldAffineRun(transforms, states, index + 1, params !== undefined);
      // A producer that ends the sequence takes the multiplier even with no affine run after it:
      // its epilogue is then the identity (1·u + 0·p), which is exact.
      const takesMultiplier = !multiplied && end === transforms.length;
      if (end > index + 1 || takesMultiplier) {
        const final = producer.call(transform.fusion, current, states[index], params, extras);
        current = runFinalKernel(final, current, params, coefficients, takesMultiplier ? multiplier : undefined);
        if (takesMultiplier) multiplied = true;
        next[index] = final.state;
        foldedStates.forEach((state, offset) => (next[index + 1 + offset] = state));
        index = end;
        continue;
      }
    }
    if (transform.fusion?.affine) {
      // Two or more affine transforms in a row (decay then learning rate): one pass for all.
      const { end, coefficients, foldedStates } = foldAffineRun(transforms, states, index, params !== undefined);
      if (end > index + 1) {
        current = applyAffine(current, params, coefficients);
        foldedStates.forEach((state, offset) => (next[index + offset] = state));
        index = end;
        continue;
      }
    }
    const [out, state] = transform.update(current, states[index], params, extras);
    current = out;
    next[index] = state;
    index++;
  }
  if (!multiplied) current = multiplyUpdates(current, multiplier!);
  return [current, next];
}

function applyAffine(
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
