/**
 * The inline SIMD pow (simd-math.ts, `SIMD_BINARY_MATH.pow`) against V8's Math.pow.
 *
 * Stated bounds, and why (see `power` in simd-math.ts): pow is exp(t) with t = y·log|x|; the
 * log's relative error (≤ 2 double ulps) and the product's rounding make an absolute error of
 * about 2.5·2^−53·|t| in t, which exp turns into the same relative error of the result, plus
 * exp's own ≤ 3 ulps and V8's < 1. So in double precision: ≤ 4 + 2.5·|t| double ulps (the
 * measured maximum is printed). After the float32 rounding (|t| ≤ 104 for any result that is
 * neither 0 nor ∞ in float32, so a relative error below 2^−44): ≤ 1 float32 ulp from
 * Math.fround(Math.pow(x, y)), and every special case of ECMAScript's Math.pow (±0, ±∞ and NaN
 * operands, y = ±0, negative x, |x| = 1) and every exponent fdlibm answers exactly (±1, 2, ½)
 * bit for bit, signed zeros and NaN included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  defineKernel,
  expression as e,
  fusedMap,
  fusedMapMany,
  kernelInfo,
  kernelThreadsReady,
  pow,
  resetKernelFallbacks,
  setKernelMode,
  setThreadCount,
  tensor,
} from '../index.js';
import { simdKernels } from './kernel-runtime.js';
import { refuseSimdFunctionsForTesting } from './simd-expression.js';
import { SIMD_BINARY_MATH } from './simd-math.js';
import { binaryDoubleKernel, generator, ulpDistance } from './test-support/double-lanes.js';

const NO_ENGINE_SIMD = !kernelInfo().simdAvailable;
const SIMD_OFF = simdKernels() === undefined;
afterEach(() => setKernelMode('simd'));

const single = Math.fround;
/** Whether two float32 arrays hold the same bits (a loop: toEqual on 200 000 elements is slow). */
function sameBits(first: Float32Array, second: Float32Array): boolean {
  const a = new Uint32Array(first.buffer, first.byteOffset, first.length);
  const b = new Uint32Array(second.buffer, second.byteOffset, second.length);
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
// Bases and exponents where ECMAScript's Math.pow has a special rule, and their neighbours.
const SPECIAL_BASES = [
  0,
  -0,
  1,
  -1,
  2,
  -2,
  0.5,
  -0.5,
  3,
  -3,
  10,
  4097,
  -4097,
  Infinity,
  -Infinity,
  NaN,
  1.401298464324817e-45,
  -1.401298464324817e-45,
  1.1754943508222875e-38,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  single(1 + 2 ** -23),
  1 - 2 ** -24,
  -(1 - 2 ** -24),
  single(0.1),
];
const SPECIAL_EXPONENTS = [
  0,
  -0,
  1,
  -1,
  2,
  -2,
  3,
  -3,
  0.5,
  -0.5,
  1.5,
  -1.5,
  single(1 / 3),
  Infinity,
  -Infinity,
  NaN,
  2 ** 24,
  2 ** 24 + 2,
  2 ** 23 + 1,
  -(2 ** 23 + 1),
  2 ** 31,
  1.401298464324817e-45,
  -1.401298464324817e-45,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  127,
  128,
  -126,
  -149,
  -150,
];
// Only as doubles: the largest odd integer, and the first exponents that are all even.
const DOUBLE_EXPONENTS = [2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, 1e300, -1e300, 5e-324];

/**
 * Whether ECMAScript's Math.pow(x, y) is decided by a special rule (Number::exponentiate's
 * steps for NaN, ±0, ±∞, negative bases with non-integer exponents, and |x| = 1) or by one of
 * fdlibm's shortcuts (y = ±1, 2, ½): these the SIMD pow must reproduce bit for bit, as doubles.
 */
function isSpecialCase(x: number, y: number): boolean {
  return (
    Number.isNaN(x) ||
    Number.isNaN(y) ||
    y === 0 ||
    x === 0 ||
    !Number.isFinite(x) ||
    !Number.isFinite(y) ||
    Math.abs(x) === 1 ||
    (x < 0 && !Number.isInteger(y)) ||
    // fdlibm's shortcuts, as V8's Math.pow took them on Node 20: x, 1/x, x·x, √x (checked against shortcutValue).
    y === 1 ||
    y === -1 ||
    y === 2 ||
    y === 0.5
  );
}

/**
 * The exact value of fdlibm's shortcut exponents for a finite, nonzero base (x, 1/x, x·x, and √x
 * for x > 0), which the kernel computes and V8's Math.pow returned on Node 20. Newer V8 (Node 24)
 * computes pow(x, −1) by its general algorithm, which can differ from 1/x in the last double bit,
 * so the closed form is the reference here; zeros, infinities and NaN keep Math.pow's values.
 */
function shortcutValue(x: number, y: number): number | undefined {
  if (!Number.isFinite(x) || x === 0) return undefined;
  if (y === 1) return x;
  if (y === -1) return 1 / x;
  if (y === 2) return x * x;
  if (y === 0.5 && x > 0) return Math.sqrt(x);
  return undefined;
}

/**
 * Pairs (x, y): every special base against every special exponent; float32 pairs whose
 * |y·log x| covers the whole float32 range (results from subnormal to overflow, where the log's
 * error is amplified most); negative bases with random integer exponents (odd and even);
 * bases near 1 with huge exponents; random float32 bit patterns for both. 200 000 pairs and
 * more, as the sin/cos tests; all float32 values unless `doubles`.
 */
function pairs(doubles: boolean): { x: Float64Array; y: Float64Array } {
  const x: number[] = [];
  const y: number[] = [];
  const push = (base: number, exponent: number) => {
    x.push(base);
    y.push(exponent);
  };
  for (const base of SPECIAL_BASES)
    for (const exponent of [...SPECIAL_EXPONENTS, ...(doubles ? DOUBLE_EXPONENTS : [])]) push(base, exponent);
  const random = generator(2024);
  const uniform = () => random() / 2 ** 32;
  const floatBits = new Uint32Array(1);
  const asFloat = new Float32Array(floatBits.buffer);
  const randomFloat = () => {
    floatBits[0] = random();
    return asFloat[0]!;
  };
  while (x.length < 200_000) {
    // |t| = |y·log x| up to the float32 range's ends: y = t/log x rounded to float32.
    const base = single(Math.exp((uniform() - 0.5) * 60)) * (uniform() < 0.2 ? -1 : 1);
    const target = (uniform() - 0.55) * 220;
    const exponent = single(target / Math.log(Math.abs(base)));
    if (Number.isFinite(exponent)) push(base, base < 0 ? Math.round(exponent) : exponent);
    // Negative bases, integer exponents.
    push(-single(uniform() * 4), Math.round((uniform() - 0.5) * 200));
    // Bases near 1, large exponents.
    push(single(1 + (uniform() - 0.5) * 2 ** -16), single((uniform() - 0.5) * 2 ** 25));
    const bits = randomFloat();
    push(Number.isNaN(bits) ? 1.5 : Math.abs(bits) < 1e30 ? bits : single(bits / 1e30), randomFloat());
    if (doubles) push(uniform() * 1e300, (uniform() - 0.5) * 2);
    // The shortcut exponents, alone in a pair (both lanes) and next to a general one.
    push(randomFloat(), [1, -1, 2, 0.5][random() % 4]!);
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y) };
}

