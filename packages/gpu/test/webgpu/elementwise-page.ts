/**
 * Battery page: the elementwise primitives of the `webgpu` backend (upload, copy, unary, binary,
 * where, fused kernels) on contiguous, broadcast, transposed, sliced and flipped views, in
 * float32, int32 and bool. See battery.ts.
 */
import * as vane from '@vane/tensor';
import { cast, defineKernel, expression as e, flip, fusedMap, slice, tensor, transpose, where } from '@vane/tensor';
import { reportBattery, seededValues, type BatteryCase } from './battery.js';

const UNARY = [
  'neg',
  'abs',
  'sign',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'rsqrt',
  'square',
  'reciprocal',
  'sin',
  'cos',
  'tan',
  'tanh',
  'sigmoid',
  'relu',
  'elu',
  'gelu',
  'silu',
  'softplus',
  'erf',
  'floor',
  'ceil',
  'round',
  'mish',
] as const;
const POSITIVE_ONLY = new Set(['log', 'sqrt', 'rsqrt']);
const TRIGONOMETRIC = new Set(['sin', 'cos', 'tan']);
const BINARY = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'mod',
  'equal',
  'notEqual',
  'less',
  'lessEqual',
  'greater',
  'greaterEqual',
  'logicalAnd',
  'logicalOr',
] as const;

const matrix = (rows: number, columns: number, seed: number, low = -3, high = 3) =>
  tensor(seededValues(rows * columns, seed, low, high)).reshape([rows, columns]);

