/**
 * Battery page: the indexing and copying primitives of the `webgpu` backend — gather,
 * scatterAdd, concat and pad — on every axis, in float32, int32 and bool, over strided
 * (transposed, flipped, sliced, broadcast) views, with empty operands. Out-of-range indices,
 * which the CPU backend rejects on the host, are compared with the documented webgpu answer
 * (NaN from gather, ignored by scatterAdd). See battery.ts.
 */
import {
  cast,
  concat,
  expand,
  flip,
  gather,
  getBackend,
  indexSelect,
  pad,
  scatterAdd,
  slice,
  stack,
  tensor,
  transpose,
  type DType,
  type Tensor,
} from '@vane/tensor';
import { reportBattery, seededValues, type BatteryCase } from './battery.js';

const sizeOf = (shape: readonly number[]) => shape.reduce((size, extent) => size * extent, 1);

/** A float32 tensor of `shape` with seeded values in [-1, 1). */
const values = (shape: readonly number[], seed: number): Tensor =>
  tensor(seededValues(sizeOf(shape), seed)).reshape([...shape]);

/** An int32 tensor of `shape` with seeded integers in [low, high). */
const integers = (shape: readonly number[], seed: number, low: number, high: number, dtype: DType = 'int32'): Tensor =>
  tensor(seededValues(sizeOf(shape), seed, low, high).map(Math.floor), { dtype }).reshape([...shape]);

