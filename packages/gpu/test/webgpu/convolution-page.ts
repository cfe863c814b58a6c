/**
 * Battery page: the window primitives of the `webgpu` backend — conv2d, its input and weight
 * gradients, max and average pooling — with strides, asymmetric padding, dilation, groups
 * (depthwise included) and strided (flipped, transposed) operands. See battery.ts.
 */
import {
  avgPool2d,
  conv1d,
  conv2d,
  conv2dInputGradient,
  conv2dWeightGradient,
  convTranspose2d,
  flip,
  makeWindow,
  maxPool2d,
  tensor,
  transpose,
  wrapStorage,
  type Pair,
  type Padding,
  type Tensor,
} from '@vane/tensor';
import { reportBattery, seededValues, type BatteryCase } from './battery.js';

/** A tensor of `shape` with seeded values in [-1, 1). */
const values = (shape: readonly number[], seed: number): Tensor =>
  tensor(
    seededValues(
      shape.reduce((size, extent) => size * extent, 1),
      seed,
    ),
  ).reshape([...shape]);

/**
 * The tolerance of a sum of `terms` products of values in [-1, 1) computed in float32 in
 * another order than the CPU's: rounding error grows at most about linearly with the number of
 * terms; 1e-6 per term (about 8 ulps of 1) stays far below what one wrong or missing tap
 * changes (of the order of 0.1).
 */
const sumTolerance = (terms: number) => ({ absolute: 1e-6 * terms, relative: 1e-5 });

interface WindowOptions {
  readonly stride?: Pair;
  readonly padding?: Padding;
  readonly dilation?: Pair;
}

/** Max pooling through the backend primitive, so that the indices are returned too. */
function maxPoolWithIndices(x: Tensor, kernel: Pair, options: WindowOptions): Tensor[] {
  const window = makeWindow('battery', x.shape[2]!, x.shape[3]!, kernel, options);
  const result = x.backend.pool2d('max', x.view(), window, false);
  const shape = [x.shape[0]!, x.shape[1]!, window.outputHeight, window.outputWidth];
  return [
    wrapStorage(x.backend, result.values, shape, x.dtype),
    wrapStorage(x.backend, result.indices!, shape, 'int32'),
  ];
}

/**
 * The input gradient of a convolution of `xShape` by `weight` with `options`: dy has the
 * forward output's shape.
 */
function inputGradient(
  xShape: readonly number[],
  weight: Tensor,
  groups: number,
  options: WindowOptions,
  seed: number,
) {
  const window = makeWindow('battery', xShape[2]!, xShape[3]!, [weight.shape[2]!, weight.shape[3]!], options);
  const dy = values([xShape[0]!, weight.shape[0]!, window.outputHeight, window.outputWidth], seed);
  return conv2dInputGradient(dy, weight, window, groups, xShape[2]!, xShape[3]!);
}

/** The weight gradient of a convolution of `x` by a weight of `weightShape`. */
function weightGradient(
  x: Tensor,
  weightShape: readonly number[],
  groups: number,
  options: WindowOptions,
  seed: number,
) {
  const window = makeWindow('battery', x.shape[2]!, x.shape[3]!, [weightShape[2]!, weightShape[3]!], options);
  const dy = values([x.shape[0]!, weightShape[0]!, window.outputHeight, window.outputWidth], seed);
  return conv2dWeightGradient(x, dy, window, groups);
}

