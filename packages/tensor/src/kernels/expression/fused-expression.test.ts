/**
 * fusedMap runs expression kernels: the same values as a plain JavaScript loop over the same
 * formula (float64 arithmetic, one rounding to the output dtype), on float64 and on float32 in
 * both kernel modes, and clear errors for a signature mismatch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  expression as e,
  fusedMap,
  randn,
  seed,
  setKernelMode,
  type ExpressionKernel,
  type Tensor,
} from '../../index.js';

afterEach(() => setKernelMode('simd'));

const m = e.input(0);
const v = e.input(1);
const p = e.input(2);
const ADAM_AFFINE: ExpressionKernel = {
  name: 'test.expression.adamAffine',
  arity: 3,
  scalarCount: 5,
  // scale · ((m / c1) / (√(v / c2) + eps)) + paramScale · p
  expression: e.add(
    e.mul(e.scalar(3), e.div(e.div(m, e.scalar(0)), e.add(e.sqrt(e.div(v, e.scalar(1))), e.scalar(2)))),
    e.mul(e.scalar(4), p),
  ),
};
// The same formula as a JavaScript function, for the reference loop.
function adamAffine(
  m: number,
  v: number,
  p: number,
  c1: number,
  c2: number,
  eps: number,
  scale: number,
  paramScale: number,
): number {
  return scale * (m / c1 / (Math.sqrt(v / c2) + eps)) + paramScale * p;
}
const SCALARS = [0.9, 0.99, 1e-8, -1e-3, 0.999];

function bits(t: Tensor): string {
  const values = t.dataSync();
  return Array.from(values, (value) => (Object.is(value, -0) ? '-0' : String(value))).join(',');
}

describe('fusedMap with an expression kernel', () => {
  it.each(['float64', 'float32'] as const)(
    'equals a JavaScript loop over the formula bit for bit on %s, in both kernel modes',
    (dtype) => {
      seed(3);
      const inputs = [randn([257], { dtype }), randn([257], { dtype }).abs(), randn([257], { dtype })];
      const [m, v, p] = inputs.map((input) => input.dataSync());
      const reference = (dtype === 'float32' ? new Float32Array(257) : new Float64Array(257)).map((_, index) =>
        adamAffine(m![index]!, v![index]!, p![index]!, SCALARS[0]!, SCALARS[1]!, SCALARS[2]!, SCALARS[3]!, SCALARS[4]!),
      );
      const expected = Array.from(reference, (value) => (Object.is(value, -0) ? '-0' : String(value))).join(',');
      for (const mode of ['simd', 'scalar'] as const) {
        setKernelMode(mode);
        expect(bits(fusedMap(ADAM_AFFINE, inputs, SCALARS))).toBe(expected);
      }
    },
  );

  it('refuses a wrong number of inputs or scalars, and an expression that reads past its signature', () => {
    const x = randn([3]);
    expect(() => fusedMap(ADAM_AFFINE, [x, x], SCALARS)).toThrow(
      'fusedMap(test.expression.adamAffine): expected 3 inputs, got 2',
    );
    expect(() => fusedMap(ADAM_AFFINE, [x, x, x], [1])).toThrow(
      'fusedMap(test.expression.adamAffine): expected 5 scalars, got 1',
    );
    const reading: ExpressionKernel = {
      name: 'test.expression.reads',
      arity: 1,
      scalarCount: 0,
      expression: e.mul(e.input(0), e.scalar(0)),
    };
    expect(() => fusedMap(reading, [x], [])).toThrow(
      'fusedMap(test.expression.reads): the expression reads scalar(0) but the kernel has 0 scalars',
    );
  });
});