const cases: BatteryCase[] = [
  {
    name: 'gather on axis 0 (index longer than x along the axis)',
    run: () => gather(values([4, 5], 1), 0, integers([6, 5], 2, 0, 4)),
  },
  {
    name: 'gather on axis 1, index smaller than x on axis 0',
    run: () => gather(values([4, 5], 3), 1, integers([3, 7], 4, 0, 5)),
  },
  {
    name: 'gather on each axis of a rank-3 tensor',
    run: () => {
      const x = values([3, 4, 5], 5);
      return [
        gather(x, 0, integers([2, 3, 5], 6, 0, 3)),
        gather(x, 1, integers([3, 6, 2], 7, 0, 4)),
        gather(x, 2, integers([1, 4, 8], 8, 0, 5)),
      ];
    },
  },
  {
    name: 'gather of int32 and bool values',
    run: () => [
      gather(integers([3, 4], 9, -1000, 1000), 1, integers([3, 4], 10, 0, 4)),
      gather(integers([3, 4], 11, 0, 2, 'bool'), 0, integers([5, 4], 12, 0, 3)),
    ],
  },
  {
    name: 'gather from a flipped, transposed x with a transposed index',
    run: () => gather(flip(transpose(values([5, 4], 13)), 1), 1, transpose(integers([6, 3], 14, 0, 5))),
  },
  {
    name: 'indexSelect (a broadcast index: stride 0) and gather with an expanded index',
    run: () => [
      indexSelect(values([4, 6], 15), 0, tensor([3, 0, 3, 1], { dtype: 'int32' })),
      indexSelect(values([4, 6], 15), 1, tensor([5, 5, 2], { dtype: 'int32' })),
      gather(values([3, 4], 16), 1, expand(tensor([[2], [0], [3]], { dtype: 'int32' }), [3, 5])),
    ],
  },
  {
    name: 'gather with an empty index',
    run: () => gather(values([3, 4], 17), 1, tensor([], { dtype: 'int32' }).reshape([3, 0])),
  },
  {
    name: 'gather with indices out of range: NaN (float32) and 0 (int32) on webgpu',
    // The CPU backend rejects them on the host; on webgpu the kernel guards its reads.
    run: () => {
      const index = tensor([[0, -1, 2, 3]], { dtype: 'int32' });
      if (getBackend() === 'cpu') return [tensor([[0.5, NaN, 2.5, NaN]]), tensor([[5, 0, 7, 0]], { dtype: 'int32' })];
      return [gather(tensor([[0.5, 1.5, 2.5]]), 1, index), gather(tensor([[5, 6, 7]], { dtype: 'int32' }), 1, index)];
    },
  },
  {
    name: 'scatterAdd on axis 0 with repeated indices',
    run: () => scatterAdd(values([5, 3], 18), 0, integers([8, 3], 19, 0, 5), values([8, 3], 20)),
  },
  {
    name: 'scatterAdd on axis 1, index smaller than source and target on axis 0',
    run: () => scatterAdd(values([3, 4], 21), 1, integers([2, 5], 22, 0, 4), values([3, 6], 23)),
  },
  {
    name: 'scatterAdd on each axis of a rank-3 tensor',
    run: () => {
      const target = values([3, 4, 5], 24);
      return [
        scatterAdd(target, 0, integers([4, 4, 5], 25, 0, 3), values([4, 4, 5], 26)),
        scatterAdd(target, 1, integers([3, 6, 5], 27, 0, 4), values([3, 6, 5], 28)),
        scatterAdd(target, 2, integers([2, 4, 7], 29, 0, 5), values([3, 4, 7], 30)),
      ];
    },
  },
  {
    name: 'scatterAdd of int32 values (a float32 source cast to the target dtype by the op)',
    run: () => [
      scatterAdd(integers([4, 3], 31, -50, 50), 0, integers([6, 3], 32, 0, 4), integers([6, 3], 33, -9, 9)),
      scatterAdd(integers([4, 3], 34, -50, 50), 1, integers([4, 5], 35, 0, 3), values([4, 5], 36).mul(10)),
    ],
  },
  {
    name: 'scatterAdd into a transposed target from a flipped source with a broadcast index',
    run: () =>
      scatterAdd(
        transpose(values([4, 3], 37)),
        1,
        expand(tensor([[0], [3], [1]], { dtype: 'int32' }), [3, 5]),
        flip(values([3, 5], 38), [0, 1]),
      ),
  },
  {
    name: 'scatterAdd of 1,000 values into 3 bins (the CPU order: equal float32 sums)',
    run: () => scatterAdd(values([3], 39), 0, integers([1000], 40, 0, 3), values([1000], 41).mul(1000)),
    // Both backends add in increasing source order in float32: the sums are identical.
    tolerance: { absolute: 0, relative: 0 },
  },
  {
    name: 'scatterAdd with an empty index (a copy of the target)',
    run: () => scatterAdd(values([2, 3], 42), 1, tensor([], { dtype: 'int32' }).reshape([2, 0]), values([2, 3], 43)),
  },
  {
    name: 'scatterAdd with indices out of range: ignored on webgpu',
    // The CPU backend rejects them on the host; on webgpu the kernel skips them.
    run: () => {
      const target = tensor([10, 20, 30]);
      if (getBackend() === 'cpu') return tensor([11, 20, 38]);
      return scatterAdd(target, 0, tensor([0, 3, -1, 2, 2], { dtype: 'int32' }), tensor([1, 2, 4, 3, 5]));
    },
  },
  {
    name: 'concat of 3 inputs on axis 0',
    run: () => concat([values([2, 3], 44), values([1, 3], 45), values([4, 3], 46)], 0),
  },
  {
    name: 'concat of 3 strided views on axis 1 (transposed, flipped, sliced)',
    run: () =>
      concat(
        [
          transpose(values([2, 4], 47)),
          flip(values([4, 3], 48), 1),
          slice(values([8, 7], 49), [
            { start: 1, stop: 8, step: 2 },
            { start: 0, stop: 7, step: 3 },
          ]),
        ],
        1,
      ),
  },
  {
    name: 'concat of 3 rank-3 inputs on each axis',
    run: () => {
      const [a, b, c] = [values([2, 3, 4], 50), values([2, 3, 4], 51), values([2, 3, 4], 52)];
      return [concat([a, b, c], 0), concat([a, b, c], 1), concat([a, b, c], 2)];
    },
  },
  {
    name: 'concat of int32, bool, and mixed dtypes (promoted by the op)',
    run: () => [
      concat([integers([2, 2], 53, -9, 9), integers([1, 2], 54, -9, 9), integers([3, 2], 55, -9, 9)], 0),
      concat([integers([2, 2], 56, 0, 2, 'bool'), integers([2, 1], 57, 0, 2, 'bool')], 1),
      concat([integers([2, 2], 58, -9, 9), values([2, 2], 59), integers([2, 2], 60, 0, 2, 'bool')], 1),
    ],
  },
  {
    name: 'concat with an empty input, and of empty inputs',
    run: () => [
      concat([values([2, 3], 61), values([0, 3], 62), values([1, 3], 63)], 0),
      concat([values([0, 3], 64), values([0, 2], 65)], 1),
    ],
  },
  {
    name: 'stack of a broadcast row and two matrices (concat through unsqueezed views)',
    run: () => stack([expand(values([1, 4], 66), [3, 4]), values([3, 4], 67), values([3, 4], 68)], 1),
  },
  {
    name: 'pad a matrix with zeros and with -1.5',
    run: () => [
      pad(values([3, 4], 69), [
        [1, 2],
        [0, 3],
      ]),
      pad(
        values([3, 4], 69),
        [
          [2, 0],
          [1, 1],
        ],
        -1.5,
      ),
    ],
  },
  {
    name: 'pad with NaN and -Infinity, and a rank-1 tensor',
    run: () => [
      pad(
        values([2, 2], 70),
        [
          [1, 1],
          [1, 0],
        ],
        NaN,
      ),
      pad(values([3], 71), [[2, 4]], -Infinity),
    ],
  },
  {
    name: 'pad int32 (7 and 2.7, stored truncated) and bool (with 1)',
    run: () => [
      pad(
        integers([2, 3], 72, -9, 9),
        [
          [1, 0],
          [0, 2],
        ],
        7,
      ),
      pad(
        integers([2, 3], 72, -9, 9),
        [
          [0, 1],
          [1, 1],
        ],
        2.7,
      ),
      pad(
        integers([2, 3], 73, 0, 2, 'bool'),
        [
          [1, 1],
          [1, 1],
        ],
        1,
      ),
    ],
  },
  {
    name: 'pad a transposed rank-4 view, some axes unpadded',
    run: () =>
      pad(
        transpose(values([2, 3, 4, 5], 74), [3, 1, 0, 2]),
        [
          [0, 0],
          [1, 2],
          [0, 0],
          [3, 1],
        ],
        0.25,
      ),
  },
  {
    name: 'pad a flipped, sliced view and an empty tensor',
    run: () => [
      pad(
        flip(slice(values([5, 6], 75), [{ start: 1, stop: 5 }]), [0, 1]),
        [
          [1, 1],
          [2, 0],
        ],
        9,
      ),
      pad(
        values([0, 3], 76),
        [
          [1, 1],
          [0, 1],
        ],
        4,
      ),
    ],
  },
  {
    name: 'cast then concat keeps int32 truncation (a float32 view converted by the op)',
    run: () => concat([cast(values([2, 2], 77).mul(5), 'int32'), integers([1, 2], 78, -3, 3)], 0),
  },
];

void reportBattery(cases);
