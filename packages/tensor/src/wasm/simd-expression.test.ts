/**
 * Expression kernels on WebAssembly SIMD against the JavaScript loop (the scalar mode), bit for
 * bit: both evaluate the tree in float64 with the same IEEE operations and round once. Also:
 * every function of the language compiles, and what does not compile (a function refused for
 * the test) is counted in kernelInfo().fallbacks with its reason, never silent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  expression as e,
  fusedMap,
  kernelInfo,
  resetKernelFallbacks,
  setKernelMode,
  tensor,
  type ExpressionKernel,
  type NumberExpression,
} from '../index.js';
import {
  JAVASCRIPT_BINARY_CALLS,
  JAVASCRIPT_BINARY_OPERATORS,
  JAVASCRIPT_UNARY_CALLS,
} from '../kernels/expression/compile-javascript.js';
import type { BinaryFunction, UnaryFunction } from '../kernels/expression/expression.js';
import { compileSimdExpression, refuseSimdFunctionsForTesting } from './simd-expression.js';
import { compileFusedKernel, simdUnsupportedReason } from './simd-fused.js';
import { simdKernels } from './kernel-runtime.js';

// Under VANE_KERNELS=scalar (or setKernelMode('scalar')) there are no SIMD kernels to check.
const SIMD_OFF = simdKernels() === undefined;

afterEach(() => setKernelMode('simd'));

const x = e.input(0);
const y = e.input(1);
const SPECIAL = [
  0,
  -0,
  0.5,
  -0.5,
  1.5,
  -1.5,
  2.5,
  -2.5,
  3.5,
  1,
  -1,
  7.25,
  -7.75,
  1e-45,
  -1e-45,
  3.4e38,
  -3.4e38,
  Infinity,
  -Infinity,
  NaN,
  8388607.5,
  -8388608.5,
  0.49999997,
];

function kernel(name: string, expression: NumberExpression, arity = 2, scalarCount = 0): ExpressionKernel {
  return { name: `test.simdExpression.${name}`, arity, scalarCount, expression };
}

const unaryNode = (name: UnaryFunction, operand: NumberExpression): NumberExpression => ({
  type: 'number',
  kind: 'unary',
  function: name,
  operand,
});
const binaryNode = (name: BinaryFunction, left: NumberExpression, right: NumberExpression): NumberExpression => ({
  type: 'number',
  kind: 'binary',
  function: name,
  left,
  right,
});

function bitsOf(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

const shared = e.mul(x, y);
const CASES: ExpressionKernel[] = [
  kernel('floor', e.floor(x), 1),
  kernel('ceil', e.ceil(x), 1),
  kernel('trunc', e.trunc(x), 1),
  kernel('roundHalfEven', e.roundHalfEven(x), 1),
  kernel('fround', e.sub(e.fround(e.div(x, 3)), e.div(x, 3)), 1),
  kernel('minMax', e.add(e.min(x, y), e.max(e.neg(x), e.abs(y)))),
  kernel(
    'logic',
    e.select(e.or(e.and(e.greater(x, 0), e.lessEqual(y, 1)), e.not(e.equal(x, x))), e.sqrt(e.abs(x)), e.div(y, 7)),
  ),
  kernel(
    'compareAll',
    e.add(e.select(e.less(x, y), 1, 2), e.select(e.greaterEqual(x, y), 4, e.select(e.notEqual(x, y), 8, 16))),
  ),
  kernel('shared', e.div(shared, e.add(1, e.abs(shared)))),
  kernel('scalars', e.add(e.mul(x, e.scalar(0)), e.mul(e.scalar(1), 0.1)), 2, 2),
  kernel('unreadInput', e.mul(y, 3)),
];

describe('expression kernels on WebAssembly SIMD', () => {
  it.skipIf(SIMD_OFF)('compiles every case', () => {
    for (const candidate of CASES)
      expect([candidate.name, typeof compileFusedKernel(candidate)]).toEqual([candidate.name, 'function']);
  });

  it.each(CASES.map((candidate) => [candidate.name, candidate] as const))(
    '%s equals the JavaScript loop bit for bit',
    (_name, candidate) => {
      const a = tensor(SPECIAL.flatMap((first) => SPECIAL.map(() => first)));
      const b = tensor(SPECIAL.flatMap(() => SPECIAL));
      const inputs = [a, b].slice(0, candidate.arity);
      const scalars = [0.3, -2].slice(0, candidate.scalarCount);
      const simd = fusedMap(candidate, inputs, scalars).dataSync() as Float32Array;
      setKernelMode('scalar');
      const reference = fusedMap(candidate, inputs, scalars).dataSync() as Float32Array;
      expect(bitsOf(simd)).toEqual(bitsOf(reference));
    },
  );

  it.skipIf(SIMD_OFF)('compiles every unary and binary function of the language (none falls back)', () => {
    const unary = Object.keys(JAVASCRIPT_UNARY_CALLS) as UnaryFunction[];
    const binary = [
      ...Object.keys(JAVASCRIPT_BINARY_OPERATORS),
      ...Object.keys(JAVASCRIPT_BINARY_CALLS),
    ] as BinaryFunction[];
    expect(unary).toContain('tan');
    expect(binary).toContain('pow');
    const refused = [
      ...unary.map((name) => [name, compileSimdExpression(unaryNode(name, x), 1, 0)] as const),
      ...binary.map((name) => [name, compileSimdExpression(binaryNode(name, x, y), 2, 0)] as const),
    ].filter(([, result]) => 'unsupported' in result);
    expect(refused).toEqual([]);
  });

  it('counts each call that falls back, per kernel, with the reason, and still computes the right values', (context) => {
    if (!kernelInfo().simdAvailable) context.skip('WebAssembly SIMD is unavailable here');
    resetKernelFallbacks();
    const tangent = kernel('tan', e.tan(x), 1);
    // Every function compiles now: the test refuses tan to reach the fallback path.
    const restore = refuseSimdFunctionsForTesting(['tan']);
    try {
      expect(simdUnsupportedReason(tangent)).toBe("'tan' has no WebAssembly SIMD implementation");
      const values = fusedMap(tangent, [tensor([0, 1])]).dataSync();
      fusedMap(tangent, [tensor([2])]);
      expect(Array.from(values)).toEqual([0, Math.fround(Math.tan(1))]);
      expect(kernelInfo().fallbacks).toContainEqual({
        kernel: 'test.simdExpression.tan',
        target: 'simd',
        ranOn: 'javascript',
        reason: "'tan' has no WebAssembly SIMD implementation",
        count: 2,
      });
      // A kernel that compiles, and scalar mode (a choice, not a fallback), count nothing.
      fusedMap(CASES[0]!, [tensor([1.5])]);
      setKernelMode('scalar');
      fusedMap(tangent, [tensor([3])]);
      expect(kernelInfo().fallbacks.map((entry) => [entry.kernel, entry.count])).toEqual([
        ['test.simdExpression.tan', 2],
      ]);
    } finally {
      restore();
      setKernelMode('simd');
    }
    // Once the refusal ends, the cached kernel is compiled again and runs on SIMD.
    expect(simdUnsupportedReason(tangent)).toBeUndefined();
    fusedMap(tangent, [tensor([0, 1])]);
    expect(kernelInfo().fallbacks.map((entry) => [entry.kernel, entry.count])).toEqual([
      ['test.simdExpression.tan', 2],
    ]);
  });
});
