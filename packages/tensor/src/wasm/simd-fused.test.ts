/**
 * Fused expression kernels compiled to WebAssembly SIMD against the JavaScript fused loop (the
 * scalar mode). Tolerance: none. Both evaluate the expression in float64 with the same IEEE
 * operations and round once to float32, so every result must be identical (NaN compared as
 * NaN, signed zeros by Object.is).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  abs,
  defineKernel,
  expression as e,
  fusedMap,
  kernelInfo,
  kernelThreadsReady,
  randn,
  resetKernelFallbacks,
  seed,
  setKernelMode,
  setThreadCount,
  tensor,
  transpose,
  type FusedKernel,
  type Tensor,
} from '../index.js';
import { refuseSimdFunctionsForTesting } from './simd-expression.js';
import { compileFusedKernel, mapPairCost } from './simd-fused.js';
import { simdKernels } from './kernel-runtime.js';

// Under VANE_KERNELS=scalar (or setKernelMode('scalar')) there are no SIMD kernels to check.
const SIMD_OFF = simdKernels() === undefined;

const initialThreads = kernelInfo().threads.requested;

afterEach(() => {
  setKernelMode('simd');
  setThreadCount(initialThreads);
});

function inMode<T>(mode: 'simd' | 'scalar', body: () => T): T {
  setKernelMode(mode);
  try {
    return body();
  } finally {
    setKernelMode('simd');
  }
}

const KERNELS: FusedKernel[] = [
  defineKernel('test.movingAverage', { inputs: ['m', 'g'], scalars: ['decay'] }, ({ m, g, decay }) =>
    e.add(e.mul(decay, m), e.mul(e.sub(1, decay), g)),
  ),
  defineKernel('test.squares', { inputs: ['v', 'g'], scalars: ['decay'] }, ({ v, g, decay }) =>
    e.add(e.mul(decay, v), e.mul(e.mul(e.sub(1, decay), g), g)),
  ),
  defineKernel(
    'test.adamAffine',
    { inputs: ['m', 'v', 'p'], scalars: ['c1', 'c2', 'eps', 'scale', 'paramScale'] },
    ({ m, v, p, c1, c2, eps, scale, paramScale }) =>
      e.add(e.mul(scale, e.div(e.div(m, c1), e.add(e.sqrt(e.div(v, c2)), eps))), e.mul(paramScale, p)),
  ),
  defineKernel('test.negate', { inputs: ['u'], scalars: ['s'] }, ({ u, s }) => e.add(e.mul(e.neg(u), s), 2.5e-3)),
  defineKernel('test.minmax', { inputs: ['a', 'b'] }, ({ a, b }) => e.sub(e.max(a, e.min(b, 0.5)), e.div(e.abs(a), 3))),
  // The shape of Adam's epilogue times ActiveLR's gain (packages/optim, scale-by-adam.ts): the
  // epilogue rounded to float32 inside the expression, then multiplied in float64.
  defineKernel(
    'test.froundMultiplied',
    { inputs: ['m', 'v', 'p', 'multiplier'], scalars: ['c1', 'c2', 'eps', 'scale', 'paramScale'] },
    ({ m, v, p, multiplier, c1, c2, eps, scale, paramScale }) =>
      e.mul(
        e.fround(e.add(e.mul(scale, e.div(e.mul(m, c1), e.add(e.mul(e.sqrt(v), c2), eps))), e.mul(paramScale, p))),
        multiplier,
      ),
  ),
  // Selects and constants, in the forms of the optimizers' sign, clip and gain-change kernels.
  defineKernel('test.sign', { inputs: ['u'] }, ({ u }) => e.select(e.greater(u, 0), 1, e.select(e.less(u, 0), -1, u))),
  defineKernel('test.zeroNans', { inputs: ['u'] }, ({ u }) => e.select(e.notEqual(u, u), 0, u)),
  defineKernel('test.clip', { inputs: ['u'], scalars: ['maxDelta'] }, ({ u, maxDelta }) =>
    e.select(e.greater(u, maxDelta), maxDelta, e.select(e.less(u, e.neg(maxDelta)), e.neg(maxDelta), u)),
  ),
  defineKernel(
    'test.changeGain',
    {
      inputs: ['gain', 'previousSum', 'currentSum'],
      scalars: ['increase', 'decrease', 'zeroIsFlip', 'minGain', 'maxGain'],
    },
    ({ gain, previousSum, currentSum, increase, decrease, zeroIsFlip, minGain, maxGain }) => {
      const product = e.mul(previousSum, currentSum);
      const flipped = e.or(e.less(product, 0), e.and(e.equal(product, 0), e.greater(zeroIsFlip, 0)));
      const changed = e.select(
        e.notEqual(product, product),
        gain,
        e.select(flipped, e.mul(gain, decrease), e.add(gain, increase)),
      );
      return e.select(e.less(changed, minGain), minGain, e.select(e.greater(changed, maxGain), maxGain, changed));
    },
  ),
  defineKernel('test.compareAll', { inputs: ['a', 'b'] }, ({ a, b }) =>
    e.add(
      e.add(
        e.mul(e.select(e.lessEqual(a, b), 1, 2), e.select(e.greaterEqual(a, b), 3, 5)),
        e.select(e.equal(a, b), 7, e.select(e.notEqual(a, b), 11, 13)),
      ),
      e.select(e.greater(e.max(a, b), 0), 17, 19),
    ),
  ),
  defineKernel('test.logic', { inputs: ['a', 'b'] }, ({ a, b }) =>
    e.select(e.or(e.and(e.greater(a, 0), e.not(e.less(b, 0))), e.notEqual(a, a)), a, b),
  ),
  defineKernel('test.froundNested', { inputs: ['a', 'b'] }, ({ a, b }) =>
    e.sub(e.fround(e.div(e.fround(e.mul(a, b)), 3)), e.fround(a)),
  ),
];

function sameValues(fast: Float32Array, reference: Float32Array): void {
  expect(fast.length).toBe(reference.length);
  for (let index = 0; index < reference.length; index++) {
    if (!Object.is(fast[index], reference[index])) expect([index, fast[index]]).toEqual([index, reference[index]]);
  }
}

describe('fused kernels on WebAssembly SIMD', () => {
  it.skipIf(SIMD_OFF)(
    'compiles every kernel above, and counts one it cannot run as a fallback to the JavaScript loop',
    () => {
      for (const kernel of KERNELS)
        expect([kernel.name, compileFusedKernel(kernel)]).toEqual([kernel.name, expect.any(Function)]);
      resetKernelFallbacks();
      // Every function has a SIMD implementation; tan is refused for the test.
      const tangent = defineKernel('test.tan', { inputs: ['u'] }, ({ u }) => e.tan(u));
      const restore = refuseSimdFunctionsForTesting(['tan']);
      try {
        expect(compileFusedKernel(tangent)).toBeUndefined();
        // Still correct (on the JavaScript loop), and said so.
        expect(Array.from(fusedMap(tangent, [tensor([0])]).dataSync())).toEqual([0]);
        expect(kernelInfo().fallbacks.map((fallback) => [fallback.kernel, fallback.count])).toEqual([['test.tan', 1]]);
      } finally {
        restore();
      }
    },
  );

  it('equals the JavaScript loop bit for bit on random data, odd sizes, offsets and special values', () => {
    const generator = seed(5);
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, -3.4e38, 3.4e38, 1e-38];
    for (const size of [1, 2, 3, 7, 64, 1001, 40000]) {
      for (const kernel of KERNELS) {
        const scalars = Array.from(
          { length: kernel.scalarCount },
          (_, index) => [0.9, 0.999, 1e-8, -1e-3, 0.01][index % 5]!,
        );
        const inputs: Tensor[] = Array.from({ length: kernel.arity }, (_, index) => {
          const values = randn([size + 3], { generator }).dataSync() as Float32Array;
          for (let position = 0; position < Math.min(size, specials.length); position++)
            values[(position * 7 + index) % size] = specials[position]!;
          // A view with an offset, so the kernel reads from the middle of a storage.
          return tensor(values).slice([{ start: 3, stop: size + 3 }]);
        });
        const fast = fusedMap(kernel, inputs, scalars).dataSync() as Float32Array;
        const reference = inMode('scalar', () => fusedMap(kernel, inputs, scalars).dataSync() as Float32Array);
        sameValues(fast, reference);
      }
    }
  });

  it('rounds with fround exactly as JavaScript’s Math.fround does: ties to even, subnormals, ±0, ±∞, NaN', () => {
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
    const product = defineKernel('test.froundProduct', { inputs: ['a', 'b'] }, ({ a, b }) =>
      e.mul(e.fround(e.mul(a, b)), 3),
    );
    const sum = defineKernel('test.froundSum', { inputs: ['a', 'b'] }, ({ a, b }) => e.mul(e.fround(e.add(a, b)), 0.5));
    const formulas = new Map([
      [product, (a: number, b: number) => Math.fround(a * b) * 3],
      [sum, (a: number, b: number) => Math.fround(a + b) * 0.5],
    ]);
    for (const [kernel, formula] of formulas) {
      expect(compileFusedKernel(kernel)).toBeTypeOf('function');
      const a = tensor(pairs.map(([first]) => first));
      const b = tensor(pairs.map(([, second]) => second));
      const fast = fusedMap(kernel, [a, b]).dataSync() as Float32Array;
      sameValues(
        fast,
        inMode('scalar', () => fusedMap(kernel, [a, b]).dataSync() as Float32Array),
      );
      // And against Math.fround itself on the float32-rounded inputs.
      const aValues = a.dataSync() as Float32Array;
      const bValues = b.dataSync() as Float32Array;
      const expected = new Float32Array(pairs.length).map((_, index) => formula(aValues[index]!, bValues[index]!));
      sameValues(fast, expected);
    }
  });

  it('compares and selects as JavaScript does on every pair of special values (NaN, ±0, ±∞, subnormals)', () => {
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1, -1, 3.4e38];
    const a = tensor(specials.flatMap((first) => specials.map(() => first)));
    const b = tensor(specials.flatMap(() => specials));
    for (const kernel of KERNELS.filter((candidate) => candidate.arity === 2 && candidate.scalarCount === 0)) {
      sameValues(
        fusedMap(kernel, [a, b]).dataSync() as Float32Array,
        inMode('scalar', () => fusedMap(kernel, [a, b]).dataSync() as Float32Array),
      );
    }
    const gain = tensor(
      specials.map((_, index) => [0.25, 1, 4, 0, 1e30][index % 5]!).flatMap((value) => specials.map(() => value)),
    );
    const changeGain = KERNELS.find((kernel) => kernel.name === 'test.changeGain')!;
    for (const scalars of [
      [2, 0.5, 1, 0, Number.MAX_VALUE],
      [2, 0.5, 0, 0.5, 3],
    ]) {
      sameValues(
        fusedMap(changeGain, [gain, a, b], scalars).dataSync() as Float32Array,
        inMode('scalar', () => fusedMap(changeGain, [gain, a, b], scalars).dataSync() as Float32Array),
      );
    }
  });

  it('handles non-contiguous (transposed) inputs', () => {
    const generator = seed(9);
    const a = transpose(randn([33, 17], { generator }));
    const b = randn([17, 33], { generator });
    const kernel = KERNELS[0]!;
    sameValues(
      fusedMap(kernel, [a, b], [0.9]).dataSync() as Float32Array,
      inMode('scalar', () => fusedMap(kernel, [a, b], [0.9]).dataSync() as Float32Array),
    );
  });

  it('estimates a kernel with a square root and divisions as several adds per pair', () => {
    const add = e.add(e.input(0), e.input(1));
    expect(mapPairCost([add], [true, true], 1)).toBe(1);
    const adam = KERNELS.find((kernel) => kernel.name === 'test.adamAffine')!;
    expect(mapPairCost([adam.expression], [true, true, true], 1)).toBeGreaterThan(2);
  });

  it('splits an expensive kernel over two threads below the pair count of a cheap one, bit for bit', async () => {
    if (SIMD_OFF) return;
    // 2^15 pairs: below the 2^16 at which an add splits, above where the Adam-like kernel does.
    const generator = seed(11);
    const inputs = [0, 1, 2].map(() => randn([1 << 16], { generator }));
    const adam = KERNELS.find((kernel) => kernel.name === 'test.adamAffine')!;
    const scalars = [0.9, 0.999, 1e-8, -1e-3, 0.999];
    setThreadCount(1);
    const single = fusedMap(adam, [inputs[0]!, abs(inputs[1]!), inputs[2]!], scalars).dataSync() as Float32Array;
    setThreadCount(2);
    expect((await kernelThreadsReady()).active).toBe(2);
    const before = kernelInfo().threads.parallelCalls;
    const threaded = fusedMap(adam, [inputs[0]!, abs(inputs[1]!), inputs[2]!], scalars).dataSync() as Float32Array;
    expect(kernelInfo().threads.parallelCalls).toBeGreaterThan(before);
    sameValues(threaded, single);
    const addKernel = defineKernel('test.cheapAdd', { inputs: ['a', 'b'] }, ({ a, b }) => e.add(a, b));
    const beforeAdd = kernelInfo().threads.parallelCalls;
    fusedMap(addKernel, [inputs[0]!, inputs[2]!]).dataSync();
    expect(kernelInfo().threads.parallelCalls).toBe(beforeAdd);
  }, 30_000);
});
