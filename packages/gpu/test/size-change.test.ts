/**
 * Every op family run at several sizes in sequence, each size inside its own `tidy` (so the
 * previous size's outputs are disposed), on the GPU against the CPU.
 *
 * The gpu backend compiles one gpu.js kernel per op and rank and resizes it for each call, so
 * a kernel always serves outputs of another size than its previous call. Each family applies
 * its op to the op's own output (as logSoftmax's second `sub` takes the first one's result),
 * which is where gpu.js recycles textures: before the fix, the second call at a new size
 * rendered into a texture kept from the old size and the result came back scrambled (the
 * playground's 29-example batch after 44 of 32). Sizes are chosen so that every output's
 * texture has another width than the previous one.
 */
import * as vane from '@vane/tensor';
import { makeWindow, tensor, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuReady } from './gpu-availability.js';

const COLUMNS = 8;
// 256, 232, 56, 256 and 24 values: 16×16, 15×16, 7×8, 16×16 and 4×6 textures.
const ROWS = [32, 29, 7, 32, 3];
const RELATIVE = 1e-4;
const ABSOLUTE = 1e-4;

const e = vane.expression;
const blend = vane.defineKernel('sizeChangeBlend', { inputs: ['a', 'b'], scalars: ['weight'] }, ({ a, b, weight }) =>
  e.add(e.mul(weight, a), e.mul(e.sub(1, weight), b)),
);

/** The inputs of one size, made on `backend` from a closed form (the same values on both). */
function inputs(rows: number, backend: string) {
  const values = Array.from({ length: rows * COLUMNS }, (_, index) => Math.sin(index * 0.7 + rows) * 1.5);
  const x = tensor(values, { shape: [rows, COLUMNS], backend });
  const index = tensor(
    Array.from({ length: rows * COLUMNS }, (_, position) => (position * 3 + rows) % COLUMNS),
    { shape: [rows, COLUMNS], dtype: 'int32', backend },
  );
  const weight = tensor(
    Array.from({ length: COLUMNS * COLUMNS }, (_, position) => Math.cos(position) / 4),
    { shape: [COLUMNS, COLUMNS], backend },
  );
  const filter = tensor(
    Array.from({ length: 2 * 2 * 3 * 3 }, (_, position) => Math.sin(position + 1) / 3),
    { shape: [2, 2, 3, 3], backend },
  );
  return { x, index, weight, filter, images: vane.reshape(x, [rows, 2, 2, 2]) };
}

type Inputs = ReturnType<typeof inputs>;
const window = makeWindow('conv2d', 2, 2, 3, { padding: 1 });
const poolOptions = { stride: 1, padding: 1 } as const;

/** One op family each, applied to its own output where the shapes allow. */
const FAMILIES: Record<string, (given: Inputs) => Tensor> = {
  upload: ({ x }) => x,
  copy: ({ x }) => vane.contiguous(vane.transpose(vane.contiguous(vane.transpose(x)))),
  unary: ({ x }) => vane.tanh(vane.tanh(x)),
  binary: ({ x }) => vane.sub(vane.sub(x, 0.5), x),
  where: ({ x }) => {
    const first = vane.where(vane.greater(x, 0.2), x, vane.neg(x));
    return vane.where(vane.greater(first, 0.7), first, 0);
  },
  fused: ({ x }) => vane.fusedMap(blend, [vane.fusedMap(blend, [x, vane.square(x)], [0.3]), x], [0.6]),
  reduce: ({ x }) => vane.add(vane.sum(vane.max(x, 1, true), 0, true), vane.mean(x, 0, true)),
  'argmax and argmin': ({ x }) => vane.add(vane.argmax(x, 1), vane.argmin(x, 1)),
  cumulative: ({ x }) => vane.add(vane.cumsum(vane.cumsum(x, 1), 0), vane.cumprod(vane.mul(x, 0.3), 1)),
  matmul: ({ x, weight }) =>
    vane.concat([vane.matmul(vane.matmul(x, weight), weight), vane.matmul(vane.transpose(x), x)], 0),
  conv2d: ({ images, filter }) => vane.conv2d(vane.conv2d(images, filter, { padding: 1 }), filter, { padding: 1 }),
  'conv2d input gradient': ({ images, filter }) =>
    vane.conv2dInputGradient(vane.conv2dInputGradient(images, filter, window, 1, 2, 2), filter, window, 1, 2, 2),
  'conv2d weight gradient': ({ images }) => vane.conv2dWeightGradient(images, vane.tanh(images), window, 1),
  'max pooling': ({ images }) => vane.maxPool2d(vane.maxPool2d(images, 3, poolOptions), 3, poolOptions),
  'average pooling': ({ images }) => vane.avgPool2d(vane.avgPool2d(images, 3, poolOptions), 3, poolOptions),
  gather: ({ x, index }) => vane.gather(vane.gather(x, 1, index), 1, index),
  scatterAdd: ({ x, index }) => vane.scatterAdd(vane.scatterAdd(x, 1, index, x), 1, index, x),
  concat: ({ x }) => vane.concat([vane.concat([x, x], 0), x], 0),
  pad: ({ x }) =>
    vane.pad(
      vane.pad(
        x,
        [
          [1, 0],
          [0, 2],
        ],
        -1,
      ),
      [
        [0, 1],
        [1, 0],
      ],
      2,
    ),
  'softmax and logSoftmax': ({ x }) => vane.add(vane.logSoftmax(x, 1), vane.softmax(x, 0)),
};

/** The family's result at `rows`, read inside tidy so that every intermediate is disposed. */
function runAt(
  family: (given: Inputs) => Tensor,
  rows: number,
  backend: string,
): { shape: readonly number[]; dtype: string; values: number[] } {
  return tidy(() => {
    const output = family(inputs(rows, backend));
    return { shape: output.shape, dtype: output.dtype, values: Array.from(output.dataSync() as ArrayLike<number>) };
  });
}

describe.skipIf(!gpuReady)('gpu kernels at a new output size', () => {
  it.each(Object.keys(FAMILIES))('%s agrees with the cpu at every size of a sequence', (name) => {
    const family = FAMILIES[name]!;
    for (const [step, rows] of ROWS.entries()) {
      const cpu = runAt(family, rows, 'cpu');
      const gpu = runAt(family, rows, 'gpu');
      expect(gpu.shape, `${name} at ${rows} rows`).toEqual(cpu.shape);
      expect(gpu.dtype).toBe(cpu.dtype);
      for (let index = 0; index < cpu.values.length; index++) {
        const want = cpu.values[index]!;
        const got = gpu.values[index]!;
        if (!(Math.abs(got - want) <= ABSOLUTE + RELATIVE * Math.abs(want))) {
          throw new Error(
            `${name} at ${rows} rows (after ${ROWS.slice(0, step).join(', ') || 'nothing'}): [${index}] cpu ${want}, gpu ${got}`,
          );
        }
      }
    }
  });
});