const cases: BatteryCase[] = [
  {
    name: 'conv2d 3x3, no padding',
    run: () => conv2d(values([2, 3, 7, 8], 1), values([4, 3, 3, 3], 2)),
    tolerance: sumTolerance(27),
  },
  {
    name: 'conv2d stride 2, padding 1',
    run: () => conv2d(values([1, 2, 9, 9], 3), values([3, 2, 3, 3], 4), { stride: 2, padding: 1 }),
    tolerance: sumTolerance(18),
  },
  {
    name: 'conv2d dilation 2, asymmetric padding, stride [1, 2]',
    run: () =>
      conv2d(values([2, 2, 8, 9], 5), values([3, 2, 3, 2], 6), {
        stride: [1, 2],
        padding: [2, 0, 1, 3],
        dilation: 2,
      }),
    tolerance: sumTolerance(12),
  },
  {
    name: "conv2d groups 2, padding 'same', with bias",
    run: () =>
      conv2d(values([2, 4, 6, 6], 7), values([6, 2, 3, 3], 8), { groups: 2, padding: 'same', bias: values([6], 9) }),
    tolerance: sumTolerance(19),
  },
  {
    name: 'conv2d depthwise (groups = channels) and depthwise with 2 outputs per channel',
    run: () => [
      conv2d(values([1, 4, 8, 8], 10), values([4, 1, 3, 3], 11), { groups: 4, padding: 1 }),
      conv2d(values([1, 4, 8, 8], 10), values([8, 1, 3, 3], 12), { groups: 4, padding: 1, stride: 2 }),
    ],
    tolerance: sumTolerance(9),
  },
  {
    name: 'conv2d of a flipped input by a transposed weight (strided views)',
    run: () => conv2d(flip(values([2, 3, 6, 7], 13), [2, 3]), transpose(values([3, 3, 3, 4], 14), [3, 2, 0, 1])),
    tolerance: sumTolerance(27),
  },
  {
    name: 'conv2d 1x1 kernel and conv1d (a 1xk conv2d)',
    run: () => [
      conv2d(values([2, 5, 4, 3], 15), values([3, 5, 1, 1], 16)),
      conv1d(values([2, 3, 11], 17), values([4, 3, 3], 18), { stride: 2, padding: 'same', dilation: 2 }),
    ],
    tolerance: sumTolerance(9),
  },
  {
    name: 'conv2d 8 -> 16 channels on 16x16 images',
    run: () => conv2d(values([4, 8, 16, 16], 19), values([16, 8, 3, 3], 20), { padding: 1 }),
    tolerance: sumTolerance(72),
  },
  {
    name: 'conv2dInputGradient stride 2, padding 1',
    run: () => inputGradient([2, 3, 9, 9], values([4, 3, 3, 3], 21), 1, { stride: 2, padding: 1 }, 22),
    // Each input value sums at most 4 output channels × 2 × 2 covering taps.
    tolerance: sumTolerance(16),
  },
  {
    name: 'conv2dInputGradient groups 2, dilation 2, stride [2, 1], asymmetric padding',
    run: () =>
      inputGradient(
        [2, 4, 10, 9],
        values([6, 2, 3, 3], 23),
        2,
        { stride: [2, 1], dilation: 2, padding: [1, 2, 3, 0] },
        24,
      ),
    tolerance: sumTolerance(27),
  },
  {
    name: 'conv2dInputGradient depthwise of a flipped weight, input rows no window covers',
    run: () => {
      const weight = flip(values([3, 1, 2, 2], 25), 3);
      // Stride 3 and a 2x2 kernel on an 11x11 input: every third row and column gets nothing.
      return inputGradient([1, 3, 11, 11], weight, 3, { stride: 3 }, 26);
    },
    tolerance: sumTolerance(4),
  },
  {
    name: 'convTranspose2d with outputPadding, groups and bias',
    run: () =>
      convTranspose2d(values([2, 4, 5, 4], 27), values([4, 3, 3, 3], 28), {
        stride: 2,
        padding: 1,
        outputPadding: 1,
        groups: 2,
        bias: values([6], 29),
      }),
    tolerance: sumTolerance(19),
  },
  {
    name: 'conv2dWeightGradient stride 2, padding 1',
    run: () => weightGradient(values([2, 3, 9, 9], 30), [4, 3, 3, 3], 1, { stride: 2, padding: 1 }, 31),
    // Each weight value sums 2 images × 5 × 5 output positions.
    tolerance: sumTolerance(50),
  },
  {
    name: 'conv2dWeightGradient groups 2, dilation 2, asymmetric padding, transposed x',
    run: () => {
      const x = transpose(values([2, 9, 4, 10], 32), [0, 2, 3, 1]);
      return weightGradient(x, [6, 2, 3, 2], 2, { dilation: 2, padding: [2, 1, 0, 3], stride: [1, 2] }, 33);
    },
    tolerance: sumTolerance(2 * 10 * 6),
  },
  {
    // 36 values over 1,200 positions: 19 chunks of 64 (the last one 48).
    name: 'conv2dWeightGradient depthwise over many positions (chunked sums)',
    run: () => weightGradient(values([3, 4, 20, 20], 34), [4, 1, 3, 3], 4, { padding: 1 }, 35),
    tolerance: sumTolerance(3 * 400),
  },
  {
    // Enough values to occupy the device: one thread per value, no chunks.
    name: 'conv2dWeightGradient of 16,512 and 18,432 values (a thread per value), groups 2',
    run: () => [
      weightGradient(values([2, 129, 3, 3], 36), [128, 129, 1, 1], 1, {}, 37),
      weightGradient(values([1, 64, 5, 5], 38), [64, 32, 3, 3], 2, { stride: 2, padding: 1 }, 39),
    ],
    tolerance: sumTolerance(18),
  },
  {
    // 432 values summed over 16 × 32 × 32 positions: 152 chunks of 108 positions, then their sum.
    name: 'conv2dWeightGradient of a first layer (few values, many positions: chunked sums)',
    run: () => weightGradient(values([16, 3, 32, 32], 44), [16, 3, 3, 3], 1, { padding: 1 }, 45),
    // 16,384 terms: 1e-6 per term would allow 0.016; about one float32 ulp of 1 per term (2e-3)
    // still covers both backends' rounding (typically a few 1e-4 on these sums of size ~40).
    tolerance: { absolute: 2e-3, relative: 1e-5 },
  },
  {
    name: 'maxPool2d 2x2 stride 2: values and indices',
    run: () => maxPoolWithIndices(values([2, 3, 8, 8], 38), 2, { stride: 2 }),
  },
  {
    name: 'maxPool2d 3x3 stride 2 padding 1: values and indices',
    run: () => maxPoolWithIndices(values([1, 2, 7, 9], 39), 3, { stride: 2, padding: 1 }),
  },
  {
    name: 'maxPool2d kernel [2, 3], dilation 2, stride [1, 2], over a flipped view',
    run: () => maxPoolWithIndices(flip(values([2, 2, 7, 10], 40), 2), [2, 3], { stride: [1, 2], dilation: 2 }),
  },
  {
    name: 'maxPool2d with NaN, -Infinity and ties (first maximum wins; a NaN wins its window)',
    run: () => {
      const x = tensor([
        [1, 1, 2, 2, -Infinity, -Infinity],
        [NaN, 0, 2, 1, -Infinity, -Infinity],
        [5, NaN, 3, NaN, 0, NaN],
        [NaN, 4, 3, 3, NaN, 7],
      ]).reshape([1, 1, 4, 6]);
      return [...maxPoolWithIndices(x, 2, { stride: 2 }), ...maxPoolWithIndices(x, 3, { stride: 1, padding: 1 })];
    },
  },
  {
    name: 'maxPool2d through the op (indices released when not recording)',
    run: () => maxPool2d(values([2, 2, 6, 6], 41), 3, { stride: 1, padding: 1 }),
  },
  {
    name: 'avgPool2d 3x3 stride 2 padding 1, with and without countIncludePad',
    run: () => [
      avgPool2d(values([2, 3, 7, 8], 42), 3, { stride: 2, padding: 1 }),
      avgPool2d(values([2, 3, 7, 8], 42), 3, { stride: 2, padding: 1, countIncludePad: false }),
    ],
    // The CPU sums in float64 then rounds once; float32 sums of 9 values differ by a few ulps.
    tolerance: { absolute: 1e-6, relative: 1e-5 },
  },
  {
    name: 'avgPool2d kernel [2, 3], dilation [2, 1], over a transposed view',
    run: () =>
      avgPool2d(transpose(values([1, 2, 9, 8], 43), [0, 1, 3, 2]), [2, 3], {
        stride: [2, 1],
        dilation: [2, 1],
        padding: [1, 1],
        countIncludePad: false,
      }),
    tolerance: { absolute: 1e-6, relative: 1e-5 },
  },
];

void reportBattery(cases);
