// Float32 row reductions on SIMD (simd-reductions.ts). Sums are checked against an exact
// reference (compensated float64 summation of float32 inputs, rounded once to float32: the
// kernel's float64 lanes must land within half a float32 ulp of it, plus a float64-sized margin);
// max and min must equal the JavaScript loop bit for bit, NaN and the sign of zero included.
import { afterEach, describe, expect, it } from 'vitest';
import {
  argmax,
  argmin,
  cumprod,
  cumsum,
  kernelInfo,
  kernelThreadsReady,
  max,
  min,
  prod,
  setKernelMode,
  setThreadCount,
  sum,
  tensor,
  zeros,
  type Tensor,
} from '../index.js';
import { simdKernels } from './kernel-runtime.js';
import { simdReduceColumns, simdReduceRows } from './simd-reductions.js';
import { expectSameBits, simdAndLoop, random } from './test-support/simd-comparisons.js';

const SIMD_OFF = simdKernels() === undefined;

const initialThreads = kernelInfo().threads.requested;

afterEach(() => {
  setKernelMode('simd');
  setThreadCount(initialThreads);
});

/** Σ values by Neumaier's compensated summation: exact to float64 rounding for these sizes. */
function exactSum(values: Float32Array, start: number, count: number): number {
  let total = 0;
  let compensation = 0;
  for (let index = start; index < start + count; index++) {
    const value = values[index]!;
    const next = total + value;
    compensation += Math.abs(total) >= Math.abs(value) ? total - next + value : value - next + total;
    total = next;
  }
  return total + compensation;
}

/** One float32 ulp at |value|. */
function float32Ulp(value: number): number {
  const magnitude = Math.max(Math.abs(Math.fround(value)), 1.1754943508222875e-38);
  const exponent = Math.floor(Math.log2(magnitude));
  return 2 ** (exponent - 23);
}

