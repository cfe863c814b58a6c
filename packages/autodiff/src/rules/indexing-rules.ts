/**
 * Gradient rules of the indexing ops: gather and scatterAdd (indexSelect, takeAlongAxis and
 * the cross-entropy pattern build on them).
 */
import { expand, gather, pad, scatterAdd, zeros, type Tensor } from '@vane/tensor';
import type { GradientRule } from '../gradient-rule.js';

type IndexingName = 'gather' | 'scatterAdd';

/** Rules of gather and scatterAdd. */
export const indexingRules: { readonly [K in IndexingName]: GradientRule<K> } = {
  // gather reads x[index]; its adjoint adds g back at the same places (repeated indices sum).
  // The accumulator is one zero broadcast to x's shape, not a filled tensor of that shape:
  // scatterAdd writes a fresh result either way, and on the gpu the fill was a dispatch of its own.
  gather: ({ inputs: [x, index], outputGradient: g, attributes: { axis }, needsGradient }) => [
    needsGradient[0]
      ? scatterAdd(expand(zeros([], { dtype: g.dtype, backend: g.backend.name }), x!.shape), axis, index!, g)
      : null,
    null,
  ],
  // out = target + scatter(source): the target passes g through; the source reads g at its
  // index positions (entries of source outside the index's extent are unused: zero).
  scatterAdd: ({ inputs: [, index, source], outputGradient: g, attributes: { axis }, needsGradient }) => {
    let sourceGradient: Tensor | null = null;
    if (needsGradient[2]) {
      const read = gather(g, axis, index!);
      const missing = source!.shape.map((size, a): [number, number] => [0, size - read.shape[a]!]);
      sourceGradient = missing.some(([, after]) => after > 0) ? pad(read, missing) : read;
    }
    return [needsGradient[0] ? g : null, null, sourceGradient];
  },
};
