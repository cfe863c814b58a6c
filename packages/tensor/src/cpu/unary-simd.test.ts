// The CPU backend sends contiguous float32 unary ops whose table expression compiles (relu, neg,
// square, leakyRelu, floor, round, ...) to the SIMD expression compiler. Both paths compute each element in
// float64 and round once to float32, so the results must agree bit for bit with the scalar loop
// on every special value (NaN, ±0, ±∞, subnormals, float32 extremes).
import { afterEach, describe, expect, it } from 'vitest';
import {
  tensor,
  setKernelMode,
  UNARY_KERNELS,
  unaryExpressionKernel,
  type Tensor,
  type UnaryKernelName,
} from '../index.js';
import { compileFusedKernel } from '../wasm/simd-fused.js';
import { simdKernels } from '../wasm/kernel-runtime.js';

// Under VANE_KERNELS=scalar (or setKernelMode('scalar')) there are no SIMD kernels to check.
const SIMD_OFF = simdKernels() === undefined;

const SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -2.5,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  1.401298464324817e-45,
  -1.401298464324817e-45,
  1.1754943508222875e-38,
  Infinity,
  -Infinity,
  NaN,
  1e-3,
  7,
  -7,
];
// An odd length also exercises the padded last pair of the two-lane kernel.
const VALUES = new Float32Array([
  ...SPECIAL,
  ...Array.from({ length: 101 }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 9) - 4)),
]);

function bits(t: Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).buffer));
}

afterEach(() => setKernelMode('simd'));

describe('unary kernels on the SIMD expression compiler', () => {
  const compiled = (Object.keys(UNARY_KERNELS) as UnaryKernelName[]).filter((name) =>
    compileFusedKernel(unaryExpressionKernel(name)),
  );

  it.skipIf(SIMD_OFF)(
    'covers the hot kernels (relu, neg, square, abs, leakyRelu) and the rounding ones (floor, ceil, round)',
    () => {
      for (const name of ['relu', 'neg', 'square', 'abs', 'leakyRelu', 'floor', 'ceil', 'round'])
        expect(compiled).toContain(name);
    },
  );

  it.each([
    'relu',
    'neg',
    'abs',
    'sign',
    'sqrt',
    'rsqrt',
    'square',
    'reciprocal',
    'leakyRelu',
    'floor',
    'ceil',
    'round',
  ])('%s: SIMD equals the scalar loop bit for bit', (name) => {
    const x = tensor(VALUES);
    const run = (mode: 'simd' | 'scalar') => {
      setKernelMode(mode);
      const method = (x as unknown as Record<string, (parameter?: number) => Tensor>)[name]!;
      return bits(name === 'leakyRelu' ? method.call(x, 0.2) : method.call(x));
    };
    const scalar = run('scalar');
    const simd = run('simd');
    expect(simd).toEqual(scalar);
  });
});
