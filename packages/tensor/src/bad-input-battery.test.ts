/**
 * The tensor bad-input battery: calls a user can get wrong, each with the outcome Vane promises
 * (issue 13). Every case must end in a clear error that names the op (the message pattern starts
 * with it), or in behaviour that docs/tensor.md ("Errors and strict options") documents as
 * PyTorch's. The test asserts 0 silent acceptances and 0 unclear errors and prints the counts.
 */
import ndarray from 'ndarray';
import { runBadInputBattery, type BadInputCase } from '@vane/testkit';
import { describe, expect, it } from 'vitest';
import * as vane from './index.js';
import { seed, tensor, tree, zeros, type Tensor } from './index.js';

/** Calls `fn` with arguments the type system would refuse, as a JavaScript caller can. */
const loose = (fn: unknown) => fn as (...args: unknown[]) => unknown;

const x = tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
const image = zeros([1, 2, 5, 5]);
const kernel = zeros([3, 2, 3, 3]);
const signal = zeros([1, 2, 8]);
const kernel1d = zeros([3, 2, 3]);
const indices = tensor([0, 2], { dtype: 'int32' });

function valuesOf(result: unknown): number[] {
  return Array.from((result as Tensor).dataSync());
}

function expectShape(result: unknown, shape: number[]): void {
  expect((result as Tensor).shape).toEqual(shape);
}

const creation: BadInputCase[] = [
  {
    name: "zeros('3')",
    run: () => loose(vane.zeros)('3'),
    message: /^zeros: 'shape' must be an array of non-negative integers, got "3"/,
  },
  {
    name: 'zeros([2.5])',
    run: () => vane.zeros([2.5]),
    message: /^zeros: 'shape' must contain non-negative integers, got \[2\.5\]/,
  },
  {
    name: 'zeros([-1])',
    run: () => vane.zeros([-1]),
    message: /^zeros: 'shape' must contain non-negative integers, got \[-1\]/,
  },
  { name: 'zeros(3)', run: () => loose(vane.zeros)(3), message: /^zeros: 'shape' must be an array/ },
  {
    name: 'ones([NaN])',
    run: () => vane.ones([Number.NaN]),
    message: /^ones: 'shape' must contain non-negative integers/,
  },
  {
    name: "zeros([2], { dtype: 'float16' })",
    run: () => loose(vane.zeros)([2], { dtype: 'float16' }),
    message: /^zeros: 'dtype' must be one of bool, int32, float32, float64, got "float16"/,
  },
  {
    name: "zeros([2], { dtyp: 'int32' })",
    run: () => loose(vane.zeros)([2], { dtyp: 'int32' }),
    message: /^zeros: unknown option 'dtyp'; expected one of 'dtype', 'backend'/,
  },
  { name: 'zeros([2], 5)', run: () => loose(vane.zeros)([2], 5), message: /^zeros: options must be an object, got 5/ },
  {
    name: "zeros([2], { backend: 'tpu' })",
    run: () => loose(vane.zeros)([2], { backend: 'tpu' }),
    message: /^zeros: no backend named 'tpu' is registered/,
  },
  {
    name: 'ones([2], { requiresGrad: true })',
    run: () => loose(vane.ones)([2], { requiresGrad: true }),
    message: /^ones: unknown option 'requiresGrad'/,
  },
  {
    name: 'full([2], "7")',
    run: () => loose(vane.full)([2], '7'),
    message: /^full: 'value' must be a number or a boolean, got "7"/,
  },
  {
    name: "full([2], 3e9, { dtype: 'int32' })",
    run: () => vane.full([2], 3e9, { dtype: 'int32' }),
    message: /^full: 'value' is 3000000000, out of range for int32 \[-2147483648, 2147483647\]/,
  },
  {
    name: "full([2], NaN, { dtype: 'int32' })",
    run: () => vane.full([2], Number.NaN, { dtype: 'int32' }),
    message: /^full: 'value' is NaN, which cannot be stored as int32/,
  },
  {
    name: 'full([2], 1, { fill: 2 })',
    run: () => loose(vane.full)([2], 1, { fill: 2 }),
    message: /^full: unknown option 'fill'/,
  },
  {
    name: "full([2], 1.7, { dtype: 'int32' }) truncates",
    run: () => vane.full([2], 1.7, { dtype: 'int32' }),
    documented:
      'docs/tensor.md, Errors and strict options: a fractional value stored as int32 truncates toward zero, as torch.full(..., dtype=torch.int32)',
    check: (result) => expect(valuesOf(result)).toEqual([1, 1]),
  },
  {
    name: 'zerosLike(x, { shape: [3] })',
    run: () => loose(vane.zerosLike)(x, { shape: [3] }),
    message: /^zerosLike: unknown option 'shape'/,
  },
  {
    name: 'onesLike([1, 2])',
    run: () => loose(vane.onesLike)([1, 2]),
    message: /^onesLike: 'like' must be a Tensor, got an array of length 2/,
  },
  {
    name: "fullLike(x, 1, { dtype: 'half' })",
    run: () => loose(vane.fullLike)(x, 1, { dtype: 'half' }),
    message: /^fullLike: 'dtype' must be one of/,
  },
  {
    name: 'fullLike(x, 1, { keepdims: true })',
    run: () => loose(vane.fullLike)(x, 1, { keepdims: true }),
    message: /^fullLike: unknown option 'keepdims'/,
  },
  {
    name: "tensor([3e9], { dtype: 'int32' })",
    run: () => vane.tensor([3e9], { dtype: 'int32' }),
    message: /^tensor: 'data' holds 3000000000, out of range for int32 \[-2147483648, 2147483647\]/,
  },
  {
    name: "tensor([-3e9], { dtype: 'int32' })",
    run: () => vane.tensor([-3e9], { dtype: 'int32' }),
    message: /^tensor: 'data' holds -3000000000, out of range for int32/,
  },
  {
    name: "tensor(new Float64Array([1e10]), { dtype: 'int32' })",
    run: () => vane.tensor(new Float64Array([1e10]), { dtype: 'int32' }),
    message: /^tensor: 'data' holds 10000000000, out of range for int32/,
  },
  {
    name: "tensor([NaN], { dtype: 'int32' })",
    run: () => vane.tensor([Number.NaN], { dtype: 'int32' }),
    message: /^tensor: 'data' holds NaN, which cannot be stored as int32/,
  },
  {
    name: "tensor([Infinity], { dtype: 'int32' })",
    run: () => vane.tensor([Infinity], { dtype: 'int32' }),
    message: /^tensor: 'data' holds Infinity, which cannot be stored as int32/,
  },
  {
    name: "tensor([1.9, -1.9], { dtype: 'int32' }) truncates",
    run: () => vane.tensor([1.9, -1.9], { dtype: 'int32' }),
    documented:
      'docs/tensor.md, Errors and strict options: torch.tensor([1.9, -1.9], dtype=torch.int32) is [1, -1] too',
    check: (result) => expect(valuesOf(result)).toEqual([1, -1]),
  },
  {
    name: 'tensor([1e39]) overflows float32 to Infinity',
    run: () => vane.tensor([1e39]),
    documented:
      'docs/tensor.md, Errors and strict options: torch.tensor([1e39]) is inf too (float32 rounding, not an error)',
    check: (result) => expect(valuesOf(result)).toEqual([Infinity]),
  },
  {
    name: 'tensor([[1, 2], [3]]) (ragged)',
    run: () => vane.tensor([[1, 2], [3]]),
    message: /^tensor: 'data' is ragged: expected an array of length 2 at depth 1/,
  },
  {
    name: "tensor([1, 'a'])",
    run: () => loose(vane.tensor)([1, 'a']),
    message: /^tensor: 'data' must contain only numbers or booleans, got string a/,
  },
  {
    name: 'tensor([1, null])',
    run: () => loose(vane.tensor)([1, null]),
    message: /^tensor: 'data' must contain only numbers or booleans, got null/,
  },
  { name: 'tensor([[1], 2])', run: () => loose(vane.tensor)([[1], 2]), message: /^tensor: 'data' is ragged/ },
  {
    name: "tensor('12')",
    run: () => loose(vane.tensor)('12'),
    message: /^tensor: 'data' must be a number, a boolean, a typed array or a nested array/,
  },
  {
    name: 'tensor({ 0: 1 })',
    run: () => loose(vane.tensor)({ 0: 1 }),
    message: /^tensor: 'data' must be a number, a boolean/,
  },
  {
    name: 'tensor([1, 2, 3], { shape: [2, 2] })',
    run: () => vane.tensor([1, 2, 3], { shape: [2, 2] }),
    message: /^tensor: 'shape' \[2,2\] holds 4 elements but 'data' has 3/,
  },
  {
    name: 'tensor([1], { shap: [1] })',
    run: () => loose(vane.tensor)([1], { shap: [1] }),
    message: /^tensor: unknown option 'shap'; expected one of 'dtype', 'backend', 'shape'/,
  },
  {
    name: 'tensor(1, { requiresGrad: true })',
    run: () => loose(vane.tensor)(1, { requiresGrad: true }),
    message: /^tensor: unknown option 'requiresGrad'/,
  },
  {
    name: 'arange(0, 5, 1, { dtyp: "int32" })',
    run: () => loose(vane.arange)(0, 5, 1, { dtyp: 'int32' }),
    message: /^arange: unknown option 'dtyp'/,
  },
  { name: 'arange(0, Infinity)', run: () => vane.arange(0, Infinity), message: /^arange: 'stop' must be finite/ },
  { name: 'arange(0, 5, 0)', run: () => vane.arange(0, 5, 0), message: /^arange: 'step' must not be 0/ },
  { name: "arange('5')", run: () => loose(vane.arange)('5'), message: /^arange: 'stop' must be finite, got "5"/ },
  {
    name: "arange(5, undefined, 1, { dtype: 'float16' })",
    run: () => loose(vane.arange)(5, undefined, 1, { dtype: 'float16' }),
    message: /^arange: 'dtype' must be one of/,
  },
  {
    name: "arange(3e9, 3e9 + 2, 1, { dtype: 'int32' })",
    run: () => vane.arange(3e9, 3e9 + 2, 1, { dtype: 'int32' }),
    message: /^arange: .*3000000000, out of range for int32/,
  },
  {
    name: "arange(3, undefined, 1, { dtype: 'bool' })",
    run: () => vane.arange(3, undefined, 1, { dtype: 'bool' }),
    message: /^arange: 'dtype' must be int32, float32 or float64, got bool/,
  },
  {
    name: "linspace(0, 1, 3, { dtype: 'bool' })",
    run: () => vane.linspace(0, 1, 3, { dtype: 'bool' }),
    message: /^linspace: 'dtype' must be int32, float32 or float64, got bool/,
  },
  {
    name: 'linspace(0, 1, 2.5)',
    run: () => vane.linspace(0, 1, 2.5),
    message: /^linspace: 'count' must be a non-negative integer, got 2\.5/,
  },
  {
    name: 'linspace(0, NaN, 3)',
    run: () => vane.linspace(0, Number.NaN, 3),
    message: /^linspace: 'stop' must be finite, got NaN/,
  },
  {
    name: "linspace(0, 1, 3, { dtype: 'float16' })",
    run: () => loose(vane.linspace)(0, 1, 3, { dtype: 'float16' }),
    message: /^linspace: 'dtype' must be one of/,
  },
  {
    name: 'linspace(0, 1, 3, { endpoint: false })',
    run: () => loose(vane.linspace)(0, 1, 3, { endpoint: false }),
    message: /^linspace: unknown option 'endpoint'/,
  },
  { name: 'eye(2.5)', run: () => vane.eye(2.5), message: /^eye: 'shape' must contain non-negative integers/ },
  { name: 'eye(-1)', run: () => vane.eye(-1), message: /^eye: 'shape' must contain non-negative integers/ },
  {
    name: "eye(2, 2, { dtype: 'complex64' })",
    run: () => loose(vane.eye)(2, 2, { dtype: 'complex64' }),
    message: /^eye: 'dtype' must be one of/,
  },
  { name: 'eye(2, 2, { k: 1 })', run: () => loose(vane.eye)(2, 2, { k: 1 }), message: /^eye: unknown option 'k'/ },
];

