// The CPU backend sends contiguous float32 binary ops that have no f32x4 instruction (pow,
// maximum, minimum, mod) to the SIMD expression compiler: both operands tensors, or one of them
// a single broadcast value passed as a scalar (binaryExpressionKernel). maximum, minimum and mod
// compute each element in float64 with the loop's IEEE operations and round once, so they must
// equal the scalar loop bit for bit on every special value; pow is within 1 float32 ulp (its
// accuracy is simd-power.test.ts's subject).
import { afterEach, describe, expect, it } from 'vitest';
import {
  kernelInfo,
  maximum,
  minimum,
  mod,
  pow,
  resetKernelFallbacks,
  setKernelMode,
  tensor,
  type Tensor,
} from '../index.js';
import { simdKernels } from '../wasm/kernel-runtime.js';
import { refuseSimdFunctionsForTesting } from '../wasm/simd-expression.js';
import { ulpDistance } from '../wasm/test-support/double-lanes.js';

const SIMD_OFF = simdKernels() === undefined;
type Refusable = Parameters<typeof refuseSimdFunctionsForTesting>[0][number];
afterEach(() => setKernelMode('simd'));

const SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -2.5,
  3,
  -7,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  1.401298464324817e-45,
  -1.401298464324817e-45,
  Infinity,
  -Infinity,
  NaN,
];
// Every special value against every other (an odd count: the last pair is padded).
const LEFT = new Float32Array(SPECIAL.flatMap((first) => SPECIAL.map(() => first)));
const RIGHT = new Float32Array(SPECIAL.flatMap(() => SPECIAL));

// [op, apply, a function of its expression to refuse (proving it ran on the compiler), ulps]
const OPS: readonly [string, (a: Tensor | number, b: Tensor | number) => Tensor, Refusable, number][] = [
  ['maximum', (a, b) => maximum(a, b), 'greater', 0],
  ['minimum', (a, b) => minimum(a, b), 'less', 0],
  ['mod', (a, b) => mod(a, b), 'floor', 0],
  ['pow', (a, b) => pow(a, b), 'pow', 1],
];

describe.skipIf(SIMD_OFF)('binary ops without an f32x4 instruction on the SIMD expression compiler', () => {
  it.each(OPS)(
    '%s on two tensors and with a broadcast scalar on either side equals the loop (pow: within 1 ulp)',
    (name, apply, refusable, ulps) => {
      const a = tensor(LEFT);
      const b = tensor(RIGHT);
      const cases: readonly [string, () => Tensor, string][] = [
        ['tensors', () => apply(a, b), `binary:${name}`],
        ...SPECIAL.slice(0, 8).flatMap(
          (value) =>
            [
              [`right ${value}`, () => apply(a, value), `binary:${name}:rightScalar`],
              [`left ${value}`, () => apply(value, b), `binary:${name}:leftScalar`],
            ] as [string, () => Tensor, string][],
        ),
      ];
      for (const [label, run, kernel] of cases) {
        resetKernelFallbacks();
        const fast = run().dataSync() as Float32Array;
        expect(kernelInfo().fallbacks, label).toEqual([]);
        // It ran on the SIMD compiler: refusing the op's function makes the same call fall back.
        const restore = refuseSimdFunctionsForTesting([refusable]);
        try {
          run();
          expect(
            kernelInfo().fallbacks.map((fallback) => fallback.kernel),
            label,
          ).toEqual([kernel]);
        } finally {
          restore();
        }
        setKernelMode('scalar');
        const loop = run().dataSync() as Float32Array;
        setKernelMode('simd');
        let worst = 0;
        for (let index = 0; index < loop.length; index++)
          worst = Math.max(worst, ulpDistance(fast[index]!, loop[index]!, 'float32'));
        expect(worst, `${name} ${label}`).toBeLessThanOrEqual(ulps);
      }
    },
  );
});
