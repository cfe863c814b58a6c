/**
 * fast-check parity properties, CPU against GPU, on random shapes: every shared elementwise
 * kernel, matmul, conv2d and the reductions. Both backends compute in float32, so the GPU is
 * held to the CPU within a few float32 ulps (looser for erf/gelu, see docs/gpu.md).
 */
import * as vane from '@vane/tensor';
import { BINARY_KERNELS, UNARY_KERNELS, conv2d, matmul, tensor, tidy, type Tensor } from '@vane/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuReady } from './gpu-availability.js';

const RUNS = 6;
const shapeArbitrary = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 3 });
// GPUs flush float32 subnormals (below 2^-126) to zero, where the CPU keeps them (docs/gpu.md):
// the properties draw normal numbers and zero only.
const SMALLEST_NORMAL = 2 ** -126;
const valuesFor = (shape: number[], low: number, high: number) =>
  fc.array(
    fc
      .float({ min: Math.fround(low), max: Math.fround(high), noNaN: true, noDefaultInfinity: true })
      .map((value) => (Math.abs(value) < SMALLEST_NORMAL ? 0 : value)),
    { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) },
  );
const tensorArbitrary = (low: number, high: number) =>
  shapeArbitrary.chain((shape) => valuesFor(shape, low, high).map((values) => ({ shape, values })));

function expectParity(cpu: Tensor, gpu: Tensor, relative: number, absolute: number, label: string): void {
  expect(gpu.shape).toEqual(cpu.shape);
  expect(gpu.dtype).toBe(cpu.dtype);
  const want = cpu.dataSync();
  const got = gpu.dataSync();
  for (let index = 0; index < want.length; index++) {
    const difference = Math.abs(got[index]! - want[index]!);
    if (!(difference <= absolute + relative * Math.abs(want[index]!))) {
      throw new Error(`${label}[${index}]: cpu ${want[index]}, gpu ${got[index]} (shape [${cpu.shape.join(',')}])`);
    }
  }
}

// Domains keep each function away from its poles and overflow, where float32 ulps diverge.
const UNARY_DOMAIN: Partial<Record<string, [number, number]>> = {
  log: [0.01, 50],
  log1p: [-0.9, 50],
  sqrt: [0, 50],
  rsqrt: [0.01, 50],
  reciprocal: [0.1, 50],
  tan: [-1.2, 1.2],
  exp: [-20, 20],
  expm1: [-20, 20],
};
const LOOSE = new Set(['erf', 'gelu']);
// Rounding functions jump at integers, where one float32 ulp of the input flips the result.
const INTEGER_VALUED = new Set(['floor', 'ceil', 'round']);

describe.skipIf(!gpuReady)('cpu/gpu parity', () => {
  const opTable = vane as unknown as Record<string, (...args: unknown[]) => Tensor>;

  it.each(Object.keys(UNARY_KERNELS).filter((name) => name !== 'identity'))('unary kernel %s', (name) => {
    const [low, high] = UNARY_DOMAIN[name] ?? [-8, 8];
    fc.assert(
      fc.property(tensorArbitrary(low, high), ({ shape, values }) => {
        tidy(() => {
          const source = INTEGER_VALUED.has(name) ? values.map((value) => Math.round(value * 4) / 4 + 0.125) : values;
          const x = tensor(source, { shape });
          const run = (input: Tensor) =>
            name === 'leakyRelu'
              ? opTable[name]!(input, 0.2)
              : name === 'elu'
                ? opTable[name]!(input, 0.7)
                : opTable[name]!(input);
          expectParity(run(x), run(x.to('gpu')), LOOSE.has(name) ? 2e-3 : 2e-5, LOOSE.has(name) ? 2e-3 : 1e-5, name);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it.each(Object.keys(BINARY_KERNELS))('binary kernel %s with broadcasting', (name) => {
    fc.assert(
      fc.property(tensorArbitrary(0.5, 4), valuesFor([1], 0.5, 4), ({ shape, values }, [scalar]) => {
        tidy(() => {
          const a = tensor(values, { shape });
          // Half-integers make the comparisons meet ties, which both backends must agree on.
          const b = tensor([name === 'pow' ? scalar! : Math.round(scalar! * 2) / 2]);
          expectParity(opTable[name]!(a, b), opTable[name]!(a.to('gpu'), b.to('gpu')), 2e-5, 1e-5, name);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('matmul on random shapes, transposed operands included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        (m, k, n, transposed) => {
          tidy(() => {
            const a = vane.randn(transposed ? [k, m] : [m, k], { generator: vane.seed(m * 100 + k) });
            const b = vane.randn([k, n], { generator: vane.seed(n) });
            const left = transposed ? vane.transpose(a) : a;
            const gpuLeft = transposed ? vane.transpose(a.to('gpu')) : a.to('gpu');
            expectParity(matmul(left, b), matmul(gpuLeft, b.to('gpu')), 1e-4, 1e-4, 'matmul');
          });
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('conv2d on random geometry', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 2 }),
          groups: fc.integer({ min: 1, max: 2 }),
          size: fc.integer({ min: 3, max: 7 }),
          kernel: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 2 }),
          padding: fc.integer({ min: 0, max: 1 }),
        }),
        ({ batch, groups, size, kernel, stride, padding }) => {
          tidy(() => {
            const x = vane.randn([batch, 2 * groups, size, size], { generator: vane.seed(size) });
            const weight = vane.randn([2 * groups, 2, kernel, kernel], { generator: vane.seed(kernel) });
            expectParity(
              conv2d(x, weight, { stride, padding, groups }),
              conv2d(x.to('gpu'), weight.to('gpu'), { stride, padding, groups }),
              1e-4,
              1e-4,
              'conv2d',
            );
          });
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it.each(['sum', 'prod', 'max', 'min', 'mean', 'all', 'any'])('reduction %s over random axes', (name) => {
    fc.assert(
      fc.property(
        shapeArbitrary
          .filter((shape) => shape.length > 0)
          .chain((shape) =>
            fc.tuple(
              fc.constant(shape),
              valuesFor(shape, -2, 2),
              fc.subarray(
                shape.map((_, axis) => axis),
                { minLength: 1 },
              ),
            ),
          ),
        ([shape, values, axes]) => {
          tidy(() => {
            const source = name === 'all' || name === 'any' ? values.map((value) => (value > 0 ? 1 : 0)) : values;
            const x = tensor(source, { shape });
            expectParity(opTable[name]!(x, axes), opTable[name]!(x.to('gpu'), axes), 1e-4, 1e-5, name);
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});
