/**
 * The kernel heap: large float32 storages live in the WebAssembly kernel memory, the SIMD
 * kernels read and write them in place, freed blocks are reused, and results are bit for bit
 * those of ordinary arrays (the same kernels, only the copies skipped). References: the scalar
 * JavaScript loops (setKernelMode('scalar')), whose arrays never live in the kernel memory.
 */
import ndarray from 'ndarray';
import { afterEach, describe, expect, it } from 'vitest';
import {
  add,
  defineKernel,
  dispose,
  fromNdarray,
  matmul,
  transpose,
  div,
  sub,
  exp,
  expression as e,
  fusedMap,
  mul,
  randn,
  relu,
  seed,
  setKernelMode,
  slice,
  tensor,
  type Tensor,
} from './index.js';
import { pinArray, recycleArray, takeArray, zeroedArray } from './cpu/buffer-pool.js';
import { allocateBlock, freeBlock, heapAddress, heapUsage, isHeapArray } from './wasm/kernel-heap.js';
import { simdKernels } from './wasm/kernel-runtime.js';

afterEach(() => setKernelMode('simd'));

const storageOf = (x: Tensor) => x.view().data as Float32Array;

function scalarMode<T>(body: () => T): T {
  setKernelMode('scalar');
  try {
    return body();
  } finally {
    setKernelMode('simd');
  }
}

const shared = simdKernels()?.shared === true;

describe.runIf(shared)('kernel heap', () => {
  it('places large float32 storages in the kernel memory, small ones and other dtypes outside', () => {
    const generator = seed(1);
    const large = randn([100, 100], { generator });
    expect(heapAddress(storageOf(large))).toBeDefined();
    expect(isHeapArray(storageOf(large))).toBe(true);
    expect(heapAddress(storageOf(randn([10], { generator })))).toBeUndefined();
    expect(heapAddress(storageOf(randn([100, 100], { generator, dtype: 'float64' })) as never)).toBeUndefined();
    // The scalar kernels take ordinary arrays.
    expect(scalarMode(() => heapAddress(storageOf(randn([100, 100], { generator }))))).toBeUndefined();
  });

  it('reuses a released block, zeroes it for zeroedArray, and never reuses a pinned one', () => {
    const size = 10_000;
    const first = takeArray('float32', size) as Float32Array;
    const address = heapAddress(first);
    expect(address).toBeDefined();
    first.fill(7);
    recycleArray(first);
    const second = takeArray('float32', size) as Float32Array;
    expect(heapAddress(second)).toBe(address);
    recycleArray(second);
    recycleArray(second); // a second release must not put the block on the free list twice
    const zeroed = zeroedArray('float32', size) as Float32Array;
    expect(heapAddress(zeroed)).toBe(address);
    expect(zeroed.every((value) => value === 0)).toBe(true);
    const other = takeArray('float32', size) as Float32Array;
    expect(heapAddress(other)).not.toBe(address);
    pinArray(zeroed);
    recycleArray(zeroed);
    const third = takeArray('float32', size) as Float32Array;
    expect(heapAddress(third)).not.toBe(address);
    recycleArray(other);
    recycleArray(third);
  });

  it('gives the scalar loops’ results bit for bit on heap operands, offsets, odd sizes and mixed operands', () => {
    const generator = seed(2);
    const kernel = defineKernel(
      'test.heapAdam',
      { inputs: ['m', 'v', 'p'], scalars: ['a', 'b'] },
      ({ m, v, p, a, b }) => e.add(e.div(e.mul(m, a), e.add(e.sqrt(v), 1e-8)), e.mul(b, p)),
    );
    for (const size of [4097, 140_001]) {
      const values = [0, 1, 2].map(() => randn([size], { generator }).dataSync() as Float32Array);
      values[1] = values[1]!.map(Math.abs);
      // Heap tensors, a small foreign-array tensor mixed in, and views with an offset.
      const onHeap = values.map((v) => tensor(v));
      const offsetViews = onHeap.map((x) => slice(x, [{ start: 1, stop: size - 1 }]));
      for (const inputs of [onHeap, offsetViews, [onHeap[0]!, tensor(values[1]!.slice()), onHeap[2]!]]) {
        const simd = fusedMap(kernel, inputs, [0.5, -0.25]).dataSync();
        const reference = scalarMode(() =>
          fusedMap(
            kernel,
            inputs.map((x) => tensor(x.dataSync())),
            [0.5, -0.25],
          ).dataSync(),
        );
        expect(firstDifference(simd, reference)).toBe(-1);
      }
      for (const op of [
        (x: Tensor, y: Tensor) => add(x, y),
        (x: Tensor, y: Tensor) => mul(x, y),
        (x: Tensor) => exp(x),
        (x: Tensor) => relu(x),
        (x: Tensor) => add(x, tensor(2.5)),
      ]) {
        for (const [x, y] of [
          [onHeap[0]!, onHeap[2]!],
          [offsetViews[0]!, offsetViews[2]!],
        ]) {
          const simd = op(x!, y!).dataSync();
          const reference = scalarMode(() => op(tensor(x!.dataSync()), tensor(y!.dataSync())).dataSync());
          // exp is within 2 ulp of the scalar Math.exp (kernel-runtime.ts); the rest are exact.
          if (op.toString().includes('exp')) expect(maximumRelativeError(simd, reference)).toBeLessThan(2.5e-7);
          else expect(firstDifference(simd, reference)).toBe(-1);
        }
      }
      dispose([...onHeap, ...offsetViews]);
    }
  });

  it('writes kernel results into heap storages and reuses the blocks of disposed ones', () => {
    const generator = seed(3);
    const x = randn([50_000], { generator });
    const y = randn([50_000], { generator });
    // Warm up, so that the scratch block exists; then the heap must not grow for heap-only operands.
    dispose(add(x, y));
    const before = heapUsage().topBytes;
    for (let round = 0; round < 5; round++) dispose(add(x, y));
    expect(heapUsage().topBytes).toBe(before);
    expect(heapAddress(storageOf(add(x, y)))).toBeDefined();
  });
});