const random: BadInputCase[] = [
  {
    name: 'randn([3], { seed: 3 })',
    run: () => loose(vane.randn)([3], { seed: 3 }),
    message: /^randn: unknown option 'seed'; expected one of 'dtype', 'backend', 'generator', 'mean', 'std'/,
  },
  {
    name: 'rand([3], { seed: 3 })',
    run: () => loose(vane.rand)([3], { seed: 3 }),
    message: /^rand: unknown option 'seed'; expected one of 'dtype', 'backend', 'generator', 'low', 'high'/,
  },
  {
    name: 'randint(0, 5, [3], { seed: 3 })',
    run: () => loose(vane.randint)(0, 5, [3], { seed: 3 }),
    message: /^randint: unknown option 'seed'/,
  },
  {
    name: 'randn([3], { generator: 3 })',
    run: () => loose(vane.randn)([3], { generator: 3 }),
    message: /^randn: 'generator' must be a RandomGenerator \(from seed\(\)\), got 3/,
  },
  {
    name: "randn([3], { dtype: 'int32' })",
    run: () => vane.randn([3], { dtype: 'int32' }),
    message: /^randn: 'dtype' must be float32 or float64, got int32/,
  },
  {
    name: "randn([3], { dtype: 'bool' })",
    run: () => vane.randn([3], { dtype: 'bool' }),
    message: /^randn: 'dtype' must be float32 or float64, got bool/,
  },
  {
    name: "rand([3], { dtype: 'int32' })",
    run: () => vane.rand([3], { dtype: 'int32' }),
    message: /^rand: 'dtype' must be float32 or float64, got int32/,
  },
  {
    name: "rand([3], { dtype: 'float16' })",
    run: () => loose(vane.rand)([3], { dtype: 'float16' }),
    message: /^rand: 'dtype' must be one of/,
  },
  {
    name: 'rand([3], { high: Infinity })',
    run: () => vane.rand([3], { high: Infinity }),
    message: /^rand: 'high' must be finite, got Infinity/,
  },
  {
    name: 'rand([3], { low: -Infinity })',
    run: () => vane.rand([3], { low: -Infinity }),
    message: /^rand: 'low' must be finite, got -Infinity/,
  },
  {
    name: 'rand([3], { low: NaN })',
    run: () => vane.rand([3], { low: Number.NaN }),
    message: /^rand: 'low' must be finite, got NaN/,
  },
  {
    name: 'rand([3], { low: 1, high: 1 })',
    run: () => vane.rand([3], { low: 1, high: 1 }),
    message: /^rand: 'high' \(1\) must be greater than 'low' \(1\)/,
  },
  {
    name: "rand([3], { high: '2' })",
    run: () => loose(vane.rand)([3], { high: '2' }),
    message: /^rand: 'high' must be finite, got "2"/,
  },
  {
    name: 'rand([3], { high: 1e39 }) (beyond float32)',
    run: () => vane.rand([3], { high: 1e39 }),
    message: /^rand: 'high' is 1e\+39, out of range for float32/,
  },
  {
    name: 'randn([3], { std: -1 })',
    run: () => vane.randn([3], { std: -1 }),
    message: /^randn: 'std' must be finite and non-negative, got -1/,
  },
  {
    name: 'randn([3], { std: Infinity })',
    run: () => vane.randn([3], { std: Infinity }),
    message: /^randn: 'std' must be finite and non-negative, got Infinity/,
  },
  {
    name: 'randn([3], { mean: NaN })',
    run: () => vane.randn([3], { mean: Number.NaN }),
    message: /^randn: 'mean' must be finite, got NaN/,
  },
  { name: 'randn([2.5])', run: () => vane.randn([2.5]), message: /^randn: 'shape' must contain non-negative integers/ },
  { name: "randn('3')", run: () => loose(vane.randn)('3'), message: /^randn: 'shape' must be an array/ },
  {
    name: 'randint(0.5, 3, [2])',
    run: () => vane.randint(0.5, 3, [2]),
    message: /^randint: need integers low < high, got low=0\.5, high=3/,
  },
  { name: 'randint(3, 3, [2])', run: () => vane.randint(3, 3, [2]), message: /^randint: need integers low < high/ },
  {
    name: 'randint(0, 3e9, [2])',
    run: () => vane.randint(0, 3e9, [2]),
    message: /^randint: 'high' is 3000000000, out of range for int32/,
  },
  {
    name: "randint(0, 2, [2], { dtype: 'bool' })",
    run: () => vane.randint(0, 2, [2], { dtype: 'bool' }),
    message: /^randint: 'dtype' must be int32, float32 or float64, got bool/,
  },
  { name: 'seed(1.5)', run: () => vane.seed(1.5), message: /^seed: 'value' must be a finite integer, got 1\.5/ },
  {
    name: 'manualSeed(NaN)',
    run: () => vane.manualSeed(Number.NaN),
    message: /^seed: 'value' must be a finite integer, got NaN/,
  },
  {
    name: 'generator.integer(0)',
    run: () => seed(1).integer(0),
    message: /^RandomGenerator\.integer: 'maxExclusive' must be a positive integer, got 0/,
  },
  {
    name: 'generator.setState([1, 2])',
    run: () => seed(1).setState([1, 2]),
    message: /^RandomGenerator\.setState: 'state' must be 4 integers and a spare normal/,
  },
];