describe.skipIf(SIMD_OFF)('simdReduceRows', () => {
  it('sums rows of every length modulo 8 to within half a float32 ulp of the exact sum', () => {
    const next = random(7);
    for (const columns of [1, 2, 3, 5, 7, 16, 17, 18, 19, 20, 21, 22, 23, 24, 31, 1000, 1027]) {
      const rows = 5;
      const values = new Float32Array(rows * columns + 3).map(() => (next() - 0.3) * 100);
      const out = new Float32Array(rows);
      expect(simdReduceRows('sum', values, 3, rows, columns, out)).toBe(true);
      for (let row = 0; row < rows; row++) {
        const exact = exactSum(values, 3 + row * columns, columns);
        let absolute = 0;
        for (let index = 0; index < columns; index++) absolute += Math.abs(values[3 + row * columns + index]!);
        const bound = 0.5 * float32Ulp(exact) + columns * 2 ** -53 * absolute;
        expect(Math.abs(out[row]! - exact), `columns ${columns}, row ${row}`).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('sums a million values in float64 lanes: 1 + 2^-24 a million times is exact', () => {
    // Float32 accumulation would stall at 1 + ... (2^-24 is half an ulp of 1); float64 lanes
    // keep every term: 1e6 · (1 + 2^-24) = 1e6 + 0.0596..., which rounds to 1000000.0625.
    const values = new Float32Array(1_000_000).fill(1 + 2 ** -23);
    values[0] = 1;
    const out = new Float32Array(1);
    expect(simdReduceRows('sum', values, 0, 1, values.length, out)).toBe(true);
    expect(out[0]).toBe(Math.fround(1_000_000 + 999_999 * 2 ** -23));
  });

  it('finds max and min, with NaN anywhere in a row (vector part or tail) winning', () => {
    const columns = 21;
    for (const position of [0, 3, 8, 15, 16, 20]) {
      const values = new Float32Array(columns).map((_, index) => index - 10);
      values[position] = NaN;
      const out = new Float32Array(1);
      for (const kind of ['max', 'min'] as const) {
        expect(simdReduceRows(kind, values, 0, 1, columns, out)).toBe(true);
        expect(Number.isNaN(out[0]), `${kind}, NaN at ${position}`).toBe(true);
      }
    }
    // Permutations of 0..20: the maximum in the tail (multiplier 1) and in the vector part (5).
    for (const multiplier of [1, 5]) {
      const values = new Float32Array(columns).map((_, index) => (index * multiplier) % columns);
      const out = new Float32Array(1);
      simdReduceRows('max', values, 0, 1, columns, out);
      expect(out[0]).toBe(20);
      simdReduceRows('min', values, 0, 1, columns, out);
      expect(out[0]).toBe(0);
    }
  });

  it('returns the first zero of the row when the extreme is zero, as the loop does', () => {
    const columns = 20;
    for (const [first, second] of [
      [0, -0],
      [-0, 0],
    ]) {
      for (const [kind, filler] of [
        ['max', -1],
        ['min', 1],
      ] as const) {
        const values = new Float32Array(columns).fill(filler);
        values[17] = first!;
        values[18] = second!;
        const out = new Float32Array(1);
        expect(simdReduceRows(kind, values, 0, 1, columns, out)).toBe(true);
        expect(Object.is(out[0], first), `${kind} of [${Object.is(first, -0) ? '-0' : '0'}, ...]`).toBe(true);
      }
    }
  });
});

describe.skipIf(SIMD_OFF)('simdReduceColumns', () => {
  it('sums each column in row order in float64: small integers exactly, and 1 + 2^-23 terms without loss', () => {
    // Columns of [outer 2, reduced 5, inner 18]: value = column + 100·block + row, so each
    // column sum is 5·(column + 100·block) + 10 exactly; column 17 also checks the last,
    // partly used vector (18 = 4·4 + 2).
    const [outer, reduced, inner] = [2, 5, 18];
    const values = new Float32Array(outer * reduced * inner + 1);
    for (let block = 0; block < outer; block++)
      for (let row = 0; row < reduced; row++)
        for (let column = 0; column < inner; column++)
          values[1 + (block * reduced + row) * inner + column] = column + 100 * block + row;
    const out = new Float32Array(outer * inner);
    expect(simdReduceColumns('sum', values, 1, outer, reduced, inner, out)).toBe(true);
    for (let block = 0; block < outer; block++)
      for (let column = 0; column < inner; column++)
        expect(out[block * inner + column]).toBe(5 * (column + 100 * block) + 10);
    // Float32 accumulation would lose every 2^-23 term after the first (half an ulp of 2);
    // float64 keeps them: 1 + 4095 · (1 + 2^-23) in float32 is 4096.0004882812500.
    const tall = new Float32Array(4096 * 16).fill(1 + 2 ** -23);
    tall.fill(1, 0, 16);
    const sums = new Float32Array(16);
    expect(simdReduceColumns('sum', tall, 0, 1, 4096, 16, sums)).toBe(true);
    for (const value of sums) expect(value).toBe(Math.fround(4096 + 4095 * 2 ** -23));
  });
});

describe.skipIf(SIMD_OFF)('float32 reductions through the CPU backend', () => {
  it('are listed in kernelInfo().simdKernels', () => {
    expect(kernelInfo().simdKernels.filter((name) => name.startsWith('sum/mean/max/min'))).toHaveLength(1);
  });

  it('sums over leading and middle axes equal the scalar loop bit for bit (same order per column)', () => {
    const next = random(17);
    const specials = [Infinity, -Infinity, NaN, -0, 3.4028234663852886e38];
    for (const [shape, axes] of [
      [[128, 256], [0]],
      [[3, 40, 19], [1]],
      [
        [4, 6, 5, 17],
        [0, 2],
      ],
      [[0, 20], [0]],
      [[64, 33], [0]],
      [[200, 5], [0]],
    ] as const) {
      const size = shape.reduce((product: number, dimension) => product * dimension, 1);
      const data = Array.from({ length: size }, () =>
        next() < 0.002 ? specials[Math.floor(next() * specials.length)]! : (next() - 0.5) * 1e3 * next(),
      );
      const x = size === 0 ? zeros([...shape]) : tensor(data, { shape: [...shape], dtype: 'float32' });
      setKernelMode('simd');
      const simdResult = Array.from(sum(x, [...axes]).dataSync());
      setKernelMode('scalar');
      const scalarResult = Array.from(sum(x, [...axes]).dataSync());
      expect(simdResult.length).toBe(scalarResult.length);
      simdResult.forEach((value, index) =>
        expect(Object.is(value, scalarResult[index]), `${shape.join('x')} at ${index}`).toBe(true),
      );
    }
  });

  const SPECIAL = [0, -0, 1, -1, 2.5, -3.25, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45];

  it('max and min over the last axis and over everything equal the scalar loop bit for bit', () => {
    const next = random(11);
    // Short rows too: from 256 values in all the row kernels take rows of any length.
    for (const [rows, columns] of [
      [3, 16],
      [7, 37],
      [128, 1024],
      [300, 1],
      [200, 2],
      [100, 5],
      [40, 7],
    ] as const) {
      const data = Array.from({ length: rows * columns }, () =>
        next() < 0.2 ? SPECIAL[Math.floor(next() * SPECIAL.length)]! : next() < 0.01 ? NaN : (next() - 0.5) * 8,
      );
      const x = tensor(data, { shape: [rows, columns], dtype: 'float32' });
      for (const reduce of [max, min]) {
        for (const axis of [-1, undefined]) {
          setKernelMode('simd');
          const simdResult = Array.from(reduce(x, axis).dataSync());
          setKernelMode('scalar');
          const scalarResult = Array.from(reduce(x, axis).dataSync());
          expect(simdResult.length).toBe(scalarResult.length);
          simdResult.forEach((value, index) => expect(Object.is(value, scalarResult[index]), `${index}`).toBe(true));
        }
      }
    }
  });

  it('sum over the last axis is within half a float32 ulp of the exact row sums', () => {
    const next = random(13);
    const [rows, columns] = [128, 1024];
    const values = new Float32Array(rows * columns).map(() => next() * 2 - 0.9);
    const result = sum(tensor(values, { shape: [rows, columns] }), -1).dataSync();
    for (let row = 0; row < rows; row++) {
      const exact = exactSum(values, row * columns, columns);
      expect(Math.abs(result[row]! - exact)).toBeLessThanOrEqual(0.5 * float32Ulp(exact) + 1e-12);
    }
  });
});

describe.skipIf(SIMD_OFF)('max, min and prod over leading and middle axes', () => {
  const SPECIAL = [0, -0, 1, -1, Infinity, -Infinity, NaN, 3.4028234663852886e38, 1.401298464324817e-45];

  it('equal the scalar loop bit for bit, NaN, infinities and the sign of zero included', () => {
    const next = random(23);
    for (const [shape, axes] of [
      [[128, 256], [0]],
      [[3, 40, 19], [1]],
      [[5, 16], [0]],
      [
        [4, 6, 5, 17],
        [0, 2],
      ],
      [[64, 33], [0]],
      // Narrow columns: from 4 (one vector) when there are 256 values in all.
      [[300, 4], [0]],
      [[70, 10], [0]],
      [[6, 50, 5], [1]],
    ] as const) {
      const size = shape.reduce((product: number, dimension) => product * dimension, 1);
      // Mostly values near ±1 (so that products neither overflow nor vanish at once), some
      // specials, and whole columns of zeros of mixed sign (the first zero must be kept).
      const data = Array.from({ length: size }, (_, index) =>
        index % 19 === 3
          ? (index >> 4) % 2 === 0
            ? 0
            : -0
          : next() < 0.02
            ? SPECIAL[Math.floor(next() * SPECIAL.length)]!
            : (next() < 0.5 ? -1 : 1) * (0.6 + next() * 0.8),
      );
      const x = tensor(data, { shape: [...shape], dtype: 'float32' });
      for (const reduce of [max, min, prod]) {
        const [simd, loop] = simdAndLoop(() => reduce(x, [...axes]));
        expectSameBits(simd, loop, `${reduce.name} of ${shape.join('x')} over ${axes.join(',')}`);
      }
    }
  });

  it('max over a column keeps its first zero, and its last NaN wins, as the loop', () => {
    // Column 0: −0 then +0 (max −0, min −0); column 1: +0 then −0; column 2: NaN at row 5.
    const [rows, columns] = [8, 16];
    const values = new Float32Array(rows * columns).fill(-1);
    values[0] = -0;
    values[columns] = 0;
    values[1] = 0;
    values[columns + 1] = -0;
    values[5 * columns + 2] = NaN;
    const x = tensor(values, { shape: [rows, columns] });
    const maxima = max(x, 0).dataSync();
    expect(Object.is(maxima[0], -0)).toBe(true);
    expect(Object.is(maxima[1], 0)).toBe(true);
    expect(maxima[2]).toBeNaN();
    expect(maxima[3]).toBe(-1);
  });

  it('prod over the first axis multiplies each column in row order in float64', () => {
    // (1 + 2^-12)^40 multiplied in float64 and rounded once is 1.0098122 in float32; a
    // float32 running product (rounding after every factor) drifts to 1.0098132.
    const [rows, columns] = [40, 16];
    const factor = 1 + 2 ** -12;
    const x = tensor(new Float32Array(rows * columns).fill(factor), { shape: [rows, columns] });
    let expected = 1;
    let float32Running = 1;
    for (let row = 0; row < rows; row++) {
      expected *= factor;
      float32Running = Math.fround(float32Running * factor);
    }
    expect(Math.fround(expected)).not.toBe(float32Running);
    for (const value of prod(x, 0).dataSync()) expect(value).toBe(Math.fround(expected));
  });
});

describe.skipIf(SIMD_OFF)('reductions on the kernel threads', () => {
  it('give the same bits on one thread and on two, and split large calls', async () => {
    const next = random(29);
    const flat = tensor(Float32Array.from({ length: (1 << 21) + 37 }, () => (next() - 0.4) * 50));
    const wide = tensor(
      Float32Array.from({ length: 1024 * 1100 }, () => (next() - 0.5) * 8),
      { shape: [1024, 1100] },
    );
    // Factors near 1: products of 1100 of them stay finite.
    const factors = tensor(
      Float32Array.from({ length: 1024 * 1100 }, () => 1 + (next() - 0.5) * 0.02),
      { shape: [1024, 1100] },
    );
    const cases: [string, () => Tensor][] = [
      ['sum of 2^21 + 37 values (segments)', () => sum(flat)],
      ['max of 2^21 + 37 values (segments)', () => max(flat)],
      ['min of 2^21 + 37 values (segments)', () => min(flat)],
      ['sum over the last axis of [1024, 1100] (rows)', () => sum(wide, -1)],
      ['max over the last axis of [1024, 1100] (rows)', () => max(wide, -1)],
      ['argmax over the last axis of [1024, 1100] (rows)', () => argmax(wide, -1)],
      ['argmin over the last axis of [1024, 1100] (rows)', () => argmin(wide, -1)],
      ['prod over the last axis of [1024, 1100] (rows)', () => prod(factors, -1)],
      ['cumsum over the last axis of [1024, 1100] (rows)', () => cumsum(wide, -1)],
      ['cumprod over the last axis of [1024, 1100] (rows)', () => cumprod(factors, -1)],
    ];
    setThreadCount(1);
    const single = cases.map(([, run]) => run().dataSync());
    setThreadCount(2);
    expect((await kernelThreadsReady()).active).toBe(2);
    const calls = kernelInfo().threads.parallelCalls;
    cases.forEach(([label, run], index) => {
      const before = kernelInfo().threads.parallelCalls;
      expectSameBits(run().dataSync(), single[index]!, label);
      expect(kernelInfo().threads.parallelCalls, label).toBeGreaterThan(before);
    });
    expect(kernelInfo().threads.parallelCalls).toBeGreaterThan(calls);
    // Everything but the sums is the loop's own result, bit for bit, on two threads too.
    for (const index of [1, 2, 4, 5, 6, 7, 8, 9]) {
      const [simd, loop] = simdAndLoop(cases[index]![1]);
      expectSameBits(simd, loop, cases[index]![0]);
    }
  }, 60_000);

  it('sum a long row by segments within (S/8 + 3 + n/S)·2^-53·Σ|x| of the exact sum', () => {
    const next = random(31);
    const values = Float32Array.from({ length: 3 * (1 << 16) + 1001 }, () => (next() - 0.3) * 100);
    const exact = exactSum(values, 0, values.length);
    let absolute = 0;
    for (const value of values) absolute += Math.abs(value);
    const bound = 0.5 * float32Ulp(exact) + ((1 << 16) / 8 + 3 + 4) * 2 ** -53 * absolute;
    expect(Math.abs(sum(tensor(values)).dataSync()[0]! - exact)).toBeLessThanOrEqual(bound);
  });
});

describe.skipIf(SIMD_OFF)('reductions over non-adjacent axes (a float64 first stage)', () => {
  it('max, min and prod equal the loop bit for bit; sums stay within the bound of the exact sum', () => {
    const next = random(37);
    for (const [shape, axes] of [
      [
        [8, 16, 12, 12],
        [0, 2, 3],
      ],
      [
        [6, 20, 40],
        [0, 2],
      ],
    ] as const) {
      const size = shape.reduce((product: number, dimension) => product * dimension, 1);
      const values = Float32Array.from({ length: size }, () => (next() < 0.5 ? -1 : 1) * (0.9 + next() * 0.2));
      values[5] = -0;
      const x = tensor(values, { shape: [...shape] });
      for (const reduce of [max, min, prod]) {
        const [simd, loop] = simdAndLoop(() => reduce(x, [...axes]));
        expectSameBits(simd, loop, `${reduce.name} of ${shape.join('x')} over ${axes.join(',')}`);
      }
      // Sums: the exact sum over the selected elements of each kept index (compensated).
      const sums = sum(x, [...axes]).dataSync();
      const kept = shape.map((_, axis) => axis).filter((axis) => !(axes as readonly number[]).includes(axis));
      const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((product: number, d) => product * d, 1));
      for (let position = 0; position < sums.length; position++) {
        const selected: number[] = [];
        for (let index = 0; index < size; index++) {
          const keptIndex = kept.reduce(
            (flat, axis) => flat * shape[axis]! + (Math.floor(index / strides[axis]!) % shape[axis]!),
            0,
          );
          if (keptIndex === position) selected.push(values[index]!);
        }
        const exact = exactSum(Float32Array.from(selected), 0, selected.length);
        const absolute = selected.reduce((total, value) => total + Math.abs(value), 0);
        expect(Math.abs(sums[position]! - exact), `sum at ${position}`).toBeLessThanOrEqual(
          0.5 * float32Ulp(exact) + selected.length * 2 ** -53 * absolute,
        );
      }
    }
  });
});
