/**
 * The inline SIMD sin and cos (simd-math.ts, `SIMD_BOUNDED_TRIGONOMETRY`) against V8's
 * Math.sin and Math.cos (fdlibm's algorithms, correctly reduced for every double), on
 * |x| ≤ TRIGONOMETRY_ARGUMENT_BOUND.
 *
 * Stated bounds, and why: the reduction r = x − n·π/2 is accurate to about one double ulp of r
 * (see `sineOrCosine` in simd-math.ts), fdlibm's kernels add under one ulp, and V8's reference
 * is itself within one ulp; so ≤ 4 double ulps (the measured maximum is given in the test) and,
 * after the float32 rounding, ≤ 1 float32 ulp from Math.fround(Math.f(x)).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  cos,
  defineKernel,
  expression as e,
  fusedMap,
  fusedMapMany,
  kernelInfo,
  kernelThreadsReady,
  resetKernelFallbacks,
  setThreadCount,
  sin,
  tensor,
  type Tensor,
} from '../index.js';
import { simdKernels } from './kernel-runtime.js';
import { SIMD_BOUNDED_TRIGONOMETRY, TRIGONOMETRY_ARGUMENT_BOUND } from './simd-math.js';
import { doubleKernel, generator, ulpDistance } from './test-support/double-lanes.js';

const NO_ENGINE_SIMD = !kernelInfo().simdAvailable;
const SIMD_OFF = simdKernels() === undefined;
const initialThreads = kernelInfo().threads.requested;
afterEach(() => setThreadCount(initialThreads));

/**
 * Inputs: special values; doubles next to multiples of π/2 (the reduction's hard cases: x within
 * an ulp of n·π/2 for n up to 2^20 − 1, where r is tiny and cancellation is largest); the
 * bound; float32 values of every exponent from subnormal to 2^20 (random bits); and uniform
 * doubles in [−bound, bound].
 */
function inputs(): Float64Array {
  const values: number[] = [
    0,
    -0,
    NaN,
    Infinity,
    -Infinity,
    5e-324,
    -5e-324,
    1.401298464324817e-45,
    -1.401298464324817e-45,
    1.1754942106924411e-38,
    2 ** -27,
    -(2 ** -27),
    2 ** -26,
    1e-9,
    Math.PI / 4,
    -Math.PI / 4,
    Math.PI / 2,
    Math.PI,
    -Math.PI,
    2 * Math.PI,
    TRIGONOMETRY_ARGUMENT_BOUND,
    -TRIGONOMETRY_ARGUMENT_BOUND,
    Math.fround(TRIGONOMETRY_ARGUMENT_BOUND),
  ];
  const random = generator(12345);
  for (let index = 0; index < 2000; index++) {
    // n·π/2 rounded to double, and its neighbours.
    const n = index < 1000 ? index + 1 : (random() % (2 ** 20 - 1)) + 1;
    const near = (n * Math.PI) / 2;
    const bits = new BigInt64Array(new Float64Array([near]).buffer);
    for (const offset of [-2n, -1n, 0n, 1n, 2n]) {
      const neighbour = new Float64Array(new BigInt64Array([bits[0]! + offset]).buffer)[0]!;
      if (neighbour <= TRIGONOMETRY_ARGUMENT_BOUND) values.push(neighbour, -neighbour);
    }
    const nearSingle = Math.fround(near);
    if (nearSingle <= TRIGONOMETRY_ARGUMENT_BOUND) values.push(nearSingle, -nearSingle);
  }
  const floatBits = new Uint32Array(1);
  const asFloat = new Float32Array(floatBits.buffer);
  while (values.length < 200_000) {
    floatBits[0] = random();
    const value = asFloat[0]!;
    if (Math.abs(value) <= TRIGONOMETRY_ARGUMENT_BOUND) values.push(value);
    values.push((random() / 2 ** 32 - 0.5) * 2 * TRIGONOMETRY_ARGUMENT_BOUND);
  }
  return Float64Array.from(values);
}

describe.skipIf(NO_ENGINE_SIMD)('inline SIMD sin and cos on |x| ≤ TRIGONOMETRY_ARGUMENT_BOUND', () => {
  const values = inputs();
  for (const [name, reference] of [
    ['sin', Math.sin],
    ['cos', Math.cos],
  ] as const) {
    it(`${name}: ≤ 4 double ulps from Math.${name}, ≤ 1 float32 ulp after rounding`, () => {
      const results = doubleKernel(SIMD_BOUNDED_TRIGONOMETRY[name])(values);
      let worstDouble = 0;
      let worstSingle = 0;
      let singleDifferences = 0;
      let worstInput = 0;
      for (let index = 0; index < values.length; index++) {
        const expected = reference(values[index]!);
        const distance = ulpDistance(results[index]!, expected, 'float64');
        if (distance > worstDouble) [worstDouble, worstInput] = [distance, values[index]!];
        const single = ulpDistance(Math.fround(results[index]!), Math.fround(expected), 'float32');
        worstSingle = Math.max(worstSingle, single);
        if (single > 0) singleDifferences++;
      }
      console.log(name, { worstDouble, worstInput, worstSingle, singleDifferences, count: values.length });
      expect(worstDouble, `worst at x = ${worstInput}`).toBeLessThanOrEqual(4);
      expect(worstSingle).toBeLessThanOrEqual(1);
    });
  }

  it('keeps the sign of zero for sin, gives 1 for cos(±0), NaN for NaN and ±∞', () => {
    const special = Float64Array.from([0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324]);
    const sine = doubleKernel(SIMD_BOUNDED_TRIGONOMETRY.sin)(special);
    const cosine = doubleKernel(SIMD_BOUNDED_TRIGONOMETRY.cos)(special);
    expect(Object.is(sine[0], 0)).toBe(true);
    expect(Object.is(sine[1], -0)).toBe(true);
    expect([...sine.subarray(2, 5)].every(Number.isNaN)).toBe(true);
    expect([...cosine.subarray(2, 5)].every(Number.isNaN)).toBe(true);
    expect([cosine[0], cosine[1]]).toEqual([1, 1]);
    expect([sine[5], sine[6]]).toEqual([5e-324, -5e-324]);
  });
});

