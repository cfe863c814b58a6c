/**
 * Expression kernels with float32 operations (fround(a ∘ b), fround(√a) over float32 values),
 * which the SIMD compiler evaluates four elements per step on f32x4 lanes and the rest on two
 * f64x2 halves: bit for bit the JavaScript loop (NaN as NaN), at every length (the odd pair
 * before the quads), with the float32 and float64 parts mixed every way, in one output or
 * several, and split over two threads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  expression as e,
  fusedMap,
  fusedMapMany,
  kernelInfo,
  kernelThreadsReady,
  setKernelMode,
  setThreadCount,
  tensor,
  type ExpressionKernel,
  type NumberExpression,
} from '../index.js';
import { simdKernels } from './kernel-runtime.js';
import { compileSimdExpression } from './simd-expression.js';
import { expectSameBits, random } from './test-support/simd-comparisons.js';

const SIMD_OFF = simdKernels() === undefined;
const initialThreads = kernelInfo().threads.requested;

afterEach(() => {
  setKernelMode('simd');
  setThreadCount(initialThreads);
});

const [x, y, z] = [e.input(0), e.input(1), e.input(2)];
const [s0, s1] = [e.scalar(0), e.scalar(1)];
const f = e.fround;

function kernel(name: string, expression: NumberExpression): ExpressionKernel {
  return { name: `test.simdQuads.${name}`, arity: 3, scalarCount: 2, expression };
}

/** Adam's moments and direction with float32 rounding after every operation. */
const m = f(e.add(f(e.mul(f(s0), x)), f(e.mul(f(e.sub(1, s0)), z))));
const v = f(e.add(f(e.mul(f(s1), y)), f(e.mul(f(e.mul(f(e.sub(1, s1)), z)), z))));
const direction = f(e.div(f(e.mul(m, f(s0))), f(e.add(f(e.mul(f(e.sqrt(v)), f(s1))), f(1e-8)))));
const product = f(e.mul(x, y));
// A chain of float32 operations, so that the kernels below have more f32x4 instructions than
// double operations (else they would step over pairs, see stepsOverQuads).
const chained = f(e.add(product, z));
const chainEnd = f(e.div(f(e.sub(chained, x)), y));

const CASES: ExpressionKernel[] = [
  kernel('add', f(e.add(x, y))),
  kernel('chain', f(e.div(f(e.sub(f(e.mul(x, y)), z)), f(e.sqrt(f(e.abs(y))))))),
  kernel('adamDirection', direction),
  kernel('constants', f(e.add(f(e.mul(x, 0.5)), f(e.neg(f(e.mul(-3, y))))))),
  // A constant that is not a float32 stays a double: its product is not a float32 operation.
  kernel('inexactConstant', f(e.add(f(e.mul(x, 0.1)), y))),
  // Float32 values read by double operations (inputs, a shared product, an unshared one).
  kernel('widened', e.add(e.mul(chainEnd, e.mul(z, 0.01)), e.div(chained, e.add(e.abs(z), 1)))),
  kernel('widenedOnce', e.sub(f(e.mul(f(e.add(x, z)), z)), e.mul(y, s1))),
  // Double parts rounded into float32 operations (a transcendental one too).
  kernel('demoted', f(e.mul(f(e.mul(x, s0)), f(e.add(f(e.sub(y, x)), f(e.mul(f(e.add(y, e.mul(z, 0.1))), x))))))),
  // sin beyond its reduction's bound calls the imported Math.sin for those lanes, in each half.
  kernel(
    'demotedSine',
    f(
      e.add(
        f(e.mul(f(e.sin(e.mul(x, 1e6))), chainEnd)),
        f(e.sub(f(e.mul(chainEnd, chainEnd)), f(e.mul(f(e.add(chained, z)), f(e.sub(z, y)))))),
      ),
    ),
  ),
  kernel('demotedTanh', f(e.mul(chainEnd, f(e.add(f(e.mul(f(e.tanh(x)), y)), f(e.sub(chainEnd, product))))))),
  kernel('selected', e.select(e.greater(product, y), f(e.sqrt(product)), e.mul(z, s1))),
  kernel('neg', e.neg(f(e.sub(x, y)))),
  // Comparisons of float32 values as 32-bit masks, selects, min and max on f32x4 lanes.
  kernel('relu', e.select(e.greater(x, 0), x, e.select(e.equal(x, x), 0, x))),
  kernel('reluGradient', e.select(e.greater(y, 0), z, 0)),
  kernel('minMax', e.min(e.max(x, y), e.neg(z))),
  kernel(
    'roundings',
    f(e.add(f(e.add(e.floor(x), e.ceil(y))), f(e.sub(e.trunc(z), e.roundHalfEven(f(e.mul(x, 0.5))))))),
  ),
  kernel('logic', e.select(e.or(e.lessEqual(x, y), e.not(e.notEqual(z, z))), y, e.abs(x))),
  // Masks widened to 64 bits for double selects, one of them shared with a float32 select.
  kernel('widenedMask', e.select(e.and(e.less(x, y), e.not(e.equal(z, z))), e.mul(x, 0.01), e.mul(y, 0.1))),
  kernel(
    'sharedMask',
    e.add(
      e.select(e.greaterEqual(x, y), f(e.add(x, z)), f(e.mul(z, y))),
      e.select(e.greaterEqual(x, y), e.mul(y, 0.1), s0),
    ),
  ),
];

