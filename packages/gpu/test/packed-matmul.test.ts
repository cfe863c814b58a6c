/**
 * The packed (RGBA, four outputs per fragment) matmul against the CPU on the shapes that
 * exercise its packing: depths and widths that are not multiples of four, batches, an operand
 * broadcast over the batch, offset and transposed views, int32; and the dispatch and readback
 * counters that gpuStats() reports for it.
 */
import * as vane from '@vane/tensor';
import { matmul, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, resetGpuStats } from '../src/index.js';
import { matmulLayout, productBlockRows } from '../src/packed-matmul.js';
import { eightRowBlocksAvailable, multipleOutputsAvailable } from '../src/texel-fetch.js';
import { gpuReady } from './gpu-availability.js';
import { expectCloseToCpu } from './support/expect-close.js';

/** Tolerance against the cpu backend: float32 products whose sums run in another order than the cpu's, over depths up to hundreds. */
const TOLERANCE = { absolute: 1e-4, relative: 1e-4 };
const expectClose = (cpu: Tensor, gpu: Tensor, label: string) => expectCloseToCpu(cpu, gpu, label, TOLERANCE);

const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

describe.runIf(gpuReady)('packed matmul', () => {
  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [4, 4, 4],
    [2, 9, 6],
    [17, 33, 18],
    [64, 64, 64],
  ])('m=%i k=%i n=%i agrees with the cpu', (m, k, n) => {
    tidy(() => {
      const a = random([m, k], m * 1000 + k);
      const b = random([k, n], n * 7 + 1);
      expectClose(matmul(a, b), matmul(a.to('gpu'), b.to('gpu')), `matmul ${m}x${k}x${n}`);
    });
  });

  it('batched operands, one broadcast over the batch, and a broadcast left operand', () => {
    tidy(() => {
      const batched = random([3, 5, 6], 1);
      const shared = random([6, 7], 2);
      expectClose(matmul(batched, shared), matmul(batched.to('gpu'), shared.to('gpu')), 'batched @ shared');
      const other = random([3, 6, 2], 3);
      expectClose(matmul(batched, other), matmul(batched.to('gpu'), other.to('gpu')), 'batched @ batched');
      const left = random([5, 6], 4);
      expectClose(matmul(left, other), matmul(left.to('gpu'), other.to('gpu')), 'shared @ batched');
    });
  });

  it('offset, sliced and transposed views', () => {
    tidy(() => {
      const big = random([9, 11], 5);
      const right = random([11, 6], 6);
      // Offsets that are not multiples of four, and a reversed (negative-stride) axis.
      const rows = { start: 1, stop: 8 };
      const columns = { start: 3, stop: 10 };
      const take = (x: Tensor) => vane.slice(x, [rows, columns]);
      const takeRight = (x: Tensor) => vane.slice(x, [{ start: 2, stop: 9 }, { step: -1 }]);
      expectClose(
        matmul(take(big), takeRight(right)),
        matmul(take(big.to('gpu')), takeRight(right.to('gpu'))),
        'sliced',
      );
      expectClose(matmul(big.transpose(), big), matmul(big.to('gpu').transpose(), big.to('gpu')), 'transposed');
    });
  });

  it('packs operands whose last-axis stride is negative or longer than a texture row', () => {
    tidy(() => {
      // Reversed columns of the left operand: each pack texel steps backwards through storage.
      const left = random([9, 13], 11);
      const right = random([13, 10], 12);
      const reversed = (x: Tensor) => vane.slice(x, [{}, { step: -1 }]);
      expectClose(matmul(reversed(left), right), matmul(reversed(left.to('gpu')), right.to('gpu')), 'reversed');
      // A transposed 600×700 matrix: its last-axis stride (700) passes the storage texture's
      // width (about 648 for 420,000 values), so each step crosses a texture row.
      const big = random([600, 700], 13);
      const other = random([600, 5], 14);
      expectClose(matmul(big.transpose(), other), matmul(big.to('gpu').transpose(), other.to('gpu')), 'wide stride');
    });
  });

  it('int32 operands give int32 results', () => {
    tidy(() => {
      const a = vane.tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { dtype: 'int32' },
      );
      const b = vane.tensor(
        [
          [1, -1],
          [2, 0],
          [-3, 5],
        ],
        { dtype: 'int32' },
      );
      const product = matmul(a.to('gpu'), b.to('gpu'));
      expect(product.dtype).toBe('int32');
      expect(Array.from(product.dataSync())).toEqual(Array.from(matmul(a, b).dataSync()));
    });
  });

  it('a matmul is three dispatches (pack, pack, product), the unpack runs where its result is consumed, and nothing is read back', () => {
    tidy(() => {
      const a = random([8, 8], 7).to('gpu');
      const b = random([8, 8], 8).to('gpu');
      resetGpuStats();
      const product = matmul(a, b);
      expect(gpuStats()).toEqual({ dispatches: 3, uploads: 0, readbacks: 0 });
      product.dataSync();
      expect(gpuStats()).toEqual({ dispatches: 4, uploads: 0, readbacks: 1 });
    });
  });
});

