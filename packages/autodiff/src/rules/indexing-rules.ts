/**
 * Gradient rules of the indexing ops: gather and scatterAdd (indexSelect, takeAlongAxis and
 * the cross-entropy pattern build on them).
 */
import { gather, pad, scatterAdd, zeros, type Tensor } from '@vane/tensor';
import type { GradientRule } from '../gradient-rule.js';

type IndexingName = 'gather' | 'scatterAdd';

/** Rules of gather and scatterAdd. */
export const indexingRules: { readonly [K in IndexingName]: GradientRule<K> } = {
  // gather reads x[index]; its adjoint adds g back at the same places (repeated indices sum).
  gather: ({ inputs: [x, index], outputGradient: g, attributes: { axis }, needsGradient }) => [
    needsGradient[0] ? scatterAdd(zeros(x!.shape, { dtype: g.dtype, backend: g.backend.name }), axis, index!, g) : null,
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