describe.skipIf(NO_ENGINE_SIMD)('inline SIMD pow against Math.pow', () => {
  it('is within 4 + 2.5·|y·log|x|| double ulps, and every special case is Math.pow bit for bit', () => {
    const { x, y } = pairs(true);
    const results = binaryDoubleKernel(SIMD_BINARY_MATH.pow!)(x, y);
    let worstExcess = -Infinity;
    let worstAt = '';
    let worstDistance = 0;
    let worstDistanceAt = '';
    let specialCases = 0;
    for (let index = 0; index < x.length; index++) {
      const expected = shortcutValue(x[index]!, y[index]!) ?? Math.pow(x[index]!, y[index]!);
      if (isSpecialCase(x[index]!, y[index]!)) {
        specialCases++;
        if (!Object.is(results[index], expected))
          expect(`pow(${x[index]}, ${y[index]}) = ${results[index]}`).toBe(
            `pow(${x[index]}, ${y[index]}) = ${expected}`,
          );
        continue;
      }
      const t = Math.abs(y[index]! * Math.log(Math.abs(x[index]!)));
      // Beyond |t| = 746 both are 0 or ∞ (checked exactly by the distance below).
      const distance = ulpDistance(results[index]!, expected, 'float64');
      const excess = distance - (4 + 2.5 * Math.min(t, 746));
      if (distance > worstDistance)
        [worstDistance, worstDistanceAt] = [distance, `pow(${x[index]}, ${y[index]}), |t| = ${t.toFixed(1)}`];
      if (excess > worstExcess) [worstExcess, worstAt] = [excess, `pow(${x[index]}, ${y[index]}): ${distance} ulps`];
    }
    console.log('pow double', { worstExcess, worstAt, worstDistance, worstDistanceAt, specialCases, count: x.length });
    expect(specialCases).toBeGreaterThan(700);
    expect(worstExcess, worstAt).toBeLessThanOrEqual(0);
  });

  it('is within 1 float32 ulp of Math.fround(Math.pow(x, y)) for float32 x and y', () => {
    const { x, y } = pairs(false);
    const results = binaryDoubleKernel(SIMD_BINARY_MATH.pow!)(x, y);
    let worst = 0;
    let differences = 0;
    let worstAt = '';
    for (let index = 0; index < x.length; index++) {
      const distance = ulpDistance(single(results[index]!), single(Math.pow(x[index]!, y[index]!)), 'float32');
      if (distance > 0) differences++;
      if (distance > worst) [worst, worstAt] = [distance, `pow(${x[index]}, ${y[index]})`];
    }
    console.log('pow float32', { worst, worstAt, differences, count: x.length });
    expect(worst, worstAt).toBeLessThanOrEqual(1);
  });
});