const elementwise: BadInputCase[] = [
  {
    name: 'add([1, 2], x)',
    run: () => loose(vane.add)([1, 2], x),
    message: /^add: 'a' must be a Tensor or a number, got an array of length 2/,
  },
  {
    name: "mul(x, '2')",
    run: () => loose(vane.mul)(x, '2'),
    message: /^mul: 'b' must be a Tensor or a number, got string 2/,
  },
  {
    name: 'x.add(undefined)',
    run: () => loose(x.add.bind(x))(undefined),
    message: /^add: 'b' must be a Tensor or a number, got undefined/,
  },
  {
    name: 'sub(x, null)',
    run: () => loose(vane.sub)(x, null),
    message: /^sub: 'b' must be a Tensor or a number, got null/,
  },
  {
    name: 'add(x, zeros([4]))',
    run: () => vane.add(x, zeros([4])),
    message: /^add: shapes cannot be broadcast together: 'a' has shape \[2,3\], 'b' has shape \[4\]/,
  },
  {
    name: 'div(zeros([2, 3]), zeros([3, 2]))',
    run: () => vane.div(zeros([2, 3]), zeros([3, 2])),
    message: /^div: shapes cannot be broadcast together/,
  },
  {
    name: 'exp([1, 2])',
    run: () => loose(vane.exp)([1, 2]),
    message: /^exp: 'x' must be a Tensor, got an array of length 2/,
  },
  { name: 'relu(3)', run: () => loose(vane.relu)(3), message: /^relu: 'x' must be a Tensor, got number 3/ },
  {
    name: "leakyRelu(x, '0.1')",
    run: () => loose(vane.leakyRelu)(x, '0.1'),
    message: /^leakyRelu: 'slope' must be a finite number, got "0\.1"/,
  },
  {
    name: 'elu(x, NaN)',
    run: () => vane.elu(x, Number.NaN),
    message: /^elu: 'alpha' must be a finite number, got NaN/,
  },
  {
    name: 'where(float condition, x, 0)',
    run: () => vane.where(tensor([1, 0, 1]), tensor([1, 2, 3]), 0),
    message: /^where: 'condition' must be a bool tensor, got float32/,
  },
  {
    name: 'where(int32 condition, x, 0)',
    run: () => vane.where(tensor([1, 0], { dtype: 'int32' }), tensor([1, 2]), 0),
    message: /^where: 'condition' must be a bool tensor, got int32/,
  },
  {
    name: 'where(1, x, 0)',
    run: () => vane.where(1, x, 0),
    message: /^where: 'condition' must be a bool tensor or a boolean, got number 1/,
  },
  {
    name: "where(bool, x, 'a')",
    run: () => loose(vane.where)(vane.greater(x, 2), x, 'a'),
    message: /^where: 'b' must be a Tensor or a number/,
  },
  { name: 'clip(x)', run: () => vane.clip(x), message: /^clip: give at least one of 'min' and 'max'/ },
  { name: 'clip(x, 2, 1)', run: () => vane.clip(x, 2, 1), message: /^clip: 'min' \(2\) must not exceed 'max' \(1\)/ },
  { name: "clip(x, '0')", run: () => loose(vane.clip)(x, '0'), message: /^clip: 'min' must be a number, got "0"/ },
  {
    name: 'clip(x, NaN, 1)',
    run: () => vane.clip(x, Number.NaN, 1),
    message: /^clip: 'min' must be a number, got NaN/,
  },
  {
    name: "cast(tensor([3e9]), 'int32') is not checked",
    run: () => vane.cast(tensor([3e9]), 'int32'),
    documented:
      'docs/tensor.md, Errors and strict options: casting an out-of-range float to int32 is not checked (it would need a read-back on the GPU); PyTorch does not check either (the result is undefined there)',
    check: (result) => expect((result as Tensor).dtype).toBe('int32'),
  },
  { name: "cast(x, 'float16')", run: () => loose(vane.cast)(x, 'float16'), message: /^cast: 'dtype' must be one of/ },
  { name: "x.cast('int64')", run: () => loose(x.cast.bind(x))('int64'), message: /^cast: 'dtype' must be one of/ },
  {
    name: 'add(intTensor, 3e9) (scalar beyond int32)',
    run: () => vane.add(tensor([1], { dtype: 'int32' }), 3e9),
    message: /^add: scalar 'b' is 3000000000, out of range for int32/,
  },
];

