/**
 * The inline SIMD sin, cos and tan (simd-math.ts, `SIMD_BOUNDED_TRIGONOMETRY`) against V8's
 * Math.sin, Math.cos and Math.tan (fdlibm's algorithms, correctly reduced for every double), on
 * |x| ≤ TRIGONOMETRY_ARGUMENT_BOUND.
 *
 * Stated bounds, and why: the reduction r = x − n·π/2 is accurate to about one double ulp of r
 * (see `reduceByQuarterTurns` in simd-math.ts), fdlibm's kernels add under one ulp, and V8's
 * reference is itself within one ulp; so ≤ 4 double ulps for sin and cos. tan divides the two
 * kernels (one more rounding) and the reduction's error enters it as δr/(sin r·cos r), up to
 * about 1.6 ulps: ≤ 6 double ulps. The measured maxima are printed by the tests. After the
 * float32 rounding: ≤ 1 float32 ulp from Math.fround(Math.f(x)).
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
  setKernelMode,
  setThreadCount,
  sin,
  tan,
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

describe.skipIf(NO_ENGINE_SIMD)('inline SIMD sin, cos and tan on |x| ≤ TRIGONOMETRY_ARGUMENT_BOUND', () => {
  const values = inputs();
  for (const [name, reference, doubleUlps] of [
    ['sin', Math.sin, 4],
    ['cos', Math.cos, 4],
    ['tan', Math.tan, 6],
  ] as const) {
    it(`${name}: ≤ ${doubleUlps} double ulps from Math.${name}, ≤ 1 float32 ulp after rounding`, () => {
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
      expect(worstDouble, `worst at x = ${worstInput}`).toBeLessThanOrEqual(doubleUlps);
      expect(worstSingle).toBeLessThanOrEqual(1);
    });
  }

  it('keeps the sign of zero for sin and tan, gives 1 for cos(±0), NaN for NaN and ±∞', () => {
    const special = Float64Array.from([0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324]);
    const cosine = doubleKernel(SIMD_BOUNDED_TRIGONOMETRY.cos)(special);
    for (const name of ['sin', 'tan'] as const) {
      const odd = doubleKernel(SIMD_BOUNDED_TRIGONOMETRY[name])(special);
      expect(Object.is(odd[0], 0), name).toBe(true);
      expect(Object.is(odd[1], -0), name).toBe(true);
      expect([...odd.subarray(2, 5)].every(Number.isNaN), name).toBe(true);
      expect([odd[5], odd[6]], name).toEqual([5e-324, -5e-324]);
    }
    expect([...cosine.subarray(2, 5)].every(Number.isNaN)).toBe(true);
    expect([cosine[0], cosine[1]]).toEqual([1, 1]);
  });
});

describe.skipIf(SIMD_OFF)('sin, cos and tan of float32 tensors on the SIMD kernels', () => {
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
    // Element 1 is −0.
    expect(Object.is(results[1], reference === Math.cos ? 1 : -0)).toBe(true);
  };

  it('are within 1 float32 ulp of Math.fround(Math.f(x)) for every float32, with no fallback counted', () => {
    resetKernelFallbacks();
    check(sin, Math.sin, data(10_001));
    check(cos, Math.cos, data(10_001));
    check(tan, Math.tan, data(10_001));
    expect(kernelInfo().fallbacks).toEqual([]);
  });

  it('the tan op and a tan fusedMap kernel run on SIMD, within 1 float32 ulp of the JavaScript loop', () => {
    const values = tensor(data(200_001));
    const tangent = defineKernel('test.trigonometry.tan', { inputs: ['x'] }, ({ x }) => e.mul(e.tan(x), 2));
    resetKernelFallbacks();
    const fast = [tan(values).dataSync(), fusedMap(tangent, [values]).dataSync()];
    expect(kernelInfo().fallbacks).toEqual([]);
    try {
      setKernelMode('scalar');
      const loop = [tan(values).dataSync(), fusedMap(tangent, [values]).dataSync()];
      for (const [index, results] of fast.entries()) {
        let worst = 0;
        results.forEach((value, element) => {
          worst = Math.max(worst, ulpDistance(value, loop[index]![element]!, 'float32'));
        });
        expect(worst).toBeLessThanOrEqual(1);
      }
    } finally {
      setKernelMode('simd');
    }
  });

  it('give the same values on the worker threads (which import Math.sin/cos/tan too)', async () => {
    const values = data(400_001);
    setThreadCount(1);
    const single = [sin(tensor(values)).dataSync(), cos(tensor(values)).dataSync(), tan(tensor(values)).dataSync()];
    setThreadCount(2);
    expect((await kernelThreadsReady()).active).toBe(2);
    const calls = kernelInfo().threads.parallelCalls;
    resetKernelFallbacks();
    const threaded = [sin(tensor(values)).dataSync(), cos(tensor(values)).dataSync(), tan(tensor(values)).dataSync()];
    expect(kernelInfo().threads.parallelCalls).toBeGreaterThan(calls);
    expect(kernelInfo().fallbacks).toEqual([]);
    expect(threaded).toEqual(single);
    check(sin, Math.sin, values);
    check(tan, Math.tan, values);
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
  it('is real: the bounded emitters alone are wrong far beyond it, which is why those lanes call Math', () => {
    const far = Float64Array.from([1e22, 3.4028234663852886e38]);
    expect(
      ulpDistance(doubleKernel(SIMD_BOUNDED_TRIGONOMETRY.sin)(far)[0]!, Math.sin(1e22), 'float64'),
    ).toBeGreaterThan(1000);
    expect(
      ulpDistance(doubleKernel(SIMD_BOUNDED_TRIGONOMETRY.tan)(far)[0]!, Math.tan(1e22), 'float64'),
    ).toBeGreaterThan(1000);
  });
});
