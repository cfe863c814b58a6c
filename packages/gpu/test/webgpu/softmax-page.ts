/**
 * Battery page: softmax and logSoftmax rows and their gradients on the `webgpu` backend (one
 * dispatch each for rows of up to 256 values, the composites beyond), and the special values of
 * the exp, log and sqrt they use, against the CPU backend. See battery.ts.
 */
import { grad } from '@vane/autodiff';
import { logSoftmax, mul, softmax, sum, tensor, transpose, type Tensor } from '@vane/tensor';
import { reportBattery, seededValues, type BatteryCase } from './battery.js';

const values = (shape: number[], seed: number, scale = 3) =>
  tensor(
    seededValues(
      shape.reduce((product, size) => product * size, 1),
      seed,
      -scale,
      scale,
    ),
  ).reshape(shape);

// exp and log are within a few ulps in WGSL; sums in row order as on the CPU.
const TOLERANCE = { absolute: 1e-6, relative: 1e-5 };

/** d/dx Σ op(x)·w: softmax's or logSoftmax's gradient rule on the backend's gradient rows. */
function gradientOf(op: (x: Tensor) => Tensor, shape: number[]): Tensor {
  const weights = values(shape, 91, 1);
  return grad((x: Tensor) => sum(mul(op(x), weights)))(values(shape, 92)) as Tensor;
}

const cases: BatteryCase[] = [
  {
    name: 'softmax rows of 10 (a classifier batch)',
    run: () => softmax(values([128, 10], 1), -1),
    tolerance: TOLERANCE,
  },
  { name: 'logSoftmax rows of 10', run: () => logSoftmax(values([128, 10], 2), -1), tolerance: TOLERANCE },
  { name: 'logSoftmax over a rank-3 tensor', run: () => logSoftmax(values([3, 5, 7], 3), -1), tolerance: TOLERANCE },
  { name: 'softmax of a 1-D tensor', run: () => softmax(values([9], 4), -1), tolerance: TOLERANCE },
  {
    name: 'softmax over a transposed view (strided rows)',
    run: () => softmax(transpose(values([10, 6], 5)), -1),
    tolerance: TOLERANCE,
  },
  {
    name: 'rows with −∞ masks, a row of −∞, +∞ and NaN',
    run: () => {
      const x = tensor([
        [1, -Infinity, 2, -Infinity],
        [-Infinity, -Infinity, -Infinity, -Infinity],
        [0, Infinity, 1, 2],
        [0, NaN, 1, 2],
      ]);
      return [softmax(x, -1), logSoftmax(x, -1)];
    },
    tolerance: TOLERANCE,
  },
  { name: 'rows of 256 (the limit)', run: () => logSoftmax(values([4, 256], 6), -1), tolerance: TOLERANCE },
  {
    name: 'rows of 300 (past the limit: the composite)',
    run: () => softmax(values([3, 300], 7), -1),
    tolerance: TOLERANCE,
  },
  {
    name: 'softmax gradient rows',
    run: () => gradientOf((x) => softmax(x, -1), [16, 10]),
    tolerance: TOLERANCE,
  },
  {
    name: 'logSoftmax gradient rows',
    run: () => gradientOf((x) => logSoftmax(x, -1), [16, 10]),
    tolerance: TOLERANCE,
  },
  {
    name: 'logSoftmax gradient past the limit (the composite)',
    run: () => gradientOf((x) => logSoftmax(x, -1), [2, 300]),
    tolerance: TOLERANCE,
  },
  { name: 'an empty batch', run: () => logSoftmax(values([0, 10], 8), -1) },
  {
    // The elementwise ops the rows are built from, where WGSL leaves the answer undefined.
    name: 'exp, log and sqrt of NaN, ±0, negatives and ±∞',
    run: () => {
      const x = tensor([NaN, 0, -0, -1, 1, Infinity, -Infinity]);
      return [x.exp(), x.log(), x.sqrt()];
    },
  },
];

void reportBattery(cases);