const reductions: BadInputCase[] = [
  {
    name: 'sum(x, { axis: 1 })',
    run: () => loose(vane.sum)(x, { axis: 1 }),
    message: /^sum: 'axis' must be an integer, an array of integers or undefined, got an object/,
  },
  {
    name: "sum(x, '1')",
    run: () => loose(vane.sum)(x, '1'),
    message: /^sum: 'axis' must be an integer, an array of integers or undefined, got "1"/,
  },
  { name: 'sum(x, 1.5)', run: () => vane.sum(x, 1.5), message: /^sum: 'axis' must be an integer, got 1\.5/ },
  {
    name: 'sum(x, 2)',
    run: () => vane.sum(x, 2),
    message: /^sum: 'axis' 2 is out of range for shape \[2,3\] \(valid: -2\.\.1\)/,
  },
  { name: 'sum(x, [0, 0])', run: () => vane.sum(x, [0, 0]), message: /^sum: 'axis' contains a repeated axis/ },
  {
    name: "sum(x, [0, '1'])",
    run: () => loose(vane.sum)(x, [0, '1']),
    message: /^sum: 'axis' must be an integer, got "1"/,
  },
  {
    name: 'sum(x, 1, { keepDims: true })',
    run: () => loose(vane.sum)(x, 1, { keepDims: true }),
    message: /^sum: unknown option 'keepDims'; expected one of 'keepdims'/,
  },
  {
    name: "sum(x, 1, { keepdims: 'yes' })",
    run: () => loose(vane.sum)(x, 1, { keepdims: 'yes' }),
    message: /^sum: 'keepdims' must be a boolean, got "yes"/,
  },
  { name: 'sum(x, 1, 1)', run: () => loose(vane.sum)(x, 1, 1), message: /^sum: options must be an object, got 1/ },
  {
    name: 'x.sum(1, { keepDims: true })',
    run: () => loose(x.sum.bind(x))(1, { keepDims: true }),
    message: /^sum: unknown option 'keepDims'/,
  },
  {
    name: 'mean(x, 0, { keep_dims: true })',
    run: () => loose(vane.mean)(x, 0, { keep_dims: true }),
    message: /^mean: unknown option 'keep_dims'/,
  },
  {
    name: 'mean(x, { axis: 0 })',
    run: () => loose(vane.mean)(x, { axis: 0 }),
    message: /^mean: 'axis' must be an integer, an array of integers or undefined/,
  },
  {
    name: 'x.mean(0, { dtype: "float64" })',
    run: () => loose(x.mean.bind(x))(0, { dtype: 'float64' }),
    message: /^mean: unknown option 'dtype'/,
  },
  {
    name: 'prod(x, 0, { keepDims: true })',
    run: () => loose(vane.prod)(x, 0, { keepDims: true }),
    message: /^prod: unknown option 'keepDims'/,
  },
  {
    name: 'max(x, 0, { keepDims: true })',
    run: () => loose(vane.max)(x, 0, { keepDims: true }),
    message: /^max: unknown option 'keepDims'/,
  },
  { name: 'min(x, 5)', run: () => vane.min(x, 5), message: /^min: 'axis' 5 is out of range/ },
  {
    name: 'all(x, 0, { keepDims: true })',
    run: () => loose(vane.all)(x, 0, { keepDims: true }),
    message: /^all: unknown option 'keepDims'/,
  },
  {
    name: 'any(x, { axis: 0 })',
    run: () => loose(vane.any)(x, { axis: 0 }),
    message: /^any: 'axis' must be an integer/,
  },
  {
    name: 'variance(x, 0, { unbiased: false })',
    run: () => loose(vane.variance)(x, 0, { unbiased: false }),
    message: /^variance: unknown option 'unbiased'; expected one of 'keepdims', 'correction'/,
  },
  {
    name: 'variance(x, 0, { correction: -1 })',
    run: () => vane.variance(x, 0, { correction: -1 }),
    message: /^variance: 'correction' must be a non-negative number, got -1/,
  },
  {
    name: 'std(x, 0, { ddof: 1 })',
    run: () => loose(vane.std)(x, 0, { ddof: 1 }),
    message: /^std: unknown option 'ddof'/,
  },
  {
    name: 'logsumexp(x, 0, { keepDims: true })',
    run: () => loose(vane.logsumexp)(x, 0, { keepDims: true }),
    message: /^logsumexp: unknown option 'keepDims'/,
  },
  { name: 'norm(x, 3)', run: () => loose(vane.norm)(x, 3), message: /^norm: 'ord' must be 1, 2 or Infinity, got 3/ },
  {
    name: 'norm(x, 2, 0, { keepDims: true })',
    run: () => loose(vane.norm)(x, 2, 0, { keepDims: true }),
    message: /^norm: unknown option 'keepDims'/,
  },
  {
    name: 'norm(zeros([0]), Infinity)',
    run: () => vane.norm(zeros([0]), Infinity),
    message: /^norm: cannot take the Infinity norm over an empty axis of shape \[0\]/,
  },
  {
    name: 'argmax(x, [0])',
    run: () => loose(vane.argmax)(x, [0]),
    message: /^argmax: 'axis' must be an integer, got \[0\]/,
  },
  {
    name: 'argmax(x, 0, { keepDims: true })',
    run: () => loose(vane.argmax)(x, 0, { keepDims: true }),
    message: /^argmax: unknown option 'keepDims'/,
  },
  {
    name: 'argmin(zeros([0]))',
    run: () => vane.argmin(zeros([0])),
    message: /^argmin: cannot take argmin of an empty tensor of shape \[0\]/,
  },
  {
    name: 'max(zeros([2, 0]), 1)',
    run: () => vane.max(zeros([2, 0]), 1),
    message: /^max: cannot reduce an empty axis of shape \[2,0\]/,
  },
  { name: 'min(zeros([0]))', run: () => vane.min(zeros([0])), message: /^min: cannot reduce an empty axis/ },
  { name: 'cumsum(x, 2)', run: () => vane.cumsum(x, 2), message: /^cumsum: 'axis' 2 is out of range/ },
  {
    name: "cumprod(x, '0')",
    run: () => loose(vane.cumprod)(x, '0'),
    message: /^cumprod: 'axis' must be an integer, got "0"/,
  },
  {
    name: 'sum([1, 2])',
    run: () => loose(vane.sum)([1, 2]),
    message: /^sum: 'x' must be a Tensor, got an array of length 2/,
  },
  {
    name: 'sum(zeros([2, 0]), 1) is 0',
    run: () => vane.sum(zeros([2, 0]), 1),
    documented: 'docs/tensor.md, Errors and strict options: the sum over an empty axis is 0, as torch.sum',
    check: (result) => expect(valuesOf(result)).toEqual([0, 0]),
  },
  {
    name: 'prod(zeros([0])) is 1',
    run: () => vane.prod(zeros([0])),
    documented: 'docs/tensor.md, Errors and strict options: the product over an empty axis is 1, as torch.prod',
    check: (result) => expect(valuesOf(result)).toEqual([1]),
  },
  {
    name: 'mean(zeros([0])) is NaN',
    run: () => vane.mean(zeros([0])),
    documented: 'docs/tensor.md, Errors and strict options: the mean over an empty axis is NaN (0/0), as torch.mean',
    check: (result) => expect(valuesOf(result)).toEqual([Number.NaN]),
  },
  {
    name: 'logsumexp(zeros([2, 0]), 1) is −∞',
    run: () => vane.logsumexp(zeros([2, 0]), 1),
    documented: 'docs/tensor.md, Errors and strict options: log Σ over nothing is log 0 = −∞, as torch.logsumexp',
    check: (result) => expect(valuesOf(result)).toEqual([-Infinity, -Infinity]),
  },
];