describe.runIf(shared)('matmul packing from the kernel heap', () => {
  it('gives bit for bit the product of the same values in ordinary arrays, transposed or not, odd sizes', () => {
    const generator = seed(5);
    // An ordinary (foreign) array shared by fromNdarray is packed by the JavaScript loops; the
    // heap copy by the kernel module's pack. Same packed values, same kernel: same bits.
    const foreign = (x: Tensor) => fromNdarray(ndarray(new Float32Array(x.dataSync() as Float32Array), [...x.shape]));
    for (const [m, k, n] of [
      [128, 784, 256],
      [37, 300, 19],
      [5, 4100, 9],
    ] as const) {
      const a = randn([m, k], { generator });
      const b = randn([k, n], { generator });
      const at = transpose(randn([k, m], { generator }));
      const bt = transpose(randn([n, k], { generator }));
      for (const [x, y] of [
        [a, b],
        [at, bt],
        [a, bt],
      ] as const) {
        expect(heapAddress(storageOf(x))).toBeDefined();
        const fromHeap = matmul(x, y).dataSync();
        const xs = x === at ? transpose(foreign(transpose(x))) : foreign(x);
        const ys = y === bt ? transpose(foreign(transpose(y))) : foreign(y);
        expect(heapAddress(storageOf(xs))).toBeUndefined();
        expect(firstDifference(fromHeap, matmul(xs, ys).dataSync())).toBe(-1);
      }
    }
  });
});

describe('row-broadcast binary ops on SIMD', () => {
  it('equal the scalar loop bit for bit: a bias added to a batch, either side repeated, odd widths, heap or not', () => {
    const generator = seed(4);
    for (const [rows, columns] of [
      [128, 256],
      [3, 17],
      [64, 10],
      [5, 4099],
    ] as const) {
      const block = randn([rows, columns], { generator });
      const row = randn([columns], { generator });
      const reference = (op: (x: Tensor, y: Tensor) => Tensor, x: Tensor, y: Tensor) =>
        scalarMode(() =>
          op(tensor(x.dataSync(), { shape: x.shape }), tensor(y.dataSync(), { shape: y.shape })).dataSync(),
        );
      for (const op of [add, mul, (x: Tensor, y: Tensor) => div(x, y), (x: Tensor, y: Tensor) => sub(x, y)]) {
        expect(firstDifference(op(block, row).dataSync(), reference(op, block, row))).toBe(-1);
        expect(firstDifference(op(row, block).dataSync(), reference(op, row, block))).toBe(-1);
      }
    }
  });
});