const cases: BatteryCase[] = [
  { name: 'upload and read float32', run: () => matrix(3, 5, 1) },
  { name: 'upload and read int32', run: () => tensor([1, -2, 3, 2 ** 30], { dtype: 'int32' }) },
  { name: 'upload and read bool', run: () => tensor([1, 0, 1, 1, 0], { dtype: 'bool' }) },
  { name: 'empty tensor', run: () => tensor([]).exp() },
  ...UNARY.map((name): BatteryCase => ({
    name: `unary ${name}`,
    run: () => {
      const x = POSITIVE_ONLY.has(name) ? matrix(7, 9, 2, 0.01, 5) : matrix(7, 9, 2);
      return (vane as unknown as Record<string, (x: vane.Tensor) => vane.Tensor>)[name]!(x);
    },
    // WGSL allows exp and log a few ulps, and sin/cos an absolute error of 2^-11 on [-π, π]
    // (SwiftShader uses about half of it; tan inherits it through sin/cos); erf (and gelu
    // through it) is a 1.5e-7 polynomial.
    tolerance: TRIGONOMETRIC.has(name) ? { absolute: 2 ** -11, relative: 1e-3 } : { absolute: 2e-6, relative: 2e-5 },
  })),
  { name: 'unary leakyRelu (parameter)', run: () => vane.leakyRelu(matrix(4, 4, 3), 0.2) },
  {
    name: 'unary isNaN, isFinite, logicalNot over NaN and infinities',
    run: () => {
      const x = tensor([0, 1, NaN, Infinity, -Infinity, -2]);
      return [vane.isNaN(x), vane.isFinite(x), vane.logicalNot(x)];
    },
  },
  ...BINARY.map((name): BatteryCase => ({
    name: `binary ${name} with a broadcast row`,
    run: () => {
      const op = (vane as unknown as Record<string, (a: vane.Tensor, b: vane.Tensor) => vane.Tensor>)[name]!;
      const a =
        name === 'pow' ? matrix(5, 6, 4, 0.1, 2) : tensor(seededValues(30, 4, -3, 3).map(Math.round)).reshape([5, 6]);
      const b =
        name === 'pow' ? matrix(1, 6, 5, -2, 2) : tensor(seededValues(6, 5, -3, 3).map(Math.round)).reshape([1, 6]);
      return op(a, name === 'div' || name === 'mod' ? b.add(10) : b);
    },
    tolerance: { absolute: 1e-5, relative: 2e-5 },
  })),
  {
    name: 'pow of negative bases with integer exponents, and zero bases',
    run: () => vane.pow(tensor([-2, -2, -3, 0, 0, 2, -0.5]), tensor([2, 3, 3, 2, -1, 0.5, -2])),
  },
  {
    name: 'maximum and minimum propagate NaN',
    run: () => [
      vane.maximum(tensor([1, NaN, 3]), tensor([NaN, 2, 1])),
      vane.minimum(tensor([1, NaN, 3]), tensor([2, 2, NaN])),
    ],
  },
  { name: 'add over a transposed view', run: () => transpose(matrix(6, 4, 6)).add(matrix(4, 6, 7)) },
  {
    name: 'exp over a sliced view',
    run: () =>
      slice(matrix(8, 10, 8), [
        { start: 1, stop: 7 },
        { start: 2, stop: 9, step: 3 },
      ]).exp(),
  },
  { name: 'mul over a flipped view (negative strides)', run: () => flip(matrix(5, 7, 9), 1).mul(matrix(5, 7, 10)) },
  {
    name: 'rank-4 broadcast from both sides',
    run: () =>
      tensor(seededValues(2 * 1 * 4 * 1, 11))
        .reshape([2, 1, 4, 1])
        .sub(tensor(seededValues(3 * 1 * 5, 12)).reshape([3, 1, 5])),
  },
  {
    name: 'int32 arithmetic',
    run: () => tensor([5, -7, 9, 100], { dtype: 'int32' }).mul(tensor([3, 2, -4, 7], { dtype: 'int32' })),
  },
  {
    name: 'casts between float32, int32 and bool',
    run: () => {
      const x = tensor([-2.7, -0.2, 0, -0, 0.5, 3.9, NaN]);
      // NaN to int32 is left out: the CPU gives 0, WGSL leaves it undefined.
      return [cast(x, 'bool'), cast(cast(x, 'bool'), 'float32'), cast(slice(x, [{ start: 0, stop: 6 }]), 'int32')];
    },
  },
  {
    name: 'where with a bool condition and broadcast branches',
    run: () => where(matrix(4, 5, 13).greater(0), matrix(4, 5, 14), tensor([[-1], [-2], [-3], [-4]])),
  },
  {
    name: 'where choosing int32 values',
    run: () =>
      where(
        tensor([1, 0, 1], { dtype: 'bool' }),
        tensor([1, 2, 3], { dtype: 'int32' }),
        tensor([7, 8, 9], { dtype: 'int32' }),
      ),
  },
  {
    name: 'fused kernel with scalars (an Adam-like moment update)',
    run: () => {
      const kernel = defineKernel('battery.moment', { inputs: ['m', 'g'], scalars: ['decay'] }, ({ m, g, decay }) =>
        e.add(e.mul(decay, m), e.mul(e.sub(1, decay), e.mul(g, g))),
      );
      return fusedMap(kernel, [matrix(16, 33, 15), matrix(16, 33, 16)], [0.999]);
    },
  },
  {
    name: 'fused kernel with a select and a comparison',
    run: () => {
      const kernel = defineKernel('battery.clipOrZero', { inputs: ['x'], scalars: ['limit'] }, ({ x, limit }) =>
        e.select(e.greater(e.abs(x), limit), 0, e.mul(x, 2)),
      );
      return fusedMap(kernel, [matrix(9, 9, 17)], [1.5]);
    },
  },
  {
    // More threads than 65,535 workgroups of 256 hold, so the grid folds into a second dimension.
    // The case returns the extremes and the last values (exact), not 16.8 million values: moving
    // those between page and test took most of this page's time. Every value is in [1, 5], so a
    // part of the grid left unwritten (0 in a new buffer) shows in the minimum.
    name: 'a large elementwise op (more than 65,535 workgroups)',
    run: () => {
      const size = 65_535 * 256 + 1_000;
      const y = tensor(seededValues(size, 18)).mul(2).add(3);
      return [vane.max(y), vane.min(y), slice(y, [{ start: size - 8 }])];
    },
  },
];

void reportBattery(cases);