describe.runIf(gpuReady)('packed matmul layouts', () => {
  const view = (shape: readonly number[], strides?: number[]) => {
    const x = vane.zeros(shape);
    return { data: undefined, dtype: 'float32' as const, shape, strides: strides ?? x.strides, offset: 0 };
  };

  it('writes 8x4 blocks on headless-gl (eight draw buffers, 16 texture units), 4x4 blocks where a product has one row of 8-row blocks', () => {
    expect(multipleOutputsAvailable()).toBe(true);
    // Node runs headless-gl (WebGL1) on Mesa, which has eight draw buffers.
    expect(eightRowBlocksAvailable()).toBe(true);
    expect(productBlockRows(1, 128)).toBe(8);
    expect(productBlockRows(1, 9)).toBe(8);
    expect(productBlockRows(1, 8)).toBe(4);
    expect(productBlockRows(2, 8)).toBe(8);
  });

  it('uses the direct 2-D layout for the MLP shapes and the indexed one where a texture would have one row or exceed the limit', () => {
    expect(matmulLayout(view([128, 784]), view([784, 256]))).toBe('direct');
    expect(matmulLayout(view([3, 5, 6]), view([3, 6, 2]))).toBe('direct');
    expect(matmulLayout(view([1, 6]), view([6, 5]))).toBe('indexed');
    // A product of at most four rows is one row of 4×4 blocks: the indexed layout.
    expect(matmulLayout(view([4, 6]), view([6, 5]))).toBe('indexed');
    expect(matmulLayout(view([5, 6]), view([6, 5]))).toBe('direct');
    // A left operand of one row shared over a batch: its rows are padded to four, and the
    // product has a row of blocks per image.
    expect(matmulLayout(view([3, 1, 6], [0, 6, 1]), view([3, 6, 5]))).toBe('direct');
    expect(matmulLayout(view([70000, 4]), view([4, 4]))).toBe('indexed');
  });

  it.each([
    [
      [1, 9],
      [9, 6],
    ],
    [
      [3, 1, 6],
      [3, 6, 5],
    ],
    [
      [2, 2],
      [2, 3],
    ],
    [
      [20000, 3],
      [3, 2],
    ],
  ])('%j @ %j agrees with the cpu on whichever layout it takes', (left, right) => {
    tidy(() => {
      const a = random(left, 31);
      const b = random(right, 32);
      expectClose(
        matmul(a, b),
        matmul(a.to('gpu'), b.to('gpu')),
        `matmul ${JSON.stringify(left)} @ ${JSON.stringify(right)}`,
      );
    });
  });

  it('4x4 and 8x4 blocks: random shapes with rows and columns past a block, batched, transposed and shared operands agree with the cpu', () => {
    tidy(() => {
      const rowCounts = new Set<number>();
      const generator = vane.seed(41);
      const extent = (low: number, high: number) =>
        low + Math.floor(vane.rand([], { generator }).item() * (high - low));
      for (let trial = 0; trial < 6; trial++) {
        // m of each residue mod 4 (m > 4: the direct layout), depths and widths off the quad.
        const m = 5 + 4 * extent(0, 6) + (trial % 4);
        const k = extent(1, 40);
        const n = extent(1, 30);
        const images = 1 + (trial % 3);
        rowCounts.add(productBlockRows(images, m));
        const a = random([images, m, k], 100 + trial);
        const b = random([images, k, n], 200 + trial);
        expect(matmulLayout(view(a.shape), view(b.shape))).toBe('direct');
        const label = `[${images},${m},${k}] @ [${images},${k},${n}]`;
        expectClose(matmul(a, b), matmul(a.to('gpu'), b.to('gpu')), label);
        // The same products with the operands given transposed (views, strides only).
        const at = a.transpose([0, 2, 1]).contiguous().transpose([0, 2, 1]);
        const bt = b.transpose([0, 2, 1]).contiguous().transpose([0, 2, 1]);
        expectClose(
          matmul(at, bt),
          matmul(
            a.transpose([0, 2, 1]).contiguous().to('gpu').transpose([0, 2, 1]),
            b.transpose([0, 2, 1]).contiguous().to('gpu').transpose([0, 2, 1]),
          ),
          `transposed ${label}`,
        );
        // A right operand shared over the batch (stride 0 after broadcasting).
        const shared = random([k, n], 300 + trial);
        expectClose(matmul(a, shared), matmul(a.to('gpu'), shared.to('gpu')), `${label} shared`);
      }
      // Both block heights ran (seed 41 draws m of 5 to 32 rows, one to three images).
      expect([...rowCounts].sort()).toEqual([4, 8]);
    });
  });

  it.each([
    [7, 4],
    [19, 8],
  ])('an int32 product of %i rows in the direct layout is unblocked from its %i row textures', (m, rows) => {
    tidy(() => {
      const a = vane.randint(-5, 5, [m, 5], { generator: vane.seed(51) });
      const b = vane.randint(-5, 5, [5, 6], { generator: vane.seed(52) });
      expect(matmulLayout(view(a.shape), view(b.shape))).toBe('direct');
      expect(productBlockRows(1, m)).toBe(rows);
      const product = matmul(a.to('gpu'), b.to('gpu'));
      expect(product.dtype).toBe('int32');
      expect(Array.from(product.dataSync())).toEqual(Array.from(matmul(a, b).dataSync()));
    });
  });

  it('a left operand of one row broadcast over a batch (stride 0) agrees with the cpu', () => {
    tidy(() => {
      const row = random([1, 6], 33);
      const batch = random([4, 6, 5], 34);
      // matmul broadcasts the [1, 6] operand over the batch with stride 0.
      expectClose(matmul(row, batch), matmul(row.to('gpu'), batch.to('gpu')), 'broadcast row @ batch');
    });
  });
});
