import fc from 'fast-check';
import { tensor, type DType, type Tensor } from '@vane/tensor';
import { arbShape } from './arb-shape.js';

/** Options of {@link arbTensor}. */
export interface ArbTensorOptions {
  /** Element type (default 'float32'). */
  readonly dtype?: DType;
  /** A fixed shape, or an arbitrary of shapes (default `arbShape()`). */
  readonly shape?: readonly number[] | fc.Arbitrary<number[]>;
  /** Smallest element (default −10). */
  readonly min?: number;
  /** Largest element (default 10). */
  readonly max?: number;
  /** Smallest allowed |x| for non-zero elements; elements in (−x, x) become 0 (default 0). */
  readonly minMagnitude?: number;
}

/**
 * Tensors of a dtype with finite elements in [min, max], shrinking towards small shapes and
 * elements near 0.
 *
 * Math: float32 elements are exactly representable in float32 (drawn with `fc.float` on
 * fround-ed bounds), so a float64 reference computed from `dataSync()` sees the same inputs;
 * float64 elements use `fc.double`; int32 elements are integers in [⌈min⌉, ⌊max⌋]; bool
 * elements are uniform. NaN and ±∞ are never drawn (use `withZeros` streams or build special
 * values by hand to test them).
 *
 * @example
 * fc.assert(fc.property(arbTensor({ dtype: 'float64', shape: [2, 3], min: -1, max: 1 }), (x) => x.size === 6));
 */
export function arbTensor(options: ArbTensorOptions = {}): fc.Arbitrary<Tensor> {
  const dtype = options.dtype ?? 'float32';
  const shapes =
    options.shape === undefined
      ? arbShape()
      : Array.isArray(options.shape)
        ? fc.constant([...options.shape])
        : (options.shape as fc.Arbitrary<number[]>);
  return shapes.chain((shape) => {
    const size = shape.reduce((product, length) => product * length, 1);
    return fc
      .array(arbElement(dtype, options), { minLength: size, maxLength: size })
      .map((values) => tensor(values as number[] | boolean[], { dtype, shape }));
  });
}

/** One element of a tensor of `dtype` within the bounds of `options`. */
export function arbElement(
  dtype: DType,
  options: Pick<ArbTensorOptions, 'min' | 'max' | 'minMagnitude'> = {},
): fc.Arbitrary<number | boolean> {
  const min = options.min ?? -10;
  const max = options.max ?? 10;
  if (!(min <= max)) throw new RangeError(`arbTensor: need min ≤ max, got min ${min}, max ${max}`);
  const floor = options.minMagnitude ?? 0;
  const snap = (value: number) => (Math.abs(value) < floor ? 0 : value);
  switch (dtype) {
    case 'bool':
      return fc.boolean();
    case 'int32':
      return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    case 'float64':
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((value) => snap(value) + 0);
    default: {
      // Round the bounds inwards so every drawn value lies within [min, max].
      let low = Math.fround(min);
      if (low < min) low = nextFloat32Up(low);
      let high = Math.fround(max);
      if (high > max) high = nextFloat32Down(high);
      return fc.float({ min: low, max: high, noNaN: true, noDefaultInfinity: true }).map((value) => snap(value) + 0);
    }
  }
}

function nextFloat32Up(value: number): number {
  return Math.fround(value + Math.abs(value) * 2 ** -23 + 2 ** -149);
}

function nextFloat32Down(value: number): number {
  return Math.fround(value - Math.abs(value) * 2 ** -23 - 2 ** -149);
}
