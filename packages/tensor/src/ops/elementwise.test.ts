import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as vane from '../index.js';
import { cast, clip, tensor, where, type Tensor } from '../index.js';
import {
  broadcastRead,
  doubleValues,
  expectClose,
  fixtures,
  fromFixture,
  indices,
  naiveBroadcast,
  numbers,
  product,
  RUNS,
  shapeArbitrary,
  values,
} from '../../test/helpers.js';

type Unary = (x: Tensor) => Tensor;
type Binary = (a: Tensor | number | boolean, b: Tensor | number | boolean) => Tensor;
const unary = (name: string): Unary => (vane as unknown as Record<string, Unary>)[name]!;
const binary = (name: string): Binary => (vane as unknown as Record<string, Binary>)[name]!;

/** References written from the definitions, evaluated in float64. */
const UNARY_REFERENCES: Record<string, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: Math.sign,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(x, 0),
  silu: (x) => x / (1 + Math.exp(-x)),
  softplus: (x) => Math.log(1 + Math.exp(x)),
  floor: Math.floor,
  ceil: Math.ceil,
};

const BINARY_REFERENCES: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => a ** b,
  maximum: (a, b) => Math.max(a, b),
  minimum: (a, b) => Math.min(a, b),
  mod: (a, b) => ((a % b) + b) % b,
  equal: (a, b) => Number(a === b),
  notEqual: (a, b) => Number(a !== b),
  less: (a, b) => Number(a < b),
  lessEqual: (a, b) => Number(a <= b),
  greater: (a, b) => Number(a > b),
  greaterEqual: (a, b) => Number(a >= b),
  logicalAnd: (a, b) => Number(a !== 0 && b !== 0),
  logicalOr: (a, b) => Number(a !== 0 || b !== 0),
};
const COMPARISONS = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr'];

/** Two shapes that broadcast together: each is a suffix of `out` with some axes set to 1. */
const broadcastPair = shapeArbitrary(0, 4, 4).chain((out) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: out.length }),
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([dropA, dropB, onesA, onesB]) => ({
      a: out.slice(dropA).map((d, axis) => (onesA[axis + dropA] ? 1 : d)),
      b: out.slice(dropB).map((d, axis) => (onesB[axis + dropB] ? 1 : d)),
    })),
);