const softmaxCases: BadInputCase[] = [
  {
    name: 'softmax(zeros([2, 0]))',
    run: () => vane.softmax(zeros([2, 0])),
    documented:
      'docs/tensor.md, Errors and strict options: softmax over an empty axis is an empty tensor, as torch.softmax',
    check: (result) => expectShape(result, [2, 0]),
  },
  {
    name: 'logSoftmax(zeros([0, 3]), 0)',
    run: () => vane.logSoftmax(zeros([0, 3]), 0),
    documented:
      'docs/tensor.md, Errors and strict options: logSoftmax over an empty axis is an empty tensor, as torch.log_softmax',
    check: (result) => expectShape(result, [0, 3]),
  },
  {
    name: 'softmax(x, 2)',
    run: () => vane.softmax(x, 2),
    message: /^softmax: 'axis' 2 is out of range for shape \[2,3\]/,
  },
  {
    name: 'softmax(x, { axis: 0 })',
    run: () => loose(vane.softmax)(x, { axis: 0 }),
    message: /^softmax: 'axis' must be an integer, got an object/,
  },
  { name: 'x.softmax(0.5)', run: () => x.softmax(0.5), message: /^softmax: 'axis' must be an integer, got 0\.5/ },
  {
    name: 'softmax(int32 tensor)',
    run: () => vane.softmax(tensor([1, 2], { dtype: 'int32' })),
    message: /^softmax: 'x' must be float32 or float64, got int32/,
  },
  {
    name: 'logSoftmax([1, 2])',
    run: () => loose(vane.logSoftmax)([1, 2]),
    message: /^logSoftmax: 'x' must be a Tensor/,
  },
  { name: 'logSoftmax(x, -3)', run: () => vane.logSoftmax(x, -3), message: /^logSoftmax: 'axis' -3 is out of range/ },
];

const movement: BadInputCase[] = [
  {
    name: 'reshape(x, [4, 2])',
    run: () => vane.reshape(x, [4, 2]),
    message: /^reshape: cannot reshape tensor of shape \[2,3\] \(6 elements\) into \[4,2\]/,
  },
  {
    name: 'reshape(x, [-1, -1])',
    run: () => vane.reshape(x, [-1, -1]),
    message: /^reshape: 'shape' \[-1,-1\] has more than one -1/,
  },
  {
    name: 'reshape(x, [-1, 4])',
    run: () => vane.reshape(x, [-1, 4]),
    message: /^reshape: cannot reshape tensor of shape \[2,3\]/,
  },
  {
    name: 'reshape(x, [2.5, 2])',
    run: () => vane.reshape(x, [2.5, 2]),
    message: /^reshape: 'shape' must contain non-negative integers/,
  },
  {
    name: "reshape(x, '6')",
    run: () => loose(vane.reshape)(x, '6'),
    message: /^reshape: 'shape' must be an array of non-negative integers, got "6"/,
  },
  {
    name: 'reshape(x, 6)',
    run: () => loose(vane.reshape)(x, 6),
    message: /^reshape: 'shape' must be an array of non-negative integers, got 6/,
  },
  {
    name: 'x.reshape([-2, 3])',
    run: () => x.reshape([-2, -3]),
    message: /^reshape: 'shape' must contain non-negative integers/,
  },
  {
    name: 'permute(x, 1)',
    run: () => loose(vane.permute)(x, 1),
    message: /^permute: 'axes' must be an array of integers, got 1/,
  },
  {
    name: 'permute(x, [0, 0])',
    run: () => vane.permute(x, [0, 0]),
    message: /^permute: 'axes' \[0,0\] is not a permutation of 0\.\.1/,
  },
  { name: 'permute(x, [0])', run: () => vane.permute(x, [0]), message: /^permute: 'axes' \[0\] must list 2 axes/ },
  {
    name: "transpose(x, '0', 1)",
    run: () => loose(vane.transpose)(x, '0', 1),
    message: /^transpose: 'axis' must be an integer, got "0"/,
  },
  { name: 'transpose(x, 0, 5)', run: () => vane.transpose(x, 0, 5), message: /^transpose: 'axis' 5 is out of range/ },
  {
    name: 'squeeze(x, 0)',
    run: () => vane.squeeze(x, 0),
    message: /^squeeze: axis 0 of shape \[2,3\] has size 2, expected 1/,
  },
  {
    name: 'squeeze(x, { axis: 0 })',
    run: () => loose(vane.squeeze)(x, { axis: 0 }),
    message: /^squeeze: 'axis' must be an integer, an array of integers or undefined/,
  },
  { name: 'unsqueeze(x, 4)', run: () => vane.unsqueeze(x, 4), message: /^unsqueeze: 'axis' 4 is out of range/ },
  {
    name: 'unsqueeze(x)',
    run: () => loose(vane.unsqueeze)(x),
    message: /^unsqueeze: 'axis' must be an integer, got undefined/,
  },
  {
    name: 'flatten(x, 1, 0)',
    run: () => vane.flatten(x, 1, 0),
    message: /^flatten: 'endAxis' \(0\) comes before 'startAxis' \(1\)/,
  },
  {
    name: 'expand(x, [4, 3])',
    run: () => vane.expand(x, [4, 3]),
    message: /^expand: cannot expand shape \[2,3\] to \[4,3\]/,
  },
  {
    name: "expand(x, 'big')",
    run: () => loose(vane.expand)(x, 'big'),
    message: /^expand: 'shape' must be an array of non-negative integers, got "big"/,
  },
  {
    name: 'broadcastTo(x, [3])',
    run: () => vane.broadcastTo(x, [3]),
    message: /^broadcastTo: cannot broadcast 'x' of shape \[2,3\] to \[3\]/,
  },
  {
    name: 'broadcastTo([1], [3])',
    run: () => loose(vane.broadcastTo)([1], [3]),
    message: /^broadcastTo: 'x' must be a Tensor/,
  },
  {
    name: 'slice(x, [0, 0, 0])',
    run: () => vane.slice(x, [0, 0, 0]),
    message: /^slice: 3 slice specs for shape \[2,3\]/,
  },
  {
    name: 'slice(x, [5])',
    run: () => vane.slice(x, [5]),
    message: /^slice: index 5 is out of range for axis 0 of size 2/,
  },
  {
    name: 'slice(x, [{ step: 0 }])',
    run: () => vane.slice(x, [{ step: 0 }]),
    message: /^slice: 'step' must be a non-zero integer, got 0/,
  },
  {
    name: 'slice(x, [{ begin: 1 }])',
    run: () => loose(vane.slice)(x, [{ begin: 1 }]),
    message: /^slice: unknown option 'begin'; expected one of 'start', 'stop', 'step'/,
  },
  {
    name: "slice(x, ['0'])",
    run: () => loose(vane.slice)(x, ['0']),
    message: /^slice: 'specs\[0\]' must be an index, null or \{ start, stop, step \}, got "0"/,
  },
  { name: 'slice(x, 0)', run: () => loose(vane.slice)(x, 0), message: /^slice: 'specs' must be an array, got 0/ },
  { name: 'flip(x, 3)', run: () => vane.flip(x, 3), message: /^flip: 'axis' 3 is out of range/ },
  {
    name: 'pad(x, [[1, -1]])',
    run: () => vane.pad(x, [[1, -1]]),
    message: /^pad: 'pads\[0\]' must be a pair of non-negative integers, got \[1,-1\]/,
  },
  {
    name: 'pad(x, 1)',
    run: () => loose(vane.pad)(x, 1),
    message: /^pad: 'pads' must be an array of \[before, after\] pairs, got 1/,
  },
  {
    name: "pad(x, [[1, 1]], 'zero')",
    run: () => loose(vane.pad)(x, [[1, 1]], 'zero'),
    message: /^pad: 'value' must be a number, got "zero"/,
  },
  { name: 'concat([])', run: () => vane.concat([]), message: /^concat: 'tensors' must be a non-empty array/ },
  { name: 'concat(x)', run: () => loose(vane.concat)(x), message: /^concat: 'tensors' must be a non-empty array/ },
  {
    name: 'concat([x, [1]])',
    run: () => loose(vane.concat)([x, [1]]),
    message: /^concat: 'tensors\[1\]' must be a Tensor/,
  },
  {
    name: 'concat([x, zeros([2, 4])], 0)',
    run: () => vane.concat([x, zeros([2, 4])], 0),
    message: /^concat: 'tensors\[1\]' has shape \[2,4\], expected \[\*,3\]/,
  },
  {
    name: 'stack([x, zeros([3, 2])])',
    run: () => vane.stack([x, zeros([3, 2])]),
    message: /^stack: 'tensors\[1\]' has shape \[3,2\], expected \[2,3\]/,
  },
  {
    name: 'split(x, 4, 1)',
    run: () => vane.split(x, 4, 1),
    message: /^split: axis 1 of size 3 cannot be split into 4 equal sections/,
  },
  {
    name: 'split(x, [1, 1], 1)',
    run: () => vane.split(x, [1, 1], 1),
    message: /^split: sizes \[1,1\] must be non-negative integers summing to 3/,
  },
  {
    name: "split(x, '2')",
    run: () => loose(vane.split)(x, '2'),
    message: /^split: 'sections' must be a positive integer or an array of sizes, got "2"/,
  },
  { name: 'chunk(x, 0)', run: () => vane.chunk(x, 0), message: /^chunk: 'chunks' must be a positive integer, got 0/ },
  {
    name: 'tile(x, [2, -1])',
    run: () => vane.tile(x, [2, -1]),
    message: /^tile: 'reps' must contain non-negative integers/,
  },
  {
    name: 'tile(x, 2)',
    run: () => loose(vane.tile)(x, 2),
    message: /^tile: 'reps' must be an array of non-negative integers, got 2/,
  },
];

