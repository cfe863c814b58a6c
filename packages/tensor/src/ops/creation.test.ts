import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arange,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  seed,
  tensor,
  zeros,
  zerosLike,
  type RandomGenerator,
} from '../index.js';
import { product, RUNS, shapeArbitrary, values } from '../../test/helpers.js';

/**
 * A generator whose next two raw outputs are 0xFFFFFFFF, so that uniform() = 1 − 2⁻⁵³, the
 * largest double below 1. Built by inverting the xoshiro128** output scrambler
 * rotl(s1·5, 7)·9 (all three steps are bijections mod 2³²); with s0 = s2 = 0, s1 is unchanged
 * by the first state update.
 */
function generatorAtTopOfRange(): RandomGenerator {
  const modulus = 0x100000000n;
  const inverse = (a: bigint) => {
    let x = 1n;
    for (let i = 0; i < 6; i++) x = (x * (2n - a * x)) % modulus;
    return (x + modulus) % modulus;
  };
  const scrambled = (0xffffffffn * inverse(9n)) % modulus;
  const unrotated = ((scrambled >> 7n) | (scrambled << 25n)) % modulus;
  const s1 = Number((unrotated * inverse(5n)) % modulus);
  const generator = seed(0);
  generator.setState([0, s1, 0, 12345, Number.NaN]);
  return generator;
}

describe('tensor()', () => {
  it('builds from nested arrays: shape, float32 by default, row-major values, size and ndim', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.dataSync()).toBeInstanceOf(Float32Array);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('round-trips any nested array through toArray()', () => {
    fc.assert(
      fc.property(shapeArbitrary(0, 4, 3), (shape) => {
        const flat = Array.from({ length: product(shape) }, (_, i) => i * 0.5 - 3);
        const t = tensor(flat, { shape, dtype: 'float64' });
        const nested = t.toArray();
        const again = tensor(nested as number[], { dtype: 'float64' });
        expect(again.shape).toEqual(shape);
        expect(values(again)).toEqual(flat);
      }),
      RUNS,
    );
  });

  it('takes typed arrays (dtype from the array), flat data plus shape, scalars and booleans', () => {
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor(new Uint8Array([0, 3])).toArray()).toEqual([false, true]);
    const shaped = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expect(shaped.shape).toEqual([3, 2]);
    expect(shaped.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'int32' }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const scalar = tensor(3.5);
    expect(scalar.shape).toEqual([]);
    expect(scalar.ndim).toBe(0);
    expect(scalar.size).toBe(1);
    expect(scalar.item()).toBe(3.5);
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([true, false]).toArray()).toEqual([true, false]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('converts on the requested dtype: int32 truncates, bool maps non-zero to true', () => {
    expect(tensor([1.9, -1.9, 2], { dtype: 'int32' }).toArray()).toEqual([1, -1, 2]);
    expect(tensor([0, 2, -0.5], { dtype: 'bool' }).toArray()).toEqual([false, true, true]);
    expect(tensor([0.1], { dtype: 'float64' }).item()).toBe(0.1);
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
  });

  it('copies its input: later changes to the source array do not reach the tensor', () => {
    const source = new Float32Array([1, 2, 3]);
    const t = tensor(source);
    source[0] = 100;
    expect(t.toArray()).toEqual([1, 2, 3]);
    const read = t.dataSync();
    read[1] = 100;
    expect(t.toArray()).toEqual([1, 2, 3]);
  });

  it('data() resolves to the same values as dataSync(), also for strided views', async () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]).T;
    expect(Array.from(await t.data())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(t.dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(await t.slice([1]).data()).toEqual(new Float32Array([2, 5]));
  });

  it('item() needs exactly one element', () => {
    expect(tensor([[7]]).item()).toBe(7);
    expect(() => tensor([1, 2]).item()).toThrow(/item: tensor has shape \[2\] \(2 elements\), expected exactly 1/);
  });
});