describe.skipIf(SIMD_OFF)('sin and cos of float32 tensors on the SIMD kernels', () => {
  // Float32 inputs: in range, at the bound, beyond it (up to the largest float32), specials.
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.5707963705062866, 3.1415927410125732];
  const beyond = [1647099, -1647100, 2 ** 21, 1e7, 123456792, 1e20, -1e30, 3.4028234663852886e38];
  function data(size: number): Float32Array {
    const random = generator(99);
    const values = new Float32Array(size);
    for (let index = 0; index < size; index++) values[index] = ((random() / 2 ** 32) * 2 - 1) * 2000;
    values.set(special, 0);
    // Out-of-range values in both lanes of a pair, and paired with an in-range value.
    values.set(beyond, 17);
    values.set([1e10, 0.5, 2.5, -1e12], size - 4);
    return values;
  }
  const check = (operation: (x: Tensor) => Tensor, reference: (x: number) => number, values: Float32Array) => {
    const results = operation(tensor(values)).dataSync() as Float32Array;
    let worst = 0;
    for (let index = 0; index < values.length; index++) {
      const expected = Math.fround(reference(values[index]!));
      const distance = ulpDistance(results[index]!, expected, 'float32');
      // Lanes beyond the bound come from Math itself: exactly the reference.
      if (Math.abs(values[index]!) > TRIGONOMETRY_ARGUMENT_BOUND)
        expect([values[index], results[index]]).toEqual([values[index], expected]);
      worst = Math.max(worst, distance);
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(Object.is(results[1], reference === Math.sin ? -0 : 1)).toBe(true);
  };

  it('are within 1 float32 ulp of Math.fround(Math.f(x)) for every float32, with no fallback counted', () => {
    resetKernelFallbacks();
    check(sin, Math.sin, data(10_001));
    check(cos, Math.cos, data(10_001));
    expect(kernelInfo().fallbacks).toEqual([]);
  });

  it('give the same values on the worker threads (which import Math.sin/Math.cos too)', async () => {
    const values = data(400_001);
    setThreadCount(1);
    const single = [sin(tensor(values)).dataSync(), cos(tensor(values)).dataSync()];
    setThreadCount(2);
    expect((await kernelThreadsReady()).active).toBe(2);
    const calls = kernelInfo().threads.parallelCalls;
    resetKernelFallbacks();
    const threaded = [sin(tensor(values)).dataSync(), cos(tensor(values)).dataSync()];
    expect(kernelInfo().threads.parallelCalls).toBeGreaterThan(calls);
    expect(kernelInfo().fallbacks).toEqual([]);
    expect(threaded).toEqual(single);
    check(sin, Math.sin, values);
  }, 30_000);

  it('run in fusedMapMany (its own compiler imports Math.sin/Math.cos too) as in separate fusedMap passes', () => {
    const sine = defineKernel('test.trigonometry.sin', { inputs: ['x'] }, ({ x }) => e.sin(x));
    const cosine = defineKernel('test.trigonometry.cos', { inputs: ['x'] }, ({ x }) => e.cos(e.mul(x, x)));
    const x = tensor(data(1001));
    resetKernelFallbacks();
    const [sines, cosines] = fusedMapMany([sine, cosine], [x]);
    expect(kernelInfo().fallbacks).toEqual([]);
    expect(sines!.dataSync()).toEqual(fusedMap(sine, [x]).dataSync());
    expect(cosines!.dataSync()).toEqual(fusedMap(cosine, [x]).dataSync());
    // x² of 2000 exceeds the bound: those lanes come from Math.cos.
    const squares = x.dataSync() as Float32Array;
    const worst = Math.max(
      ...Array.from(cosines!.dataSync(), (value, index) =>
        ulpDistance(value, Math.fround(Math.cos(squares[index]! * squares[index]!)), 'float32'),
      ),
    );
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe.skipIf(NO_ENGINE_SIMD)('the reduction bound', () => {
  it('is real: the bounded emitter alone is wrong far beyond it, which is why those lanes call Math', () => {
    const far = Float64Array.from([1e22, 3.4028234663852886e38]);
    const results = doubleKernel(SIMD_BOUNDED_TRIGONOMETRY.sin)(far);
    expect(ulpDistance(results[0]!, Math.sin(1e22), 'float64')).toBeGreaterThan(1000);
  });
});