const indexing: BadInputCase[] = [
  {
    name: 'gather(x, 0, float index)',
    run: () => vane.gather(x, 0, tensor([[0, 1, 0]])),
    message: /^gather: 'index' must be an int32 tensor, got float32/,
  },
  {
    name: 'gather(x, 0, [[0]])',
    run: () => loose(vane.gather)(x, 0, [[0]]),
    message: /^gather: 'index' must be a Tensor/,
  },
  {
    name: "gather(x, '0', index)",
    run: () => loose(vane.gather)(x, '0', tensor([[0]], { dtype: 'int32' })),
    message: /^gather: 'axis' must be an integer, got "0"/,
  },
  {
    name: 'gather(x, 0, index out of range)',
    run: () => vane.gather(x, 0, tensor([[5, 0, 0]], { dtype: 'int32' })),
    message: /^gather: 'index' \(shape \[1,3\]\) holds 5, out of range for axis 0 of size 2/,
  },
  {
    name: 'indexSelect(x, 0, 2-D index)',
    run: () => vane.indexSelect(x, 0, tensor([[0]], { dtype: 'int32' })),
    message: /^indexSelect: 'index' must be 1-D, got shape \[1,1\]/,
  },
  {
    name: 'indexSelect(x, 1, [0, 7])',
    run: () => vane.indexSelect(x, 1, tensor([0, 7], { dtype: 'int32' })),
    message: /^indexSelect: 'index' \(shape \[2\]\) holds 7, out of range for axis 1 of size 3/,
  },
  {
    name: 'scatterAdd(x, 0, index, [1])',
    run: () => loose(vane.scatterAdd)(x, 0, tensor([[0]], { dtype: 'int32' }), [1]),
    message: /^scatterAdd: 'source' must be a Tensor/,
  },
  {
    name: 'scatterAdd(x, 0, index out of range, source)',
    run: () => vane.scatterAdd(x, 0, tensor([[-1]], { dtype: 'int32' }), zeros([1, 1])),
    message: /^scatterAdd: 'index' \(shape \[1,1\]\) holds -1, out of range for axis 0 of size 2/,
  },
  {
    name: 'oneHot(indices, 3, { classes: 3 })',
    run: () => loose(vane.oneHot)(indices, 3, { classes: 3 }),
    message: /^oneHot: unknown option 'classes'; expected one of 'dtype'/,
  },
  {
    name: "oneHot(indices, 3, { dtype: 'float16' })",
    run: () => loose(vane.oneHot)(indices, 3, { dtype: 'float16' }),
    message: /^oneHot: 'dtype' must be one of/,
  },
  {
    name: 'oneHot(indices, 2)',
    run: () => vane.oneHot(indices, 2),
    message: /^oneHot: 'indices' holds values in \[0, 2\], expected \[0, 1\]/,
  },
  {
    name: 'oneHot(float indices, 3)',
    run: () => vane.oneHot(tensor([0, 1]), 3),
    message: /^oneHot: 'index' must be an int32 tensor, got float32/,
  },
  {
    name: 'oneHot(indices, 2.5)',
    run: () => vane.oneHot(indices, 2.5),
    message: /^oneHot: 'numClasses' must be a positive integer, got 2\.5/,
  },
  {
    name: 'triu(tensor([1, 2]))',
    run: () => vane.triu(tensor([1, 2])),
    message: /^triu: 'x' must have at least 2 axes, got shape \[2\]/,
  },
  { name: 'tril(x, 0.5)', run: () => vane.tril(x, 0.5), message: /^tril: 'diagonal' must be an integer, got 0\.5/ },
];

const linalg: BadInputCase[] = [
  {
    name: 'matmul(zeros([2, 3]), zeros([4, 5]))',
    run: () => vane.matmul(zeros([2, 3]), zeros([4, 5])),
    message: /^matmul: 'b' has shape \[4,5\], expected \[3,\*\]/,
  },
  {
    name: 'matmul(x, [[1], [2], [3]])',
    run: () => loose(vane.matmul)(x, [[1], [2], [3]]),
    message: /^matmul: 'b' must be a Tensor, got an array of length 3/,
  },
  {
    name: 'matmul(tensor(1), x)',
    run: () => vane.matmul(tensor(1), x),
    message: /^matmul: operands must have at least 1 axis/,
  },
  {
    name: 'matmul(bool, bool)',
    run: () => vane.matmul(zeros([2, 2], { dtype: 'bool' }), zeros([2, 2], { dtype: 'bool' })),
    message: /^matmul: bool operands are not supported/,
  },
  {
    name: 'dot(zeros([3]), zeros([4]))',
    run: () => vane.dot(zeros([3]), zeros([4])),
    message: /^dot: expected two 1-D tensors of equal length/,
  },
  { name: 'outer(x, zeros([2]))', run: () => vane.outer(x, zeros([2])), message: /^outer: expected two 1-D tensors/ },
];