describe('constant creators', () => {
  it('zeros, ones, full fill the shape with the value and dtype asked for', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(0, 4, 3),
        fc.constantFrom('float32', 'float64', 'int32', 'bool' as const),
        (shape, dtype) => {
          for (const [t, value] of [
            [zeros(shape, { dtype }), 0],
            [ones(shape, { dtype }), 1],
            [full(shape, 7, { dtype }), dtype === 'bool' ? 1 : 7],
          ] as const) {
            expect(t.shape).toEqual(shape);
            expect(t.dtype).toBe(dtype);
            expect(values(t)).toEqual(new Array(product(shape)).fill(value));
          }
        },
      ),
      RUNS,
    );
    expect(full([2], true).dtype).toBe('bool');
    expect(full([2], 2.5).toArray()).toEqual([2.5, 2.5]);
  });

  it('zerosLike, onesLike, fullLike copy shape, dtype and backend', () => {
    const like = tensor([[1, 2, 3]], { dtype: 'int32' });
    for (const [t, value] of [
      [zerosLike(like), 0],
      [onesLike(like), 1],
      [fullLike(like, 4), 4],
    ] as const) {
      expect(t.shape).toEqual([1, 3]);
      expect(t.dtype).toBe('int32');
      expect(t.backend).toBe(like.backend);
      expect(values(t)).toEqual([value, value, value]);
    }
    expect(zerosLike(like, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('arange follows NumPy: one argument is a stop, integral ranges are int32', () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(2, 8, 3).toArray()).toEqual([2, 5]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(arange(3, 3).shape).toEqual([0]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(1, 2, 0.25).dtype).toBe('float32');
    expect(arange(0, 3, 1, { dtype: 'float64' }).dtype).toBe('float64');
    fc.assert(
      fc.property(
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: -5, max: 5 }).filter((s) => s !== 0),
        (start, stop, step) => {
          const expected: number[] = [];
          for (let v = start; step > 0 ? v < stop : v > stop; v += step) expected.push(v);
          expect(values(arange(start, stop, step))).toEqual(expected);
        },
      ),
      RUNS,
    );
    expect(() => arange(0, 1, 0)).toThrow(/arange: 'step' must not be 0/);
  });

  it('linspace includes both ends exactly and is evenly spaced', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.integer({ min: 2, max: 50 }),
        (start, stop, count) => {
          const t = linspace(start, stop, count, { dtype: 'float64' });
          const v = values(t);
          expect(v.length).toBe(count);
          // == rather than Object.is: the sign of a zero end point is not part of the contract.
          expect(v[0] === start).toBe(true);
          expect(v[count - 1] === stop).toBe(true);
          const step = (stop - start) / (count - 1);
          v.forEach((value, i) =>
            expect(Math.abs(value - (start + i * step))).toBeLessThanOrEqual(
              1e-12 * (Math.abs(start) + Math.abs(stop) + 1),
            ),
          );
        },
      ),
      RUNS,
    );
    expect(linspace(3, 7, 1).toArray()).toEqual([3]);
    expect(linspace(3, 7, 0).shape).toEqual([0]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('eye is the identity, square or rectangular', () => {
    expect(eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(eye(2, 3, { dtype: 'int32' }).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(3, 2).shape).toEqual([3, 2]);
  });
});

describe('random creators', () => {
  it('rand draws from [low, high) with the requested shape and dtype', () => {
    const t = rand([1000], { generator: seed(3) });
    expect(t.dtype).toBe('float32');
    const v = values(t);
    expect(v.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    // Standard error of the mean is 0.29/√1000 ≈ 0.009.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    const scaled = values(rand([500], { generator: seed(4), low: -3, high: -1, dtype: 'float64' }));
    expect(scaled.every((x) => x >= -3 && x < -1)).toBe(true);
  });

  it('rand never returns `high`, even when the uniform draw rounds up to it', () => {
    const single = rand([1], { generator: generatorAtTopOfRange() }).item();
    expect(single).toBeLessThan(1);
    expect(single).toBe(Math.fround(1 - 2 ** -24));
    const double = rand([1], { generator: generatorAtTopOfRange(), dtype: 'float64', low: 1, high: 1.5 }).item();
    expect(double).toBeLessThan(1.5);
    expect(rand([1], { generator: generatorAtTopOfRange(), dtype: 'float64' }).item()).toBe(1 - 2 ** -53);
  });

  it('randn has mean ≈ 0 and std ≈ 1, scaled by mean/std options', () => {
    const v = values(randn([4000], { generator: seed(5), dtype: 'float64' }));
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.08);
    expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(0.05);
    const shifted = values(randn([4000], { generator: seed(5), dtype: 'float64', mean: 10, std: 2 }));
    shifted.forEach((x, i) => expect(x).toBeCloseTo(10 + 2 * v[i]!, 12));
  });

  it('randint draws every integer of [low, high) and nothing else, int32 by default', () => {
    const t = randint(-2, 3, [2000], { generator: seed(6) });
    expect(t.dtype).toBe('int32');
    const seen = new Set(values(t));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    expect(() => randint(3, 3, [1])).toThrow(/randint: need integers low < high/);
  });

  it('the same seed gives the same tensors; different seeds differ', () => {
    expect(values(randn([5, 3], { generator: seed(42) }))).toEqual(values(randn([5, 3], { generator: seed(42) })));
    expect(values(rand([5], { generator: seed(42) }))).not.toEqual(values(rand([5], { generator: seed(43) })));
    const generator = seed(9);
    const first = values(rand([4], { generator }));
    const second = values(rand([4], { generator }));
    expect(first).not.toEqual(second);
    expect([...first, ...second]).toEqual(values(rand([8], { generator: seed(9) })));
  });
});
