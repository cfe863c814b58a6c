/**
 * Fused kernels compiled to WebAssembly SIMD against the JavaScript fused loop (the scalar
 * mode). Tolerance: none. Both evaluate the expression in float64 with the same IEEE
 * operations and round once to float32, so every result must be identical (NaN compared as
 * NaN, signed zeros by Object.is).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fusedMap, randn, seed, setKernelMode, tensor, transpose, type FunctionKernel, type FusedKernel, type Tensor } from '../index';
import { compileFusedKernel } from './simd-fused';

afterEach(() => setKernelMode('simd'));

function inMode<T>(mode: 'simd' | 'scalar', body: () => T): T {
  setKernelMode(mode);
  try {
    return body();
  } finally {
    setKernelMode('simd');
  }
}

const KERNELS: FunctionKernel[] = [
  { name: 'test.movingAverage', arity: 2, fn: function movingAverage(m: number, g: number, decay: number) { return decay * m + (1 - decay) * g; } },
  { name: 'test.squares', arity: 2, fn: function squares(v: number, g: number, decay: number) { return decay * v + (1 - decay) * g * g; } },
  {
    name: 'test.adamAffine',
    arity: 3,
    fn: function adamAffine(m: number, v: number, p: number, c1: number, c2: number, eps: number, scale: number, paramScale: number) {
      return scale * ((m / c1) / (Math.sqrt(v / c2) + eps)) + paramScale * p;
    },
  },
  { name: 'test.arrow', arity: 1, fn: (u: number, s: number) => -u * s + 2.5e-3 },
  { name: 'test.minmax', arity: 2, fn: function minmax(a: number, b: number) { return Math.max(a, Math.min(b, 0.5)) - Math.abs(a) / 3; } },
  // The shape of Adam's epilogue times ActiveLR's gain (packages/optim, scale-by-adam.ts): the
  // epilogue rounded to float32 inside the expression, then multiplied in float64.
  {
    name: 'test.froundMultiplied',
    arity: 4,
    fn: function froundMultiplied(m: number, v: number, p: number, multiplier: number, c1: number, c2: number, eps: number, scale: number, paramScale: number) {
      return Math.fround(scale * ((m * c1) / (Math.sqrt(v) * c2 + eps)) + paramScale * p) * multiplier;
    },
  },
  // Conditionals and constants, in the forms of the optimizers' sign, clip and gain-change kernels.
  { name: 'test.sign', arity: 1, fn: function sign(u: number) { return u > 0 ? 1 : u < 0 ? -1 : u; } },
  { name: 'test.zeroNans', arity: 1, fn: function zeroNans(u: number) { return u !== u ? 0 : u; } },
  { name: 'test.clip', arity: 1, fn: function clip(u: number, maxDelta: number) { return u > maxDelta ? maxDelta : u < -maxDelta ? -maxDelta : u; } },
  {
    name: 'test.changeGain',
    arity: 3,
    fn: function changeGain(gain: number, previousSum: number, currentSum: number, increase: number, decrease: number, zeroIsFlip: number, minGain: number, maxGain: number) {
      // A comment, as in the optimizer's kernel.
      const product = previousSum * currentSum;
      const flipped = product < 0 ? 1 : product > 0 ? 0 : zeroIsFlip;
      const changed = flipped > 0 ? gain * decrease : gain + increase;
      return changed < minGain ? minGain : changed > maxGain ? maxGain : changed;
    },
  },
  { name: 'test.compareAll', arity: 2, fn: (a: number, b: number) => (a <= b ? 1 : 2) * (a >= b ? 3 : 5) + (a === b ? 7 : a !== b ? 11 : 13) + (Math.max(a, b) > 0 ? 17 : 19) },
  { name: 'test.froundNested', arity: 2, fn: (a: number, b: number) => Math.fround(Math.fround(a * b) / 3) - Math.fround(a) },
];

function sameValues(fast: Float32Array, reference: Float32Array): void {
  expect(fast.length).toBe(reference.length);
  for (let index = 0; index < reference.length; index++) {
    if (!Object.is(fast[index], reference[index])) expect([index, fast[index]]).toEqual([index, reference[index]]);
  }
}

describe('fused kernels on WebAssembly SIMD', () => {
  it('compiles single-expression kernels and refuses the rest', () => {
    for (const kernel of KERNELS) expect(compileFusedKernel(kernel)).toBeTypeOf('function');
    const truthiness: FusedKernel = { name: 'test.truthiness', arity: 1, fn: function truthy(u: number) { return u ? 1 : 0; } };
    const booleanValue: FusedKernel = { name: 'test.booleanValue', arity: 1, fn: function booleanValue(u: number) { return (u > 0) as unknown as number; } };
    const letStatement: FusedKernel = { name: 'test.let', arity: 1, fn: function two(u: number) { let w = u * 2; w = w + 1; return w; } };
    const shadowing: FusedKernel = { name: 'test.shadowing', arity: 1, fn: function shadow(u: number, s: number) { { const u = s; return u; } } };
    const otherCall: FusedKernel = { name: 'test.exp', arity: 1, fn: function e(u: number) { return Math.exp(u); } };
    const froundArity: FusedKernel = { name: 'test.froundTwo', arity: 2, fn: function f(a: number, b: number) { return (Math.fround as (...values: number[]) => number)(a, b); } };
    const froundPrefix: FusedKernel = { name: 'test.froundPrefix', arity: 1, fn: function f(a: number) { return (Math as unknown as { froundish: (value: number) => number }).froundish(a); } };
    for (const kernel of [truthiness, booleanValue, letStatement, shadowing, otherCall, froundArity, froundPrefix]) expect(compileFusedKernel(kernel)).toBeUndefined();
    // Refused kernels still work (on the JavaScript loop).
    expect(Array.from(fusedMap(truthiness, [tensor([-2, 0, 3])]).dataSync())).toEqual([1, 0, 1]);
  });

  it('equals the JavaScript loop bit for bit on random data, odd sizes, offsets and special values', () => {
    const generator = seed(5);
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, -3.4e38, 3.4e38, 1e-38];
    for (const size of [1, 2, 3, 7, 64, 1001, 40000]) {
      for (const kernel of KERNELS) {
        const scalars = Array.from({ length: kernel.fn.length - kernel.arity }, (_, index) => [0.9, 0.999, 1e-8, -1e-3, 0.01][index % 5]!);
        const inputs: Tensor[] = Array.from({ length: kernel.arity }, (_, index) => {
          const values = randn([size + 3], { generator }).dataSync() as Float32Array;
          for (let position = 0; position < Math.min(size, specials.length); position++) values[(position * 7 + index) % size] = specials[position]!;
          // A view with an offset, so the kernel reads from the middle of a storage.
          return tensor(values).slice([{ start: 3, stop: size + 3 }]);
        });
        const fast = fusedMap(kernel, inputs, scalars).dataSync() as Float32Array;
        const reference = inMode('scalar', () => fusedMap(kernel, inputs, scalars).dataSync() as Float32Array);
        sameValues(fast, reference);
      }
    }
  });

  it('rounds with Math.fround exactly as JavaScript does: ties to even, subnormals, ±0, ±∞, NaN', () => {
    // Every pair (a, b) is float32; a·b and a + b are exact in float64, so fround meets the
    // hard cases: halfway ties, results below the smallest normal float32, underflow to a
    // signed zero, overflow to ±∞, and NaN from ∞ − ∞ or 0·∞.
    const ulpBelowOne = 2 ** -24;
    const pairs: [number, number][] = [
      [1, ulpBelowOne], // 1 + 2⁻²⁴: tie between 1 and 1 + 2⁻²³, to even: 1
      [1 + 2 ** -23, ulpBelowOne], // tie, to even: 1 + 2⁻²²
      [-(1 + 2 ** -23), -ulpBelowOne],
      [1 + 2 ** -23, 2 ** -25], // below the tie: down
      [1 + 3 * 2 ** -23, 2 ** -24 + 2 ** -40], // just above a tie (inexact sum, still float64): up
      [1e-20, 1e-20], // ≈1e-40: a float32 subnormal
      [-1e-20, 1e-20],
      [2 ** -75, 2 ** -75], // 2⁻¹⁵⁰: exactly half the smallest subnormal, tie to even: +0
      [-(2 ** -75), 2 ** -75], // −0
      [3 * 2 ** -76, 2 ** -75], // 1.5·2⁻¹⁵⁰: rounds up to the smallest subnormal
      [1e-30, -1e-30], // underflow: −0
      [3e38, 10], // overflow: ∞
      [-3e38, 10],
      [0, -0],
      [-0, -0],
      [Infinity, 0],
      [Infinity, -Infinity],
      [NaN, 1],
      [1.401298464324817e-45, 0.5], // smallest subnormal halved: tie to +0
      [3.4028234663852886e38, 1 + 2 ** -23], // just above the largest float32: rounds to ∞
      [16777217, 1], // integers above 2²⁴
    ];
    const product: FusedKernel = { name: 'test.froundProduct', arity: 2, fn: function froundProduct(a: number, b: number) { return Math.fround(a * b) * 3; } };
    const sum: FusedKernel = { name: 'test.froundSum', arity: 2, fn: function froundSum(a: number, b: number) { return Math.fround(a + b) * 0.5; } };
    for (const kernel of [product, sum]) {
      expect(compileFusedKernel(kernel)).toBeTypeOf('function');
      const a = tensor(pairs.map(([first]) => first));
      const b = tensor(pairs.map(([, second]) => second));
      const fast = fusedMap(kernel, [a, b]).dataSync() as Float32Array;
      sameValues(fast, inMode('scalar', () => fusedMap(kernel, [a, b]).dataSync() as Float32Array));
      // And against Math.fround itself on the float32-rounded inputs.
      const aValues = a.dataSync() as Float32Array;
      const bValues = b.dataSync() as Float32Array;
      const expected = new Float32Array(pairs.length).map((_, index) => (kernel.fn as (x: number, y: number) => number)(aValues[index]!, bValues[index]!));
      sameValues(fast, expected);
    }
  });

  it('compares and selects as JavaScript does on every pair of special values (NaN, ±0, ±∞, subnormals)', () => {
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1, -1, 3.4e38];
    const a = tensor(specials.flatMap((first) => specials.map(() => first)));
    const b = tensor(specials.flatMap(() => specials));
    for (const kernel of KERNELS.filter((candidate) => candidate.arity === 2 && candidate.fn.length === 2)) {
      sameValues(fusedMap(kernel, [a, b]).dataSync() as Float32Array, inMode('scalar', () => fusedMap(kernel, [a, b]).dataSync() as Float32Array));
    }
    const gain = tensor(specials.map((_, index) => [0.25, 1, 4, 0, 1e30][index % 5]!).flatMap((value) => specials.map(() => value)));
    const changeGain = KERNELS.find((kernel) => kernel.name === 'test.changeGain')!;
    for (const scalars of [[2, 0.5, 1, 0, Number.MAX_VALUE], [2, 0.5, 0, 0.5, 3]]) {
      sameValues(fusedMap(changeGain, [gain, a, b], scalars).dataSync() as Float32Array, inMode('scalar', () => fusedMap(changeGain, [gain, a, b], scalars).dataSync() as Float32Array));
    }
  });

  it('handles non-contiguous (transposed) inputs', () => {
    const generator = seed(9);
    const a = transpose(randn([33, 17], { generator }));
    const b = randn([17, 33], { generator });
    const kernel = KERNELS[0]!;
    sameValues(fusedMap(kernel, [a, b], [0.9]).dataSync() as Float32Array, inMode('scalar', () => fusedMap(kernel, [a, b], [0.9]).dataSync() as Float32Array));
  });
});
