import { afterEach, describe, expect, it } from 'vitest';
import {
  defineKernel,
  expression as e,
  fusedManyTarget,
  fusedMap,
  fusedMapMany,
  kernelInfo,
  setKernelMode,
  tensor,
} from '../index.js';
import type { Tensor } from '../tensor.js';
import { refuseSimdFunctionsForTesting } from '../wasm/simd-expression.js';
import { simdFusedManyCompiles } from '../wasm/simd-fused-many.js';
import { simdKernels } from '../wasm/kernel-runtime.js';

const SIMD_OFF = simdKernels() === undefined;

afterEach(() => setKernelMode('simd'));

// Adam's three per-element expressions over (m, v, g): the new moments, and the direction
// computed from the new moments as the separate pass reads them back (rounded to float32).
const SIGNATURE = { inputs: ['m', 'v', 'g'], scalars: ['beta1', 'beta2', 'c1', 'c2', 'eps'] } as const;
const nextFirst = (m: e.Operand, g: e.Operand, beta1: e.Operand) => e.add(e.mul(beta1, m), e.mul(e.sub(1, beta1), g));
const nextSecond = (v: e.Operand, g: e.Operand, beta2: e.Operand) =>
  e.add(e.mul(beta2, v), e.mul(e.mul(e.sub(1, beta2), g), g));
const direction = (m: e.Operand, v: e.Operand, c1: e.Operand, c2: e.Operand, eps: e.Operand) =>
  e.div(e.mul(m, c1), e.add(e.mul(e.sqrt(v), c2), eps));
const FIRST = defineKernel('test.fusedMany.first', SIGNATURE, ({ m, g, beta1 }) => nextFirst(m, g, beta1));
const SECOND = defineKernel('test.fusedMany.second', SIGNATURE, ({ v, g, beta2 }) => nextSecond(v, g, beta2));
const DIRECTION_OF_NEW = defineKernel('test.fusedMany.direction', SIGNATURE, ({ m, v, g, beta1, beta2, c1, c2, eps }) =>
  direction(e.fround(nextFirst(m, g, beta1)), e.fround(nextSecond(v, g, beta2)), c1, c2, eps),
);
// The separate passes' direction: reads the stored moments.
const DIRECTION = defineKernel(
  'test.fusedMany.separateDirection',
  { inputs: ['m', 'v'], scalars: ['c1', 'c2', 'eps'] },
  ({ m, v, c1, c2, eps }) => direction(m, v, c1, c2, eps),
);
const SCALARS = [0.9, 0.999, 1 / (1 - 0.9 ** 3), 1 / Math.sqrt(1 - 0.999 ** 3), 1e-8];

/** Deterministic float32 values with a spread of magnitudes and signs, plus -0, inf and NaN. */
function values(size: number, seed: number, positive = false): Float32Array {
  const out = new Float32Array(size);
  let state = seed;
  for (let index = 0; index < size; index++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const unit = state / 2147483648;
    out[index] = (positive ? 1 : unit < 0.5 ? -1 : 1) * Math.exp(20 * unit - 12);
  }
  if (size > 8) {
    out[1] = positive ? 0 : -0;
    out[3] = Infinity;
    out[5] = NaN;
  }
  return out;
}

const bits = (x: Tensor) => Array.from(new Uint32Array(new Float32Array(x.dataSync() as Float32Array).buffer));

function separate(m: Tensor, v: Tensor, g: Tensor): Tensor[] {
  const first = fusedMap(FIRST, [m, v, g], SCALARS);
  const second = fusedMap(SECOND, [m, v, g], SCALARS);
  return [first, second, fusedMap(DIRECTION, [first, second], SCALARS.slice(2))];
}

describe('fusedMapMany', () => {
  // 7: a half pair; 1001 odd; 200_003: large enough to be split over the kernel threads.
  for (const size of [7, 1001, 200_003]) {
    it(`equals separate fusedMap passes bit for bit on float32 (${size} elements)`, () => {
      const m = tensor(values(size, 1));
      const v = tensor(values(size, 2, true));
      const g = tensor(values(size, 3));
      const fused = fusedMapMany([FIRST, SECOND, DIRECTION_OF_NEW], [m, v, g], SCALARS);
      const expected = separate(m, v, g);
      expect(fused.map((output) => output.shape)).toEqual([[size], [size], [size]]);
      fused.forEach((output, index) => expect(bits(output)).toEqual(bits(expected[index]!)));
      // And the JavaScript loop (scalar mode) agrees: an independent evaluation of each kernel.
      setKernelMode('scalar');
      expect(fusedManyTarget([FIRST, SECOND, DIRECTION_OF_NEW])).toBe('separate');
      const loop = separate(m, v, g);
      fused.forEach((output, index) => expect(bits(output)).toEqual(bits(loop[index]!)));
    });
  }

  it.skipIf(SIMD_OFF)('runs the three Adam kernels as one SIMD pass, with no fallback', (context) => {
    if (!kernelInfo().simdAvailable) context.skip('WebAssembly SIMD is unavailable here');
    expect(simdFusedManyCompiles([FIRST, SECOND, DIRECTION_OF_NEW])).toBe(true);
    expect(fusedManyTarget([FIRST, SECOND, DIRECTION_OF_NEW])).toBe('simd');
    const before = kernelInfo().fallbacks.length;
    const x = tensor(values(64, 4));
    fusedMapMany([FIRST, SECOND, DIRECTION_OF_NEW], [x, tensor(values(64, 5, true)), x], SCALARS);
    expect(kernelInfo().fallbacks.length).toBe(before);
  });

  it('runs kernels the SIMD compiler refuses (tan, refused for the test) and float64 separately, with the same results', () => {
    const tangent = defineKernel('test.fusedMany.tangent', { inputs: ['x'] }, ({ x }) => e.tan(x));
    const square = defineKernel('test.fusedMany.square', { inputs: ['x'] }, ({ x }) => e.mul(x, x));
    const x = tensor(values(33, 6));
    const restore = refuseSimdFunctionsForTesting(['tan']);
    try {
      expect(fusedManyTarget([tangent, square])).toBe('separate');
      const [tangents, squares] = fusedMapMany([tangent, square], [x]);
      expect(bits(tangents!)).toEqual(bits(fusedMap(tangent, [x])));
      expect(bits(squares!)).toEqual(bits(fusedMap(square, [x])));
    } finally {
      restore();
    }
    const wide = tensor([1.5, -2, 3], { dtype: 'float64' });
    const [wideSquares] = fusedMapMany([square, square], [wide]);
    expect(wideSquares!.dtype).toBe('float64');
    expect(Array.from(wideSquares!.dataSync())).toEqual([2.25, 4, 9]);
  });

  it('refuses an empty kernel list and kernels whose signature differs from the inputs and scalars', () => {
    const x = tensor([1, 2]);
    expect(() => fusedMapMany([], [x])).toThrow(/fusedMapMany: 'kernels' must be a non-empty array/);
    expect(() => fusedMapMany([FIRST, DIRECTION], [x, x, x], SCALARS)).toThrow(
      /every kernel must take all 3 inputs and 5 scalars; 'test.fusedMany.separateDirection' takes 2 inputs and 3 scalars/,
    );
    expect(() => fusedMapMany([FIRST, SECOND], [x, x, tensor([1, 2, 3])], SCALARS)).toThrow(
      /'inputs\[2\]' has shape \[3\], expected \[2\]/,
    );
  });
});
