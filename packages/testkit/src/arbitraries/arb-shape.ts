import fc from 'fast-check';

/** Options of {@link arbShape}. */
export interface ArbShapeOptions {
  /** Fewest axes (default 0: scalars included). */
  readonly minRank?: number;
  /** Most axes (default 3). */
  readonly maxRank?: number;
  /** Largest axis length (default 4; small so properties stay fast and counterexamples short). */
  readonly maxDimension?: number;
  /** Smallest axis length (default 1; 0 allows empty tensors). */
  readonly minDimension?: number;
}

/**
 * Tensor shapes: arrays of axis lengths, shrinking towards fewer and shorter axes.
 *
 * Math: rank r ∈ [minRank, maxRank], each dimension dᵢ ∈ [minDimension, maxDimension], so the
 * element count Π dᵢ is at most maxDimension^maxRank (64 by default).
 *
 * @example
 * fc.assert(fc.property(arbShape({ maxRank: 2 }), (shape) => shape.length <= 2));
 */
export function arbShape(options: ArbShapeOptions = {}): fc.Arbitrary<number[]> {
  const minRank = options.minRank ?? 0;
  const maxRank = options.maxRank ?? 3;
  const minDimension = options.minDimension ?? 1;
  const maxDimension = options.maxDimension ?? 4;
  if (!(minRank >= 0 && maxRank >= minRank && minDimension >= 0 && maxDimension >= minDimension)) {
    throw new RangeError(
      `arbShape: need 0 ≤ minRank ≤ maxRank and 0 ≤ minDimension ≤ maxDimension, got ${JSON.stringify(options)}`,
    );
  }
  return fc.array(fc.integer({ min: minDimension, max: maxDimension }), { minLength: minRank, maxLength: maxRank });
}