describe.skipIf(SIMD_OFF)('pow kernels on the SIMD compiler', () => {
  const { x, y } = pairs(false);
  const bases = tensor(Float32Array.from(x));
  const exponents = tensor(Float32Array.from(y));

  it('fusedMap(pow) runs on SIMD with no fallback, within 1 float32 ulp of the JavaScript loop', () => {
    const power = defineKernel('test.simdPower.pow', { inputs: ['x', 'y'] }, ({ x: base, y: exponent }) =>
      e.pow(base, exponent),
    );
    resetKernelFallbacks();
    const fast = fusedMap(power, [bases, exponents]).dataSync() as Float32Array;
    expect(kernelInfo().fallbacks).toEqual([]);
    setKernelMode('scalar');
    const loop = fusedMap(power, [bases, exponents]).dataSync() as Float32Array;
    let worst = 0;
    for (let index = 0; index < loop.length; index++) {
      const distance = ulpDistance(fast[index]!, loop[index]!, 'float32');
      if (isSpecialCase(x[index]!, y[index]!) && distance !== 0)
        expect([x[index], y[index], fast[index]]).toEqual([x[index], y[index], loop[index]]);
      worst = Math.max(worst, distance);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('gives the same bits on the worker threads, with a tensor and with a scalar exponent', async () => {
    const initial = kernelInfo().threads.requested;
    try {
      setThreadCount(1);
      const oneThread = [pow(bases, exponents).dataSync(), pow(bases, 3).dataSync()];
      setThreadCount(2);
      expect((await kernelThreadsReady()).active).toBe(2);
      const calls = kernelInfo().threads.parallelCalls;
      const threaded = [pow(bases, exponents).dataSync(), pow(bases, 3).dataSync()];
      expect(kernelInfo().threads.parallelCalls).toBeGreaterThan(calls);
      threaded.forEach((values, index) =>
        expect(sameBits(values as Float32Array, oneThread[index] as Float32Array)).toBe(true),
      );
    } finally {
      setThreadCount(initial);
    }
  }, 30_000);

  it('pow inside larger expressions and fusedMapMany runs on SIMD as the separate kernels', () => {
    const scaled = defineKernel('test.simdPower.scaled', { inputs: ['x'], scalars: ['p'] }, ({ x: base, p }) =>
      e.mul(e.pow(e.abs(base), p), 0.5),
    );
    const root = defineKernel('test.simdPower.root', { inputs: ['x'], scalars: ['p'] }, ({ x: base }) =>
      e.pow(base, e.div(1, 3)),
    );
    resetKernelFallbacks();
    const [first, second] = fusedMapMany([scaled, root], [bases], [2.5]);
    expect(kernelInfo().fallbacks).toEqual([]);
    expect(
      sameBits(first!.dataSync() as Float32Array, fusedMap(scaled, [bases], [2.5]).dataSync() as Float32Array),
    ).toBe(true);
    expect(
      sameBits(second!.dataSync() as Float32Array, fusedMap(root, [bases], [2.5]).dataSync() as Float32Array),
    ).toBe(true);
    const values = second!.dataSync() as Float32Array;
    let worst = 0;
    for (let index = 0; index < x.length; index++)
      worst = Math.max(worst, ulpDistance(values[index]!, single(Math.pow(x[index]!, 1 / 3)), 'float32'));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('the pow op, with a tensor exponent and with a scalar exponent, runs on SIMD within 1 float32 ulp of the loop', () => {
    for (const [exponent, kernelName] of [
      [exponents, 'binary:pow'],
      [3, 'binary:pow:rightScalar'],
      [-0.5, 'binary:pow:rightScalar'],
      [2, 'binary:pow:rightScalar'],
      [0.5, 'binary:pow:rightScalar'],
    ] as const) {
      resetKernelFallbacks();
      const fast = pow(bases, exponent).dataSync() as Float32Array;
      expect(kernelInfo().fallbacks).toEqual([]);
      // It went through the SIMD compiler: with pow refused, the same call counts a fallback.
      const restore = refuseSimdFunctionsForTesting(['pow']);
      try {
        pow(bases, exponent);
        expect(kernelInfo().fallbacks.map((fallback) => fallback.kernel)).toEqual([kernelName]);
      } finally {
        restore();
      }
      setKernelMode('scalar');
      const loop = pow(bases, exponent).dataSync() as Float32Array;
      setKernelMode('simd');
      let worst = 0;
      for (let index = 0; index < loop.length; index++)
        worst = Math.max(worst, ulpDistance(fast[index]!, loop[index]!, 'float32'));
      // 2 and ½ take fdlibm's exact shortcuts, as V8's Math.pow: the loop's bits.
      const bound = exponent === 2 || exponent === 0.5 ? 0 : 1;
      expect(worst, String(typeof exponent === 'number' ? exponent : 'tensor')).toBeLessThanOrEqual(bound);
    }
    // A broadcast base (2^x) takes the other scalar form; refused, it runs on the loop.
    const restore = refuseSimdFunctionsForTesting(['pow']);
    let loop: Float32Array;
    try {
      resetKernelFallbacks();
      loop = pow(2, bases).dataSync() as Float32Array;
      expect(kernelInfo().fallbacks.map((fallback) => fallback.kernel)).toEqual(['binary:pow:leftScalar']);
    } finally {
      restore();
    }
    resetKernelFallbacks();
    const fast = pow(2, bases).dataSync() as Float32Array;
    expect(kernelInfo().fallbacks).toEqual([]);
    let worst = 0;
    for (let index = 0; index < loop.length; index++)
      worst = Math.max(worst, ulpDistance(fast[index]!, loop[index]!, 'float32'));
    expect(worst).toBeLessThanOrEqual(1);
  });
});