/** Float32 values: every 5th one special, the rest spread over many magnitudes. */
function values(count: number, seed: number): Float32Array {
  const next = random(seed);
  const special = [0, -0, 1, -1, 1.4e-45, -3e38, 3e38, Infinity, -Infinity, NaN, 1e-40, 0.1];
  return Float32Array.from({ length: count }, (_, index) =>
    index % 5 === 0
      ? special[Math.floor(next() * special.length)]!
      : (next() - 0.5) * 2 ** Math.floor(next() * 40 - 20),
  );
}

function simdAndLoop(run: () => Float32Array[]): [Float32Array[], Float32Array[]] {
  setKernelMode('simd');
  const simd = run();
  setKernelMode('scalar');
  const loop = run();
  setKernelMode('simd');
  return [simd, loop];
}

const SCALARS = [0.9, 0.999];

describe('float32 operations on f32x4 lanes', () => {
  it.skipIf(SIMD_OFF)('are what a kernel with one compiles to, and only such kernels', () => {
    const has = (instruction: number[]) => (expression: NumberExpression) => {
      const result = compileSimdExpression(expression, 3, 2);
      if (!('definition' in result)) throw new Error(result.unsupported);
      const body = result.definition.body;
      return body.some((_, index) => instruction.every((byte, offset) => body[index + offset] === byte));
    };
    const hasDivision = has([0xfd, 0xe7, 0x01]);
    const hasGreater = has([0xfd, 0x44]);
    expect(hasGreater(e.select(e.greater(x, 0), x, 0))).toBe(true);
    expect(hasGreater(e.select(e.greater(e.mul(x, y), 0), x, 0))).toBe(false);
    expect(hasDivision(f(e.div(x, y)))).toBe(true);
    // The store rounds a root, so x / y is the float32 division too; x / y + 1 is not.
    expect(hasDivision(e.div(x, y))).toBe(true);
    expect(hasDivision(e.add(e.div(x, y), 1))).toBe(false);
    // fround(x / 0.1): 0.1 is not a float32, so this is a double division rounded once.
    expect(hasDivision(f(e.div(x, 0.1)))).toBe(false);
    expect(hasDivision(e.div(f(e.mul(x, y)), e.scalar(0)))).toBe(false);
  });

  it.skipIf(SIMD_OFF)('step over quads in every case (so that the mixed paths are the ones tested)', () => {
    const V128_LOAD = [0xfd, 0x00, 0x02, 0x00];
    const stepsOverQuads = (expression: NumberExpression) => {
      const result = compileSimdExpression(expression, 3, 2);
      if (!('definition' in result)) throw new Error(result.unsupported);
      const body = result.definition.body;
      return body.some((_, index) => V128_LOAD.every((byte, offset) => body[index + offset] === byte));
    };
    expect(CASES.filter((candidate) => !stepsOverQuads(candidate.expression)).map(({ name }) => name)).toEqual([]);
    // Mostly double arithmetic keeps pairs: sigmoid's neg is its one f32x4 instruction.
    expect(stepsOverQuads(e.div(1, e.add(1, e.exp(e.neg(x)))))).toBe(false);
  });

  it.each(CASES.map((candidate) => [candidate.name, candidate] as const))(
    '%s equals the JavaScript loop bit for bit at every length',
    (_name, candidate) => {
      for (const size of [1, 2, 3, 4, 5, 6, 7, 9, 17, 1001]) {
        const inputs = [0, 1, 2].map((index) => tensor(values(size, 17 * size + index)));
        const [[simd], [loop]] = simdAndLoop(() => [fusedMap(candidate, inputs, SCALARS).dataSync() as Float32Array]);
        expectSameBits(simd!, loop!, `${candidate.name}, ${size} elements`);
      }
    },
  );

  it('in several outputs of one pass (float32 and double roots, shared parts) equal the JavaScript loop', () => {
    const kernels = [
      kernel('many.m', m),
      kernel('many.v', v),
      kernel('many.direction', e.add(e.mul(direction, s1), e.mul(x, 1e-5))),
      kernel('many.widened', e.mul(v, 3)),
    ];
    for (const size of [1, 3, 8, 2047]) {
      const inputs = [0, 1, 2].map((index) => tensor(values(size, 5 * size + index)));
      const [simd, loop] = simdAndLoop(() =>
        fusedMapMany(kernels, inputs, SCALARS).map((result) => result.dataSync() as Float32Array),
      );
      simd.forEach((result, output) => expectSameBits(result, loop[output]!, `output ${output}, ${size} elements`));
    }
  });

  it.skipIf(SIMD_OFF)(
    'give the same bits on two threads as on one and as the loop',
    async () => {
      // Odd, so that the threads' shares end in odd pairs too.
      const size = 400_001;
      const inputs = [0, 1, 2].map((index) => tensor(values(size, 99 + index)));
      const run = () => fusedMap(CASES[2]!, inputs, SCALARS).dataSync() as Float32Array;
      setThreadCount(1);
      const single = run();
      setThreadCount(2);
      expect((await kernelThreadsReady()).active).toBe(2);
      const before = kernelInfo().threads.parallelCalls;
      expectSameBits(run(), single, 'two threads against one');
      expect(kernelInfo().threads.parallelCalls).toBeGreaterThan(before);
      const [[simd], [loop]] = simdAndLoop(() => [run()]);
      expectSameBits(simd!, loop!, 'two threads against the loop');
    },
    60_000,
  );
});