const convolution: BadInputCase[] = [
  {
    name: 'conv2d(x, w, { strides: 2 })',
    run: () => loose(vane.conv2d)(image, kernel, { strides: 2 }),
    message: /^conv2d: unknown option 'strides'; expected one of 'stride', 'padding', 'dilation', 'groups', 'bias'/,
  },
  {
    name: 'conv2d(x, w, { pad: 1 })',
    run: () => loose(vane.conv2d)(image, kernel, { pad: 1 }),
    message: /^conv2d: unknown option 'pad'/,
  },
  {
    name: 'x.conv2d(w, { strides: 2 })',
    run: () => loose(image.conv2d.bind(image))(kernel, { strides: 2 }),
    message: /^conv2d: unknown option 'strides'/,
  },
  {
    name: 'conv2d(x, w, { stride: 0 })',
    run: () => vane.conv2d(image, kernel, { stride: 0 }),
    message: /^conv2d: 'stride' must be an integer ≥ 1 or a pair of them, got 0/,
  },
  {
    name: "conv2d(x, w, { padding: 'full' })",
    run: () => loose(vane.conv2d)(image, kernel, { padding: 'full' }),
    message: /^conv2d: 'padding' must be a number, a pair, four numbers, 'valid' or 'same', got 'full'/,
  },
  {
    name: 'conv2d(x, w, { padding: -1 })',
    run: () => vane.conv2d(image, kernel, { padding: -1 }),
    message: /^conv2d: 'padding' must be an integer ≥ 0/,
  },
  {
    name: 'conv2d(x, w, { dilation: 1.5 })',
    run: () => vane.conv2d(image, kernel, { dilation: 1.5 }),
    message: /^conv2d: 'dilation' must be an integer ≥ 1/,
  },
  {
    name: 'conv2d(x, w, { groups: 3 })',
    run: () => vane.conv2d(image, kernel, { groups: 3 }),
    message: /^conv2d: 'groups' 3 must divide the input channels \(2\)/,
  },
  {
    name: 'conv2d(x, w, { bias: [1, 2, 3] })',
    run: () => loose(vane.conv2d)(image, kernel, { bias: [1, 2, 3] }),
    message: /^conv2d: 'bias' must be a Tensor, got an array of length 3/,
  },
  {
    name: 'conv2d(x, w, { bias: zeros([2]) })',
    run: () => vane.conv2d(image, kernel, { bias: zeros([2]) }),
    message: /^conv2d: 'bias' has shape \[2\], expected \[3\]/,
  },
  {
    name: 'conv2d(3-D x, w)',
    run: () => vane.conv2d(zeros([2, 5, 5]), kernel),
    message: /^conv2d: 'x' has shape \[2,5,5\], expected \[N,C,H,W\]/,
  },
  {
    name: 'conv2d(x, w with 3 channels)',
    run: () => vane.conv2d(image, zeros([3, 3, 3, 3])),
    message: /^conv2d: 'weight' has shape \[3,3,3,3\], expected \[3,2,\*,\*\]/,
  },
  {
    name: 'conv2d(int32 x, w)',
    run: () => vane.conv2d(zeros([1, 2, 5, 5], { dtype: 'int32' }), kernel),
    message: /^conv2d: 'x' must be float32 or float64, got int32/,
  },
  {
    name: 'conv2d(x, float64 w)',
    run: () => vane.conv2d(image, zeros([3, 2, 3, 3], { dtype: 'float64' })),
    message: /^conv2d: 'weight' is float64 but 'x' is float32/,
  },
  {
    name: 'conv2d(x, 7x7 w)',
    run: () => vane.conv2d(image, zeros([3, 2, 7, 7])),
    message: /^conv2d: kernel 7x7 .* does not fit input 5x5/,
  },
  { name: 'conv2d([[1]], w)', run: () => loose(vane.conv2d)([[1]], kernel), message: /^conv2d: 'x' must be a Tensor/ },
  {
    name: 'conv2d(x, w, 2)',
    run: () => loose(vane.conv2d)(image, kernel, 2),
    message: /^conv2d: options must be an object, got 2/,
  },
  {
    name: 'conv1d(x, w, { strides: 2 })',
    run: () => loose(vane.conv1d)(signal, kernel1d, { strides: 2 }),
    message: /^conv1d: unknown option 'strides'; expected one of 'stride', 'padding', 'dilation', 'groups', 'bias'/,
  },
  {
    name: 'conv1d(x, w, { stride: 0 })',
    run: () => vane.conv1d(signal, kernel1d, { stride: 0 }),
    message: /^conv1d: 'stride' must be an integer ≥ 1, got 0/,
  },
  {
    name: 'conv1d(x, w, { stride: [1, 2] })',
    run: () => loose(vane.conv1d)(signal, kernel1d, { stride: [1, 2] }),
    message: /^conv1d: 'stride' must be an integer ≥ 1, got \[1, 2\]/,
  },
  {
    name: 'conv1d(x, w, { dilation: 0 })',
    run: () => vane.conv1d(signal, kernel1d, { dilation: 0 }),
    message: /^conv1d: 'dilation' must be an integer ≥ 1, got 0/,
  },
  {
    name: 'conv1d(x, w, { padding: -2 })',
    run: () => vane.conv1d(signal, kernel1d, { padding: -2 }),
    message: /^conv1d: 'padding' must be/,
  },
  {
    name: "conv1d(x, w, { padding: 'full' })",
    run: () => loose(vane.conv1d)(signal, kernel1d, { padding: 'full' }),
    message: /^conv1d: 'padding' must be/,
  },
  {
    name: 'conv1d(x, 9-wide w)',
    run: () => vane.conv1d(signal, zeros([3, 2, 9])),
    message: /^conv1d: kernel 9 .*does not fit input 8/,
  },
  {
    name: 'conv1d(4-D x, w)',
    run: () => vane.conv1d(image, kernel1d),
    message: /^conv1d: 'x' has shape \[1,2,5,5\], expected \[N,C,L\]/,
  },
  {
    name: 'convTranspose2d(x, w, { output_padding: 1 })',
    run: () => loose(vane.convTranspose2d)(image, zeros([2, 3, 3, 3]), { output_padding: 1 }),
    message:
      /^convTranspose2d: unknown option 'output_padding'; expected one of 'stride', 'padding', 'outputPadding', 'dilation', 'groups', 'bias'/,
  },
  {
    name: 'convTranspose2d(x, w, { outputPadding: 2 })',
    run: () => vane.convTranspose2d(image, zeros([2, 3, 3, 3]), { outputPadding: 2 }),
    message: /^convTranspose2d: 'outputPadding' \[2,2\] must be smaller than the stride or the dilation/,
  },
  {
    name: "convTranspose2d(x, w, { stride: 'two' })",
    run: () => loose(vane.convTranspose2d)(image, zeros([2, 3, 3, 3]), { stride: 'two' }),
    message: /^convTranspose2d: 'stride' must be an integer ≥ 1 or a pair of them, got "two"/,
  },
  {
    name: 'convTranspose2d(x, wrong weight)',
    run: () => vane.convTranspose2d(image, zeros([3, 3, 3, 3])),
    message: /^convTranspose2d: 'weight' has shape \[3,3,3,3\], expected \[2,Cout\/groups,kh,kw\]/,
  },
];

