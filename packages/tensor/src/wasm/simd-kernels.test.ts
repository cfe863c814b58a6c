/**
 * The SIMD kernels against the scalar reference kernels, on random shapes including the
 * packing edges (sizes that are not multiples of the 4×8 tile or the 256 depth block),
 * transposed operands and broadcast scalars.
 *
 * Tolerances: add/sub/mul/div must match exactly (the scalar path computes in double and
 * rounds once to float32, which equals the correctly rounded float32 operation); matmul may
 * differ by the float32 accumulation error, bounded by 2·k·ε₃₂·Σₚ|aᵢₚ·bₚⱼ|; exp is within 2 ulp
 * of the correctly rounded float32 result.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  abs,
  add,
  conv2d,
  div,
  exp,
  kernelInfo,
  matmul,
  mul,
  randn,
  seed,
  setKernelMode,
  sub,
  tensor,
  transpose,
  type Tensor,
} from '../index.js';
import { signedLeb128, unsignedLeb128 } from './wasm-encoder.js';

const EPSILON_32 = 2 ** -23;

function inMode<T>(mode: 'simd' | 'scalar', body: () => T): T {
  setKernelMode(mode);
  try {
    return body();
  } finally {
    setKernelMode('simd');
  }
}

function valuesOf(t: Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** Distance in units in the last place between two float32 values (via their bit patterns). */
function ulpDistance(a: number, b: number): number {
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const ordered = (value: number) => (value < 0 ? -2147483648 - value : value);
  return Math.abs(ordered(bits[0]!) - ordered(bits[1]!));
}

afterEach(() => setKernelMode('simd'));

describe('wasm encoder', () => {
  it('encodes LEB128 as the spec examples', () => {
    expect(unsignedLeb128(0)).toEqual([0]);
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb128(63)).toEqual([63]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-64)).toEqual([0x40]);
  });
});

describe('kernel selection', () => {
  it('reports SIMD in Node and the scalar mode when asked', () => {
    expect(kernelInfo().simdAvailable).toBe(true);
    expect(kernelInfo().active).toBe('simd');
    setKernelMode('scalar');
    expect(kernelInfo().active).toBe('scalar');
    expect(kernelInfo().requested).toBe('scalar');
  });

  it('falls back to scalar, saying why, when WebAssembly is missing', async () => {
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const runtime = await import('./kernel-runtime.js');
      const info = runtime.kernelInfo();
      expect(info.active).toBe('scalar');
      expect(info.simdAvailable).toBe(false);
      expect(info.fallbackReason).toMatch(/WebAssembly/);
      expect(runtime.simdKernels()).toBeUndefined();
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});

describe('SIMD matmul vs the scalar reference', () => {
  const dimension = fc.oneof(
    fc.integer({ min: 1, max: 20 }),
    fc.integer({ min: 1, max: 70 }),
    fc.constantFrom(4, 8, 255, 256, 257),
  );
  it('agrees on random shapes and transposes within the float32 accumulation bound', () => {
    fc.assert(
      fc.property(
        dimension,
        dimension,
        dimension,
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (m, n, k, transposeA, transposeB, seedValue) => {
          if (m * n * k > 400_000) return;
          const generator = seed(seedValue);
          const a = transposeA ? transpose(randn([k, m], { generator })) : randn([m, k], { generator });
          const b = transposeB ? transpose(randn([n, k], { generator })) : randn([k, n], { generator });
          const fast = valuesOf(inMode('simd', () => matmul(a, b)));
          const reference = valuesOf(inMode('scalar', () => matmul(a, b)));
          const magnitude = valuesOf(inMode('scalar', () => matmul(abs(a), abs(b))));
          for (let index = 0; index < reference.length; index++) {
            expect(Math.abs(fast[index]! - reference[index]!)).toBeLessThanOrEqual(
              2 * k * EPSILON_32 * magnitude[index]! + 1e-30,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('handles batched matmul and float64 (which stays scalar)', () => {
    const generator = seed(3);
    const a = randn([3, 5, 9], { generator });
    const b = randn([3, 9, 11], { generator });
    const fast = valuesOf(matmul(a, b));
    const reference = valuesOf(inMode('scalar', () => matmul(a, b)));
    fast.forEach((value, index) => expect(value).toBeCloseTo(reference[index]!, 4));
    const a64 = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    );
    expect(Array.from(matmul(a64, a64).dataSync())).toEqual([7, 10, 15, 22]);
  });
});

describe('SIMD conv2d vs the scalar reference', () => {
  it('agrees on random geometries', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 3, max: 13 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer(),
        (batch, inChannels, outChannels, size, kernel, stride, seedValue) => {
          if (kernel > size) return;
          const generator = seed(seedValue);
          const x = randn([batch, inChannels, size, size], { generator });
          const w = randn([outChannels, inChannels, kernel, kernel], { generator });
          const fast = valuesOf(conv2d(x, w, { stride, padding: 1 }));
          const reference = valuesOf(inMode('scalar', () => conv2d(x, w, { stride, padding: 1 })));
          const magnitude = valuesOf(inMode('scalar', () => conv2d(abs(x), abs(w), { stride, padding: 1 })));
          const depth = inChannels * kernel * kernel;
          reference.forEach((value, index) =>
            expect(Math.abs(fast[index]! - value)).toBeLessThanOrEqual(
              2 * depth * EPSILON_32 * magnitude[index]! + 1e-30,
            ),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('SIMD elementwise vs the scalar reference', () => {
  const operations = { add, sub, mul, div } as const;
  it('add/sub/mul/div match exactly, including broadcast scalars and odd lengths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 67 }),
        fc.constantFrom('add', 'sub', 'mul', 'div' as const),
        fc.constantFrom('vv', 'vs', 'sv'),
        fc.integer(),
        (size, name, layout, seedValue) => {
          const generator = seed(seedValue);
          const a = layout === 'sv' ? randn([], { generator }) : randn([size], { generator });
          const b = layout === 'vs' ? randn([], { generator }) : randn([size], { generator });
          const operation = operations[name];
          expect(Array.from(valuesOf(operation(a, b)))).toEqual(
            Array.from(valuesOf(inMode('scalar', () => operation(a, b)))),
          );
        },
      ),
      { numRuns: 120 },
    );
  });

  it('exp is within 2 ulp of the correctly rounded float32 result, with the IEEE special cases', () => {
    const inputs = [
      NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      1,
      -1,
      88.72,
      88.73,
      89,
      100,
      -87.3,
      -88,
      -100,
      -103.2,
      -103.9,
      -104,
      -200,
      1e-8,
      -1e-8,
    ];
    for (let index = 0; index < 20000; index++) inputs.push(Math.fround(-104 + (index / 20000) * 193));
    const x = tensor(inputs);
    const fast = valuesOf(exp(x));
    inputs.forEach((value, index) => {
      const expected = Math.fround(Math.exp(Math.fround(value)));
      const actual = fast[index]!;
      if (Number.isNaN(expected)) return expect(actual).toBeNaN();
      if (!Number.isFinite(expected) || expected === 0) return expect(actual).toBe(expected);
      expect(ulpDistance(actual, expected), `exp(${value})`).toBeLessThanOrEqual(2);
    });
  });
});