describe('unary elementwise ops', () => {
  const x = [-3.7, -1, -0.25, 0, 0.5, 1, 2.5, 9];
  const positive = [0.01, 0.5, 1, 2, 10, 1e5];
  for (const [name, reference] of Object.entries(UNARY_REFERENCES)) {
    it(`${name} matches its definition in float64 (function and method)`, () => {
      const inputs = ['log', 'sqrt', 'rsqrt'].includes(name) ? positive : x;
      const t = tensor(inputs, { dtype: 'float64' });
      const expected = inputs.map(reference);
      // softplus/sigmoid/silu are evaluated stably, so allow rounding differences from the naive form.
      expectClose(unary(name)(t), expected, { rtol: 1e-14, atol: 1e-15 }, name);
      const method = (t as unknown as Record<string, () => Tensor>)[name]!.call(t);
      expectClose(method, expected, { rtol: 1e-14, atol: 1e-15 }, `${name} method`);
    });
  }

  it('every special function matches PyTorch 1.13 in float64, extremes included', () => {
    const section = fixtures.unary;
    const input = fromFixture(section.x);
    const cases: [string, (t: Tensor) => Tensor][] = [
      ['gelu', vane.gelu],
      ['erf', vane.erf],
      ['softplus', vane.softplus],
      ['sigmoid', vane.sigmoid],
      ['elu', (t) => vane.elu(t)],
      ['silu', vane.silu],
      ['tanh', vane.tanh],
      ['relu', vane.relu],
      ['leakyRelu', (t) => vane.leakyRelu(t)],
      ['elu_alpha_0.5', (t) => vane.elu(t, 0.5)],
      ['leakyRelu_slope_0.2', (t) => vane.leakyRelu(t, 0.2)],
    ];
    for (const [name, fn] of cases) {
      const out = fn(input);
      expect(out.dtype).toBe('float64');
      // 1e-12 relative; the absolute floor covers gelu's cancellation in 1 + erf(x/√2) for x ≪ 0,
      // where PyTorch itself returns −0 for a true value of about −1e-23.
      expectClose(out, numbers(section.float64[name]), { rtol: 1e-12, atol: 1e-15 }, name);
    }
  });

  it('special functions in float32 are finite at ±1e4 and accurate to float32 rounding', () => {
    const section = fixtures.unary;
    const input = fromFixture(section.x, 'float32');
    const cases: [string, (t: Tensor) => Tensor][] = [
      ['gelu', vane.gelu],
      ['erf', vane.erf],
      ['softplus', vane.softplus],
      ['sigmoid', vane.sigmoid],
      ['elu', (t) => vane.elu(t)],
      ['silu', vane.silu],
      ['tanh', vane.tanh],
    ];
    for (const [name, fn] of cases) {
      const out = fn(input);
      expect(out.dtype).toBe('float32');
      expect(values(out).every(Number.isFinite), `${name} finite`).toBe(true);
      // Vane evaluates in float64 and rounds once, so it is within float32 rounding of the
      // float64 reference (atol covers gelu's −0 vs −1e-23 and float32 subnormals).
      expectClose(out, numbers(section.float64[name]), { rtol: 2e-7, atol: 1e-15 }, `${name} vs float64`);
      // PyTorch's own float32 kernels lose up to ~5e-5 relative in gelu's 1 + erf cancellation.
      expectClose(out, numbers(section.float32[name]), { rtol: 1e-4, atol: 1e-7 }, `${name} vs float32`);
    }
  });

  it('log1p and expm1 keep full precision near 0 (PyTorch reference)', () => {
    const section = fixtures.unary;
    const input = fromFixture(section.smallX);
    expectClose(vane.log1p(input), numbers(section.log1p), { rtol: 1e-15 }, 'log1p');
    expectClose(vane.expm1(input), numbers(section.expm1), { rtol: 1e-15 }, 'expm1');
  });

  it('round is half-to-even, as NumPy and PyTorch', () => {
    const section = fixtures.round;
    const out = vane.round(fromFixture(section.x));
    expectClose(out, numbers(section.numpy), { rtol: 0, atol: 0 }, 'numpy');
    expectClose(out, numbers(section.torch), { rtol: 0, atol: 0 }, 'torch');
    expectClose(vane.round(tensor([0.5, 1.5, 2.5, -0.5, -1.5])), [0, 2, 2, 0, -2], { rtol: 0, atol: 0 });
  });

  it('sign, relu and the comparisons handle NaN as PyTorch does', () => {
    const t = tensor([Number.NaN, -2, 0, 3]);
    expect(Number.isNaN(values(vane.sign(t))[0]!)).toBe(true);
    expect(values(vane.sign(t)).slice(1)).toEqual([-1, 0, 1]);
    expect(Number.isNaN(values(vane.relu(t))[0]!)).toBe(true);
    expect(vane.isNaN(t).toArray()).toEqual([true, false, false, false]);
    expect(vane.isFinite(tensor([Number.NaN, Infinity, -Infinity, 1])).toArray()).toEqual([false, false, false, true]);
    expect(vane.equal(t, t).toArray()).toEqual([false, true, true, true]);
  });

  it('logicalNot maps zero to true and everything else to false', () => {
    const out = vane.logicalNot(tensor([0, 1, -2, 0.5]));
    expect(out.dtype).toBe('bool');
    expect(out.toArray()).toEqual([true, false, false, false]);
  });

  it('result dtypes: transcendental ops of int32 give float32; abs/neg/square keep int32', () => {
    const ints = tensor([1, -2, 3], { dtype: 'int32' });
    for (const name of ['exp', 'log', 'sqrt', 'sin', 'sigmoid', 'gelu', 'erf', 'reciprocal']) {
      expect(unary(name)(ints).dtype, name).toBe('float32');
    }
    for (const name of ['abs', 'neg', 'square', 'relu', 'sign']) expect(unary(name)(ints).dtype, name).toBe('int32');
    expect(vane.abs(ints).toArray()).toEqual([1, 2, 3]);
    expect(vane.exp(tensor([1], { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('clip clamps to [min, max] with either bound optional', () => {
    const t = tensor([-3, -1, 0, 2, 5]);
    expect(clip(t, -1, 2).toArray()).toEqual([-1, -1, 0, 2, 2]);
    expect(clip(t, 0).toArray()).toEqual([0, 0, 0, 2, 5]);
    expect(clip(t, undefined, 1).toArray()).toEqual([-3, -1, 0, 1, 1]);
    expect(t.clip(-2, -2).toArray()).toEqual([-2, -2, -2, -2, -2]);
  });

  it('cast truncates toward zero and maps non-zero (and NaN) to true', () => {
    expect(cast(tensor([-1.7, -0.2, 0.9, 2.5]), 'int32').toArray()).toEqual([-1, 0, 0, 2]);
    expect(cast(tensor([0, -0.5, Number.NaN, 3]), 'bool').toArray()).toEqual([false, true, true, true]);
    expect(cast(tensor([true, false]), 'float64').toArray()).toEqual([1, 0]);
  });
});

describe('binary elementwise ops with NumPy broadcasting', () => {
  for (const [name, reference] of Object.entries(BINARY_REFERENCES)) {
    it(`${name} equals its definition at every broadcast position`, () => {
      fc.assert(
        fc.property(
          broadcastPair.chain(({ a, b }) =>
            fc.tuple(fc.constant(a), fc.constant(b), doubleValues(product(a), 5), doubleValues(product(b), 5)),
          ),
          ([shapeA, shapeB, dataA, dataB]) => {
            // Small integers make ties and exact comparisons likely; pow needs a positive base.
            const left = dataA.map((v) => (name === 'pow' ? Math.abs(v) + 0.5 : Math.round(v)));
            const right = dataB.map((v) =>
              name === 'mod' || name === 'div' ? Math.round(v) || 1 : name === 'pow' ? v / 2 : Math.round(v),
            );
            const a = tensor(left, { shape: shapeA, dtype: 'float64' });
            const b = tensor(right, { shape: shapeB, dtype: 'float64' });
            const out = binary(name)(a, b);
            const outShape = naiveBroadcast(shapeA, shapeB)!;
            expect(out.shape).toEqual(outShape);
            expect(out.dtype).toBe(COMPARISONS.includes(name) ? 'bool' : 'float64');
            const expected = indices(outShape).map((index) =>
              reference(broadcastRead(left, shapeA, index), broadcastRead(right, shapeB, index)),
            );
            expectClose(out, expected, { rtol: 1e-14, atol: 1e-14 }, name);
          },
        ),
        { numRuns: 25 },
      );
    });
  }

  it('broadcasting is symmetric: a + b equals b + a, shapes included', () => {
    fc.assert(
      fc.property(broadcastPair, ({ a, b }) => {
        const x = vane.randn(a, { generator: vane.seed(1) });
        const y = vane.randn(b, { generator: vane.seed(2) });
        const left = vane.add(x, y);
        const right = vane.add(y, x);
        expect(left.shape).toEqual(right.shape);
        expect(values(left)).toEqual(values(right));
      }),
      RUNS,
    );
  });

  it('broadcasting an operand explicitly changes nothing: a * b == a * broadcastTo(b, shape)', () => {
    fc.assert(
      fc.property(broadcastPair, ({ a, b }) => {
        const x = vane.randn(a, { generator: vane.seed(3) });
        const y = vane.randn(b, { generator: vane.seed(4) });
        const shape = naiveBroadcast(a, b)!;
        expect(values(vane.mul(x, y))).toEqual(
          values(vane.mul(vane.broadcastTo(x, shape), vane.broadcastTo(y, shape))),
        );
      }),
      RUNS,
    );
  });

  it('a scalar broadcasts like a 0-d tensor, on either side', () => {
    fc.assert(
      fc.property(shapeArbitrary(0, 3, 4), fc.integer({ min: -5, max: 5 }), (shape, scalar) => {
        const x = vane.randn(shape, { generator: vane.seed(5) });
        const scalarTensor = tensor(scalar);
        expect(values(vane.sub(x, scalar))).toEqual(values(vane.sub(x, scalarTensor)));
        expect(values(vane.sub(scalar, x))).toEqual(values(vane.sub(scalarTensor, x)));
        expect(vane.sub(scalar, x).shape).toEqual(shape);
      }),
      RUNS,
    );
  });

  it('shapes that do not broadcast are rejected', () => {
    fc.assert(
      fc.property(shapeArbitrary(1, 3, 4), fc.integer({ min: 0, max: 2 }), (shape, which) => {
        const axis = which % shape.length;
        const other = [...shape];
        other[axis] = shape[axis]! + 1;
        if (shape[axis] === 1) other[axis] = 3; // 1 broadcasts; make both sides > 1
        const a = vane.zeros(shape[axis] === 1 ? shape.map((d, i) => (i === axis ? 2 : d)) : shape);
        expect(() => vane.add(a, vane.zeros(other))).toThrow(/add: shapes cannot be broadcast/);
      }),
      RUNS,
    );
  });

  it('mod takes the sign of the divisor, matching torch.remainder for floats and ints', () => {
    const section = fixtures.mod;
    const a = vane.reshape(fromFixture(section.a), [-1, 1]);
    const b = fromFixture(section.b);
    expectClose(vane.mod(a, b), numbers(section.out), { rtol: 1e-15, atol: 1e-15 }, 'float');
    const ai = vane.reshape(fromFixture(section.aInt, 'int32'), [-1, 1]);
    const bi = fromFixture(section.bInt, 'int32');
    const outInt = vane.mod(ai, bi);
    expect(outInt.dtype).toBe('int32');
    expect(values(outInt)).toEqual(numbers(section.outInt));
    expect(values(outInt)).toEqual(numbers(section.numpyInt));
  });

  it('maximum and minimum propagate NaN (torch.maximum semantics)', () => {
    const a = tensor([Number.NaN, 1, 2]);
    const b = tensor([0, Number.NaN, 3]);
    expect(values(vane.maximum(a, b)).map((v) => (Number.isNaN(v) ? 'nan' : v))).toEqual(['nan', 'nan', 3]);
    expect(values(vane.minimum(a, b)).map((v) => (Number.isNaN(v) ? 'nan' : v))).toEqual(['nan', 'nan', 2]);
  });

  it('promotes dtypes: int32+float32 → float32, float32+float64 → float64, int/int division → float32', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    const f = tensor([0.5, 0.25]);
    const d = tensor([1, 1], { dtype: 'float64' });
    expect(vane.add(i, f).dtype).toBe('float32');
    expect(vane.add(f, d).dtype).toBe('float64');
    expect(vane.add(i, i).dtype).toBe('int32');
    const quotient = vane.div(tensor([1, 7], { dtype: 'int32' }), tensor([2, 2], { dtype: 'int32' }));
    expect(quotient.dtype).toBe('float32');
    expect(quotient.toArray()).toEqual([0.5, 3.5]);
  });

  it('JS scalars are weakly typed: they adopt the tensor dtype unless they need a wider one', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(vane.add(i, 3).dtype).toBe('int32');
    expect(vane.add(i, 0.5).dtype).toBe('float32');
    expect(vane.add(i, 0.5).toArray()).toEqual([1.5, 2.5]);
    const d = tensor([1], { dtype: 'float64' });
    expect(vane.mul(d, 0.1).dtype).toBe('float64');
    expect(vane.mul(d, 0.1).item()).toBe(0.1);
    expect(vane.add(2, 3).item()).toBe(5);
  });

  it('a bool tensor plus an integer scalar counts in integers (as NumPy/PyTorch), not in bools', () => {
    const mask = tensor([true, false]);
    const sum = vane.add(mask, 5);
    expect(sum.dtype).toBe('int32');
    expect(sum.toArray()).toEqual([6, 5]);
    expect(vane.mul(mask, 3).toArray()).toEqual([3, 0]);
    expect(vane.sub(5, mask).toArray()).toEqual([4, 5]);
    expect(vane.equal(mask, 1).toArray()).toEqual([true, false]);
  });

  it('every binary op is also a Tensor method taking a scalar', () => {
    const t = tensor([1, 2, 3], { dtype: 'float64' });
    for (const [name, reference] of Object.entries(BINARY_REFERENCES)) {
      const method = (t as unknown as Record<string, (other: number) => Tensor>)[name]!;
      expectClose(
        method.call(t, 2),
        [1, 2, 3].map((v) => reference(v, 2)),
        {},
        name,
      );
    }
  });
});

describe('where', () => {
  it('selects with broadcasting of condition, a and b', () => {
    fc.assert(
      fc.property(shapeArbitrary(1, 3, 3), (shape) => {
        const a = vane.randn(shape, { generator: vane.seed(7), dtype: 'float64' });
        const b = vane.randn([shape[shape.length - 1]!], { generator: vane.seed(8), dtype: 'float64' });
        const condition = vane.greater(a, 0);
        const out = where(condition, a, b);
        expect(out.shape).toEqual(shape);
        const av = values(a);
        const bv = values(b);
        const expected = indices(shape).map((index, flat) =>
          av[flat]! > 0 ? av[flat]! : bv[index[index.length - 1]!]!,
        );
        expect(values(out)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('accepts scalars for any argument', () => {
    const condition = tensor([true, false, true]);
    expect(where(condition, 1, 0).toArray()).toEqual([1, 0, 1]);
    expect(where(condition, tensor([5, 6, 7]), -1).toArray()).toEqual([5, -1, 7]);
    expect(where(true, tensor([5, 6]), 0).toArray()).toEqual([5, 6]);
    expect(where(tensor([[true], [false]]), tensor([1, 2]), tensor([3, 4])).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
