/**
 * Battery page: the reduction primitives of the `webgpu` backend (reduce, argReduce,
 * cumulative) through the public ops, on contiguous, transposed, flipped, sliced and broadcast
 * views, in float32, int32 and bool, with empty axes and tensors, NaN, a million values into
 * one output, and many outputs. See battery.ts.
 *
 * Tolerances: sums, products and scans of float32 accumulate in f32 on the GPU and in float64
 * on the CPU, in a different order, so each differs by rounding: a bound of about k·2^-24·Σ|x|
 * where k is the depth of the summation (a thread's run plus the tree's levels). Random signs
 * keep the real error far below that bound, so each case's tolerance is set between the two,
 * with the error measured on SwiftShader (13:17 UTC run) in its comment. max, min, the
 * arg-reductions, all, any and every int32 or bool result are exact: their values are integers,
 * NaN, ±∞ or exactly one of the float32 inputs, and agreed bit for bit.
 */
import {
  all,
  any,
  argmax,
  argmin,
  broadcastTo,
  cast,
  cumprod,
  cumsum,
  flip,
  max,
  mean,
  min,
  prod,
  slice,
  sum,
  tensor,
  transpose,
  type Tensor,
} from '@vane/tensor';
import { reportBattery, seededValues, type BatteryCase } from './battery.js';

const values = (shape: readonly number[], seed: number, low = -3, high = 3): Tensor =>
  tensor(
    seededValues(
      shape.reduce((size, dimension) => size * dimension, 1),
      seed,
      low,
      high,
    ),
  ).reshape(shape);
/** Small integers (so sums and products are exact and maxima tie). */
const integers = (shape: readonly number[], seed: number, low = -4, high = 5): Tensor =>
  tensor(
    seededValues(
      shape.reduce((size, dimension) => size * dimension, 1),
      seed,
      low,
      high,
    ).map(Math.floor),
  ).reshape(shape);

// Sums of at most ~120 values in [-3, 3]: Σ|x| ≤ 360, a 7-level f32 sum's rounding ≤ 360·7·2^-24 ≈ 1.5e-4
// (measured at most 3.8e-6).
const SMALL_SUM = { absolute: 2e-4, relative: 1e-5 };
const MILLION = 1 << 20;

