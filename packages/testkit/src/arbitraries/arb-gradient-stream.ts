import fc from 'fast-check';
import { isTensor, tensor, tree, type Tensor, type Tree } from '@vane/tensor';

/** How the gradients of a stream relate across steps. */
export type GradientStreamKind = 'random' | 'consistentSign' | 'alternatingSign' | 'withZeros';

/** Options of {@link arbGradientStream}. */
export interface ArbGradientStreamOptions {
  /** The parameters the gradients belong to (their structure, shapes and dtypes are copied). */
  readonly params: Tree<Tensor>;
  /** Number of steps (gradient trees) in the stream. */
  readonly length: number;
  /** How signs evolve (default 'random'). */
  readonly kind?: GradientStreamKind;
  /** Smallest |g| of a non-zero element (default 0.01; keeps ε-terms negligible, see the kinds). */
  readonly minMagnitude?: number;
  /** Largest |g| (default 10). */
  readonly maxMagnitude?: number;
}

/**
 * Sequences of gradient trees shaped like `params`.
 *
 * Math, per element i and step t (m_{t,i} ∈ [minMagnitude, maxMagnitude] drawn independently):
 * - `random`: g_{t,i} = ±m_{t,i}, each sign drawn independently;
 * - `consistentSign`: g_{t,i} = s_i·m_{t,i} with one sign s_i per element for the whole stream;
 * - `alternatingSign`: g_{t,i} = (−1)^t·s_i·m_{t,i}, so consecutive gradients disagree everywhere;
 * - `withZeros`: as `random`, but each element is 0 with probability about ½, and whole steps
 *   may be all-zero (the case where "zero gradient → no update" and 0/0 bugs show up).
 * Magnitudes are bounded away from 0 so that ε-terms (≈1e-8) stay far below the tolerances the
 * invariants use. Gradients take each parameter's dtype (float leaves only).
 *
 * @example
 * const params = { w: zeros([3]) };
 * fc.assert(fc.property(arbGradientStream({ params, length: 4, kind: 'consistentSign' }), (stream) => stream.length === 4));
 */
export function arbGradientStream(options: ArbGradientStreamOptions): fc.Arbitrary<Tree<Tensor>[]> {
  const { params, length } = options;
  const kind = options.kind ?? 'random';
  const minMagnitude = options.minMagnitude ?? 0.01;
  const maxMagnitude = options.maxMagnitude ?? 10;
  if (!(Number.isInteger(length) && length >= 0))
    throw new RangeError(`arbGradientStream: 'length' must be a non-negative integer, got ${length}`);
  if (!(minMagnitude > 0 && maxMagnitude >= minMagnitude))
    throw new RangeError(
      `arbGradientStream: need 0 < minMagnitude ≤ maxMagnitude, got ${minMagnitude}, ${maxMagnitude}`,
    );
  const leaves = tree.leaves(params).filter(isTensor);
  const size = leaves.reduce((total, leaf) => total + leaf.size, 0);
  // Magnitudes as fround-ed doubles so float32 gradients hold exactly the drawn value.
  const magnitude = fc.double({ min: minMagnitude, max: maxMagnitude, noNaN: true }).map(Math.fround);
  const magnitudes = fc.array(fc.array(magnitude, { minLength: size, maxLength: size }), {
    minLength: length,
    maxLength: length,
  });
  const signs = (count: number) => fc.array(fc.constantFrom(1, -1), { minLength: count, maxLength: count });
  const zeroMasks = fc.array(fc.array(fc.boolean(), { minLength: size, maxLength: size }), {
    minLength: length,
    maxLength: length,
  });
  const wholeStepZero = fc.array(fc.boolean(), { minLength: length, maxLength: length });
  return fc
    .tuple(magnitudes, signs(size * Math.max(length, 1)), zeroMasks, wholeStepZero)
    .map(([steps, signList, masks, zeroSteps]) =>
      steps.map((stepMagnitudes, step) => {
        const values = stepMagnitudes.map((value, index) => {
          switch (kind) {
            case 'random':
              return signList[step * size + index]! * value;
            case 'consistentSign':
              return signList[index]! * value;
            case 'alternatingSign':
              return (step % 2 === 0 ? 1 : -1) * signList[index]! * value;
            case 'withZeros':
              return zeroSteps[step] && step % 2 === 1
                ? 0
                : masks[step]![index]
                  ? 0
                  : signList[step * size + index]! * value;
          }
        });
        return shapeLike(params, values);
      }),
    );
}

/** A tree like `params` whose tensor leaves hold consecutive runs of `values`. */
export function shapeLike(params: Tree<Tensor>, values: readonly number[]): Tree<Tensor> {
  let offset = 0;
  return tree.map((leaf: Tensor) => {
    const slice = values.slice(offset, offset + leaf.size);
    offset += leaf.size;
    return tensor(slice, { dtype: leaf.dtype === 'float64' ? 'float64' : 'float32', shape: leaf.shape });
  }, params);
}