describe.runIf(shared)('kernel heap allocator', () => {
  it('merges freed neighbours and gives memory that reaches the top back to it', () => {
    const top = heapUsage().topBytes;
    const blocks = Array.from({ length: 40 }, (_, index) => allocateBlock(4096 * (1 + (index % 7)))!);
    // Freed in a shuffled order: the blocks merge whatever the order, and the last one returns all to the top.
    const order = blocks.map((_, index) => (index * 17) % blocks.length);
    expect(new Set(order).size).toBe(blocks.length);
    order.forEach((index) => freeBlock(blocks[index]!));
    expect(heapUsage().topBytes).toBe(top);
  });

  it('never hands out overlapping blocks under random allocation and release, and splits larger free blocks', () => {
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const { topBytes: top, freeBytes: freeBefore } = heapUsage();
    const live: { address: number; bytes: number }[] = [];
    let split = false;
    for (let step = 0; step < 3000; step++) {
      if (live.length > 0 && random() < 0.45) {
        freeBlock(live.splice(Math.floor(random() * live.length), 1)[0]!);
        continue;
      }
      const before = heapUsage();
      const block = allocateBlock(Math.floor(1 + random() * 200_000))!;
      // Served from the free blocks (no fresh memory) while one was larger than needed.
      if (heapUsage().topBytes === before.topBytes && before.freeBytes - heapUsage().freeBytes === block.bytes)
        split ||= true;
      for (const other of live)
        expect(block.address + block.bytes <= other.address || other.address + other.bytes <= block.address).toBe(true);
      live.push(block);
    }
    expect(split).toBe(true);
    live.forEach((block) => freeBlock(block));
    // All of it merged and went back below the old top (the collector may have freed other
    // tests' storages meanwhile, which only lowers these numbers).
    const after = heapUsage();
    expect(after.topBytes).toBeLessThanOrEqual(top);
    expect(after.topBytes - after.freeBytes).toBeLessThanOrEqual(top - freeBefore);
  });

  it('serves a new size from a larger freed block, so a program that changes shapes keeps its storages in the heap', () => {
    const size = 4 * 1024 * 1024; // 16 MiB each
    const blocks = Array.from({ length: 4 }, () => takeArray('float32', size) as Float32Array);
    const keep = takeArray('float32', 4096) as Float32Array; // holds the freed blocks below the top
    blocks.forEach((block) => recycleArray(block));
    const top = heapUsage().topBytes;
    const other = takeArray('float32', 3 * size) as Float32Array; // a size no block had: the merged 64 MiB serves it
    expect(heapAddress(other)).toBe(heapAddress(blocks[0]!));
    expect(heapUsage().topBytes).toBe(top);
    // A reused block zeroes where asked (its memory was written before).
    other.fill(7);
    recycleArray(other);
    const zeroed = zeroedArray('float32', size) as Float32Array;
    expect(heapAddress(zeroed)).toBeDefined();
    expect(zeroed.every((value) => value === 0)).toBe(true);
    recycleArray(zeroed);
    recycleArray(keep);
  });
});

describe.runIf(shared)('kernel heap idle limit', () => {
  it('takes no fresh memory for a size no free block holds while more than 256 MiB of freed blocks wait, but still serves smaller sizes from them', () => {
    const size = 4 * 1024 * 1024; // 16 MiB each
    // Freed 16 MiB blocks separated by live small ones, so they cannot merge.
    const pairs = Array.from({ length: 17 }, () => [
      takeArray('float32', size) as Float32Array,
      takeArray('float32', 4096) as Float32Array,
    ]);
    expect(pairs.every(([block]) => heapAddress(block!) !== undefined)).toBe(true);
    pairs.forEach(([block]) => recycleArray(block));
    expect(heapUsage().freeBytes).toBeGreaterThan(256 * 1024 * 1024);
    const top = heapUsage().topBytes;
    const tooLarge = takeArray('float32', size + 4096) as Float32Array;
    expect(heapAddress(tooLarge)).toBeUndefined();
    expect(heapUsage().topBytes).toBe(top);
    const smaller = takeArray('float32', size / 2) as Float32Array;
    expect(pairs.map(([block]) => heapAddress(block!))).toContain(heapAddress(smaller));
    recycleArray(smaller);
    pairs.forEach(([, small]) => recycleArray(small));
  });
});

/** The first index where the two differ (Object.is, so NaN equals NaN and signs of zero count), or -1. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let index = 0; index < expected.length; index++) if (!Object.is(actual[index], expected[index])) return index;
  return -1;
}

function maximumRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let index = 0; index < expected.length; index++) {
    const scale = Math.max(Math.abs(expected[index]!), 1e-30);
    worst = Math.max(worst, Math.abs(actual[index]! - expected[index]!) / scale);
  }
  return worst;
}