const pooling: BadInputCase[] = [
  {
    name: 'maxPool2d(x, 2, { strides: 2 })',
    run: () => loose(vane.maxPool2d)(image, 2, { strides: 2 }),
    message: /^maxPool2d: unknown option 'strides'; expected one of 'stride', 'padding', 'dilation'/,
  },
  {
    name: 'maxPool2d(x, 2, { ceilMode: true })',
    run: () => loose(vane.maxPool2d)(image, 2, { ceilMode: true }),
    message: /^maxPool2d: unknown option 'ceilMode'/,
  },
  {
    name: 'maxPool2d(x, 0)',
    run: () => vane.maxPool2d(image, 0),
    message: /^maxPool2d: 'kernelSize' must be an integer ≥ 1 or a pair of them, got 0/,
  },
  {
    name: "maxPool2d(x, '2')",
    run: () => loose(vane.maxPool2d)(image, '2'),
    message: /^maxPool2d: 'kernelSize' must be an integer ≥ 1 or a pair of them, got "2"/,
  },
  {
    name: 'maxPool2d(x, 2, { padding: 2 })',
    run: () => vane.maxPool2d(image, 2, { padding: 2 }),
    message: /^maxPool2d: 'padding' must be at most half the kernel size/,
  },
  {
    name: 'maxPool2d(3-D x, 2)',
    run: () => vane.maxPool2d(zeros([2, 5, 5]), 2),
    message: /^maxPool2d: 'x' has shape \[2,5,5\], expected \[N,C,H,W\]/,
  },
  {
    name: 'maxPool2d(x, 9)',
    run: () => vane.maxPool2d(image, 9),
    message: /^maxPool2d: kernel 9x9 .* does not fit input 5x5/,
  },
  {
    name: 'avgPool2d(x, 2, { count_include_pad: false })',
    run: () => loose(vane.avgPool2d)(image, 2, { count_include_pad: false }),
    message:
      /^avgPool2d: unknown option 'count_include_pad'; expected one of 'stride', 'padding', 'dilation', 'countIncludePad'/,
  },
  {
    name: "avgPool2d(x, 2, { countIncludePad: 'no' })",
    run: () => loose(vane.avgPool2d)(image, 2, { countIncludePad: 'no' }),
    message: /^avgPool2d: 'countIncludePad' must be a boolean, got "no"/,
  },
  {
    name: 'avgPool2d(int32 x, 2)',
    run: () => vane.avgPool2d(zeros([1, 1, 4, 4], { dtype: 'int32' }), 2),
    message: /^avgPool2d: 'x' must be float32 or float64, got int32/,
  },
  {
    name: 'avgPool2d(x, [2, 2, 2])',
    run: () => loose(vane.avgPool2d)(image, [2, 2, 2]),
    message: /^avgPool2d: 'kernelSize' must be an integer ≥ 1 or a pair of them/,
  },
];

const fusedAndTransfer: BadInputCase[] = [
  {
    name: 'fusedMap(kernel, [x], [], { dtyp: "float64" })',
    run: () =>
      loose(vane.fusedMap)(
        vane.defineKernel('double', { inputs: ['value'] }, ({ value }) => vane.expression.mul(2, value)),
        [x],
        [],
        { dtyp: 'float64' },
      ),
    message: /^fusedMap\(double\): unknown option 'dtyp'; expected one of 'dtype'/,
  },
  {
    name: 'fusedMap(kernel, [x, zeros([3])])',
    run: () =>
      vane.fusedMap(
        vane.defineKernel('plus', { inputs: ['a', 'b'] }, ({ a, b }) => vane.expression.add(a, b)),
        [x, zeros([3])],
      ),
    message: /^fusedMap\(plus\): 'inputs\[1\]' has shape \[3\], expected \[2,3\]/,
  },
  {
    name: 'fusedMap({ name, arity, fn }) (the removed function form)',
    run: () => loose(vane.fusedMap)({ name: 'plus', arity: 2, fn: (a: number, b: number) => a + b }, [x, x]),
    message:
      /^fusedMap\(plus\): function kernels \(\{ name, arity, fn \}\) are no longer accepted; write the kernel as an expression with defineKernel/,
  },
  {
    name: 'fusedMap({ name, arity: 1 }) without an expression',
    run: () => loose(vane.fusedMap)({ name: 'empty', arity: 1, scalarCount: 0 }, [x]),
    message:
      /^fusedMap\(empty\): 'kernel' must be an expression kernel \{ name, arity ≥ 1, scalarCount ≥ 0, expression: a number expression \}, got an object/,
  },
  {
    name: 'fusedMap(null)',
    run: () => loose(vane.fusedMap)(null, [x]),
    message: /^fusedMap: 'kernel' must be an expression kernel \{ name, arity, scalarCount, expression \}, got null/,
  },
  { name: "to(x, 'tpu')", run: () => vane.to(x, 'tpu'), message: /^to: no backend named 'tpu' is registered/ },
  {
    name: "x.to({ backend: 'cpu' })",
    run: () => loose(x.to.bind(x))({ backend: 'cpu' }),
    message: /^to: 'backendName' must be a backend name \(a string\), got an object/,
  },
  {
    name: 'toNdarray([1])',
    run: () => loose(vane.toNdarray)([1]),
    message: /^toNdarray: 't' must be a Tensor, got an array of length 1/,
  },
  {
    name: 'fromNdarray([1, 2])',
    run: () => loose(vane.fromNdarray)([1, 2]),
    message: /^fromNdarray: 'array' must be an ndarray .*got an array of length 2/,
  },
  {
    name: 'fromNdarray({})',
    run: () => loose(vane.fromNdarray)({}),
    message: /^fromNdarray: 'array' must be an ndarray/,
  },
  {
    name: 'fromNdarray(ndarray of strings)',
    run: () => vane.fromNdarray(ndarray(['a', 'b'] as unknown as number[], [2])),
    message: /^fromNdarray: 'array' holds "a", not a number/,
  },
  {
    name: "setBackend('tpu')",
    run: () => vane.setBackend('tpu'),
    message: /^setBackend: no backend named 'tpu' is registered \(available: cpu\)/,
  },
  { name: 'tidy(3)', run: () => loose(vane.tidy)(3), message: /^tidy: 'fn' must be a function, got 3/ },
  { name: 'keep([1])', run: () => loose(vane.keep)([1]), message: /^keep: 'tensor' must be a Tensor/ },
  {
    name: 'formatTensor([1])',
    run: () => loose(vane.formatTensor)([1]),
    message: /^formatTensor: 't' must be a Tensor/,
  },
  {
    name: 'x.item()',
    run: () => x.item(),
    message: /^item: tensor has shape \[2,3\] \(6 elements\), expected exactly 1/,
  },
  {
    name: 'disposed tensor',
    run: () => {
      const gone = zeros([2]);
      gone.dispose();
      return vane.add(gone, 1);
    },
    message: /^add: tensor #\d+ with shape \[2\] was disposed/,
  },
];

const trees: BadInputCase[] = [
  {
    name: 'tree.map over different structures',
    run: () => tree.map((a: Tensor) => a, { w: x }, { v: x }),
    message: /^tree\.map: tree structures differ at the root: 'others\[0\]' lacks 'w' and has extra 'v'/,
  },
  {
    name: 'tree.map with a non-function',
    run: () => loose(tree.map)(3, { w: x }),
    message: /^tree\.map: 'fn' must be a function, got 3/,
  },
  {
    name: 'tree.unflatten with too few leaves',
    run: () => tree.unflatten(tree.flatten({ a: x, b: x }).structure, [x]),
    message: /^tree\.unflatten: structure needs more than 1 leaves/,
  },
  {
    name: 'tree.unflatten with too many leaves',
    run: () => tree.unflatten(tree.flatten({ a: x }).structure, [x, x]),
    message: /^tree\.unflatten: structure has 1 leaves, got 2/,
  },
  {
    name: 'tree.assertSameStructure([x], [x, x])',
    run: () => tree.assertSameStructure('check', [x], [x, x]),
    message: /^check: tree structures differ at the root/,
  },
];

describe('tensor bad-input battery', () => {
  it('ends every case in a clear error naming the op, or in documented PyTorch behaviour', async () => {
    const report = await runBadInputBattery('tensor', [
      ...creation,
      ...random,
      ...elementwise,
      ...reductions,
      ...softmaxCases,
      ...movement,
      ...indexing,
      ...linalg,
      ...convolution,
      ...pooling,
      ...fusedAndTransfer,
      ...trees,
    ]);
    console.log(report.summary);
    expect(report.failures).toEqual([]);
    expect(report.silent).toBe(0);
    expect(report.unclear).toBe(0);
    expect(report.tried).toBeGreaterThanOrEqual(100);
  });
});
