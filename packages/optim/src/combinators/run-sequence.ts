/**
 * The loop shared by `chain` and `namedChain`: apply transforms in order, folding a run of
 * affine transforms into the producer before them when both offer fusion hooks.
 */
import type { AffineCoefficients, AnyTransformation, TensorTree, UpdateExtras } from '../transform';

/** Applies `transforms` in order; returns the final updates and the next states (same order). */
export function runSequence(
  transforms: readonly AnyTransformation[],
  states: readonly unknown[],
  updates: TensorTree,
  params: TensorTree | undefined,
  extras: UpdateExtras | undefined,
): [TensorTree, unknown[]] {
  const next: unknown[] = new Array(transforms.length);
  let current = updates;
  let index = 0;
  while (index < transforms.length) {
    const transform = transforms[index]!;
    const producer = transform.fusion?.updateWithEpilogue;
    if (producer) {
      // Compose the affine maps that follow: a₂(a₁u + b₁p) + b₂p = a₂a₁u + (a₂b₁ + b₂)p.
      let coefficients: AffineCoefficients = { updateScale: 1, paramScale: 0 };
      const foldedStates: unknown[] = [];
      let end = index + 1;
      while (end < transforms.length) {
        const folded = transforms[end]!.fusion?.affine?.(states[end], params !== undefined);
        if (!folded) break;
        coefficients = {
          updateScale: folded.coefficients.updateScale * coefficients.updateScale,
          paramScale: folded.coefficients.updateScale * coefficients.paramScale + folded.coefficients.paramScale,
        };
        foldedStates.push(folded.state);
        end++;
      }
      if (end > index + 1) {
        const [out, state] = producer.call(transform.fusion, current, states[index], params, extras, coefficients);
        current = out;
        next[index] = state;
        foldedStates.forEach((state, offset) => (next[index + 1 + offset] = state));
        index = end;
        continue;
      }
    }
    const [out, state] = transform.update(current, states[index], params, extras);
    current = out;
    next[index] = state;
    index++;
  }
  return [current, next];
}