const cases: BatteryCase[] = [
  // Every kind over one axis, several, all, and non-adjacent ones.
  { name: 'sum over the last axis', run: () => sum(values([7, 9], 1), 1), tolerance: SMALL_SUM },
  { name: 'sum over the first axis', run: () => sum(values([7, 9], 2), 0), tolerance: SMALL_SUM },
  { name: 'sum over every axis', run: () => sum(values([6, 5, 4], 3)), tolerance: SMALL_SUM },
  { name: 'sum over non-adjacent axes 0 and 2', run: () => sum(values([6, 5, 4], 4), [0, 2]), tolerance: SMALL_SUM },
  { name: 'sum over a middle axis', run: () => sum(values([3, 8, 5], 5), 1), tolerance: SMALL_SUM },
  {
    name: 'prod over the last axis',
    // Products of 12 values in [0.5, 1.5]: 12 roundings of 2^-24 relative.
    run: () => prod(values([5, 12], 6, 0.5, 1.5), 1),
    tolerance: { absolute: 1e-6, relative: 2e-6 },
  },
  {
    name: 'prod over non-adjacent axes',
    run: () => prod(values([3, 4, 5], 7, 0.5, 1.5), [0, 2]),
    tolerance: { absolute: 1e-6, relative: 4e-6 },
  },
  { name: 'max and min over the last axis', run: () => [max(values([7, 9], 8), 1), min(values([7, 9], 8), 1)] },
  {
    name: 'max and min over non-adjacent axes, and over all',
    run: () => [max(values([3, 4, 5], 9), [0, 2]), min(values([3, 4, 5], 9), [0, 2]), max(values([3, 4, 5], 9))],
  },
  {
    name: 'all and any of a comparison (bool) over each axis',
    run: () => {
      const x = values([6, 4], 10).greater(-2);
      return [all(x, 1), any(x, 1), all(x, 0), any(x.less(0), 0), all(x), any(x)];
    },
  },
  {
    name: 'all and any of float32 values: ±0 is false, NaN is true',
    run: () => {
      const x = tensor([
        [1, NaN, 2],
        [0, 1, 1],
        [-0, 0, NaN],
        [0, 0, 0],
      ]);
      return [all(x, 1), any(x, 1), all(x, 0), any(x, 0)];
    },
  },
  {
    name: 'mean over axes (a sum and a scale)',
    run: () => [mean(values([4, 6, 5], 11), [1, 2]), mean(values([4, 6, 5], 11), 0)],
    tolerance: SMALL_SUM,
  },
  // int32 and bool inputs.
  {
    name: 'int32 sum, prod, max, min',
    run: () => {
      const x = cast(integers([5, 6], 12), 'int32');
      return [sum(x, 0), sum(x, 1), prod(x, 1), max(x, 0), min(x, 1), sum(x)];
    },
  },
  {
    name: 'int32 sum wraps as the CPU stores it',
    run: () => sum(tensor([2 ** 30, 2 ** 30, 2 ** 30, 5], { dtype: 'int32' })),
  },
  {
    name: 'bool sum (int32), max, min, all, any',
    run: () => {
      const x = tensor([1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0], { dtype: 'bool' }).reshape([3, 4]);
      return [sum(x, 1), sum(x), max(x, 0), min(x, 1), all(x, 0), any(x, 1), prod(x, 1)];
    },
  },
  {
    name: 'int32 all and any',
    run: () => {
      const x = tensor([3, 0, -1, 7, 2, 5], { dtype: 'int32' }).reshape([2, 3]);
      return [all(x, 1), any(x, 0)];
    },
  },
  // Strided views.
  { name: 'sum over a transposed view', run: () => sum(transpose(values([6, 4], 13)), 1), tolerance: SMALL_SUM },
  {
    name: 'max and argmax over a flipped view (negative strides)',
    run: () => [max(flip(values([5, 7], 14), 1), 1), argmax(flip(values([5, 7], 14), [0, 1]), 0)],
  },
  {
    name: 'sum and min over a sliced view',
    run: () => {
      const x = slice(values([8, 10], 15), [
        { start: 1, stop: 7 },
        { start: 2, stop: 9, step: 3 },
      ]);
      return [sum(x, 0), min(x, 1)];
    },
    tolerance: SMALL_SUM,
  },
  {
    name: 'reductions of a broadcast view (stride-0 axes)',
    run: () => {
      const x = broadcastTo(values([1, 5], 16), [4, 5]);
      return [sum(x, 0), sum(x, 1), max(x, 0), argmin(x, 1), cumsum(x, 0)];
    },
    tolerance: SMALL_SUM,
  },
  {
    name: 'sum over axes 1 and 3 of a permuted rank-4 view',
    run: () => sum(transpose(values([3, 4, 5, 2], 17), [2, 0, 3, 1]), [1, 3]),
    tolerance: SMALL_SUM,
  },
  // Empty axes and empty tensors.
  {
    name: 'empty reduced axis gives the identity',
    run: () => {
      const x = tensor([]).reshape([3, 0]);
      return [sum(x, 1), prod(x, 1), all(x, 1), any(x, 1), sum(x), mean(x, 1)];
    },
  },
  {
    name: 'empty kept axes give empty results',
    run: () => {
      const x = tensor([]).reshape([0, 4]);
      return [sum(x, 1), max(x, 1), min(x, 1), cumsum(x, 1), cumprod(x, 0)];
    },
  },
  {
    name: 'empty int32 and bool reductions',
    run: () => [
      sum(tensor([], { dtype: 'int32' }).reshape([2, 0]), 1),
      all(tensor([], { dtype: 'bool' }).reshape([0, 2]), 0),
    ],
  },
  // NaN.
  {
    name: 'max and min propagate NaN',
    run: () => {
      const x = tensor([
        [1, NaN, 3],
        [NaN, 2, 1],
        [4, 5, -Infinity],
        [1, 2, NaN],
      ]);
      return [max(x, 1), min(x, 1), max(x, 0), min(x, 0), max(x)];
    },
  },
  {
    name: 'argmax and argmin: first NaN wins, else the first tie',
    run: () => {
      const x = tensor([
        [1, NaN, 3, NaN],
        [NaN, 2, 1, 7],
        [4, 5, 5, -1],
        [2, 2, 2, 2],
        [-Infinity, -Infinity, 0, Infinity],
      ]);
      return [argmax(x, 1), argmin(x, 1), argmax(x, 0), argmin(x, 0), argmax(x), argmin(x)];
    },
  },
  {
    name: 'argmax and argmin over each axis of rank 3, int32 and bool',
    run: () => {
      const x = integers([3, 4, 5], 18);
      return [
        argmax(x, 0),
        argmin(x, 1),
        argmax(x, 2),
        argmax(transpose(x, [2, 0, 1]), 1),
        argmax(cast(x, 'int32'), 1),
        argmin(cast(x, 'int32'), 2),
        argmax(x.greater(0), 2),
        argmin(x.greater(0), 0),
      ];
    },
  },
  // A long axis: a million values into one output (chunks of 4,096 on 256 workgroups, then
  // the 256 partials on one thread).
  {
    name: 'sum of a million values (two passes)',
    run: () => sum(tensor(seededValues(MILLION, 19))),
    // Σ|x| ≈ 5.2e5 through 16 additions per thread, 8 tree levels and 256 partials in sequence:
    // the bound 280·2^-24·5.2e5 ≈ 8.7 is what no random-signed sum comes near; measured 6.1e-5.
    tolerance: { absolute: 1e-3, relative: 1e-5 },
  },
  {
    name: 'max, min, argmax, argmin of a million values (ties and a NaN far in)',
    run: () => {
      const data = seededValues(MILLION, 20).map((value) => Math.round(value * 1000));
      const x = tensor(data);
      const withNaN = tensor(data.map((value, index) => (index === 700_001 || index === 900_000 ? NaN : value)));
      return [max(x), min(x), argmax(x), argmin(x), argmax(withNaN), argmin(withNaN), max(withNaN)];
    },
  },
  {
    name: 'int32 sum and bool any/all of a million values',
    run: () => {
      const x = cast(tensor(seededValues(MILLION, 21, -50, 50).map(Math.floor)), 'int32');
      return [sum(x), any(x.greater(48)), all(x.greater(-60)), all(x.greater(-49))];
    },
  },
  {
    name: 'long rows: 1,000 values per output (one workgroup each) and 10,000 (two passes)',
    run: () => [
      sum(values([300, 1000], 22), 1),
      max(values([300, 1000], 22), 1),
      argmin(values([300, 1000], 22), 1),
      sum(values([4, 10_000], 23), 1),
      argmax(values([4, 10_000], 23), 1),
    ],
    // Σ|x| ≈ 1.5e4 per row of 10,000: 16 + 8 + 3 levels of 2^-24 give 2.4e-2 at worst; measured 1.5e-5.
    tolerance: { absolute: 5e-4, relative: 1e-5 },
  },
  {
    name: 'a long strided axis: [10,000, 40] over axis 0',
    run: () => [
      sum(values([10_000, 40], 24), 0),
      max(values([10_000, 40], 24), 0),
      argmin(values([10_000, 40], 24), 0),
    ],
    // As the rows of 10,000 above; measured 4.6e-5.
    tolerance: { absolute: 5e-4, relative: 1e-5 },
  },
  {
    name: 'many outputs: [20,000, 8] over axis 1',
    run: () => [sum(values([20_000, 8], 25), 1), max(values([20_000, 8], 25), 1), argmax(values([20_000, 8], 25), 1)],
    tolerance: SMALL_SUM,
  },
  {
    name: 'many outputs with long rows: [16,384, 260] over axis 1 (one thread per output)',
    run: () => sum(values([16_384, 260], 36, -1, 1), 1),
    // 260 additions in sequence, Σ|x| ≈ 130: 260·2^-24·130 ≈ 2e-3 at worst.
    tolerance: { absolute: 2e-4, relative: 1e-5 },
  },
  // Cumulative sums and products.
  {
    name: 'cumsum along the first, middle and last axis',
    run: () => [cumsum(values([4, 5, 6], 26), 0), cumsum(values([4, 5, 6], 26), 1), cumsum(values([4, 5, 6], 26), 2)],
    tolerance: SMALL_SUM,
  },
  {
    name: 'cumprod along the first, middle and last axis',
    run: () => [
      cumprod(values([4, 5, 6], 27, 0.5, 1.5), 0),
      cumprod(values([4, 5, 6], 27, 0.5, 1.5), 1),
      cumprod(values([4, 5, 6], 27, 0.5, 1.5), 2),
    ],
    tolerance: { absolute: 1e-6, relative: 4e-6 },
  },
  {
    name: 'cumsum over flipped and transposed views',
    run: () => [cumsum(flip(values([5, 7], 28), 1), 1), cumsum(transpose(values([5, 7], 28)), 1)],
    tolerance: SMALL_SUM,
  },
  {
    name: 'int32 and bool cumsum and cumprod',
    run: () => {
      const x = cast(integers([3, 6], 29, -3, 4), 'int32');
      return [cumsum(x, 1), cumprod(x, 1), cumsum(x.greater(0), 0), cumprod(x.greater(-2), 1)];
    },
  },
  {
    name: 'a long cumsum line: 5,000 values (one workgroup, 20 chunks)',
    run: () => [cumsum(values([2, 5000], 30, -1, 1), 1), cumsum(transpose(values([2, 5000], 31, -1, 1)), 0)],
    // The running Σ|x| reaches 2,500: the carry's 20 additions plus 8 levels per chunk bound
    // the error by 28·2^-24·2,500 ≈ 4e-3; measured 7.6e-6.
    tolerance: { absolute: 2e-4, relative: 1e-5 },
  },
  {
    name: 'a long cumprod line and an int32 long cumsum',
    run: () => [
      cumprod(values([1, 600], 32, 0.999, 1.001), 1),
      cumsum(cast(integers([600], 33, -100, 100), 'int32'), 0),
    ],
    // 600 factors in [0.999, 1.001]: each output goes through 8 tree levels, and through up to 2
    // carries each holding its chunk's 8 levels: about 26·2^-24 ≈ 1.5e-6 relative at worst
    // (products round relatively, not by Σ); measured 1.25e-6 on values near 1.
    tolerance: { absolute: 1e-6, relative: 4e-6 },
  },
  {
    name: 'many cumsum lines: [20,000, 3] along axis 0 and 1',
    run: () => [cumsum(values([20_000, 3], 34), 1), cumsum(values([3, 20_000], 35, -1, 1), 0)],
    tolerance: SMALL_SUM,
  },
];

void reportBattery(cases);
