// Float32 add/sub/mul/div over broadcasts with a contiguous (or per-row scalar) innermost axis
// on the SIMD row kernels, and large add/sub/mul/div/exp split over the kernel threads
// (simd-broadcast.ts). The four ops are exact elementwise, so every result must equal the
// JavaScript loop (setKernelMode('scalar')) bit for bit, NaN and the sign of zero included; exp
// must give the same bits on one thread and two.
import { afterEach, describe, expect, it } from 'vitest';
import {
  add,
  div,
  exp,
  kernelInfo,
  kernelThreadsReady,
  mul,
  relu,
  setKernelMode,
  setThreadCount,
  slice,
  sub,
  tanh,
  tensor,
  transpose,
  type Tensor,
} from '../index.js';
import { simdKernels } from './kernel-runtime.js';
import { simdBinaryStrided } from './simd-elementwise.js';
import { ELEMENTWISE_PARALLEL_MINIMUM, EXP_PARALLEL_MINIMUM } from './simd-broadcast.js';
import { expectSameBits, simdAndLoop } from './test-support/simd-comparisons.js';

const SIMD_OFF = simdKernels() === undefined;
const initialThreads = kernelInfo().threads.requested;

afterEach(() => {
  setKernelMode('simd');
  setThreadCount(initialThreads);
});

const SPECIAL = [0, -0, 1, -1, 0.5, -2.5, 3e38, -3e38, 1.4e-45, -1.4e-45, 1e-40, Infinity, -Infinity, NaN, 7, 1 / 3];

/** Deterministic float32 values, every 7th one special. */
function values(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length: count }, (_, index) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return index % 7 === 3 ? SPECIAL[state % SPECIAL.length]! : (state / 2 ** 32 - 0.5) * 20;
  });
}

const OPS = { add, sub, mul, div } as const;

describe.skipIf(SIMD_OFF)('SIMD broadcasts with a contiguous innermost axis', () => {
  it('simdBinaryStrided takes [R, C] ∘ [R, 1] and equals the float64 operation rounded once', () => {
    for (const columns of [1, 2, 3, 4, 5, 7, 8, 10, 17, 33]) {
      const rows = 6;
      const x = values(rows * columns, columns);
      const m = values(rows, columns + 100);
      const out = new Float32Array(rows * columns);
      const done = simdBinaryStrided(
        'sub',
        { values: x, offset: 0, strides: [columns, 1] },
        { values: m, offset: 0, strides: [1, 0] },
        out,
        [rows, columns],
      );
      expect(done).toBe(true);
      const expected = Float32Array.from(x, (value, index) => value - m[Math.floor(index / columns)]!);
      expectSameBits(out, expected, `[${rows}, ${columns}] − [${rows}, 1]`);
    }
  });

  it('leaves negative strides and non-unit inner strides to the loop', () => {
    const x = new Float32Array(8);
    const out = new Float32Array(4);
    expect(
      simdBinaryStrided(
        'add',
        { values: x, offset: 0, strides: [2] },
        { values: x, offset: 0, strides: [1] },
        out,
        [4],
      ),
    ).toBe(false);
    expect(
      simdBinaryStrided(
        'add',
        { values: x, offset: 4, strides: [-4, 1] },
        { values: x, offset: 0, strides: [4, 1] },
        out,
        [2, 2],
      ),
    ).toBe(false);
  });

  it('equals the loop bit for bit on column, row, middle-axis and strided broadcasts', () => {
    for (const [name, op] of Object.entries(OPS)) {
      for (const columns of [1, 3, 4, 10, 17, 64]) {
        const rows = 9;
        const x = tensor(values(rows * columns, columns * 3 + 1), { shape: [rows, columns] });
        const column = tensor(values(rows, columns * 5 + 2), { shape: [rows, 1] });
        const row = tensor(values(columns, columns * 7 + 3), { shape: [columns] });
        const cases: [string, () => Tensor][] = [
          [`${name} [${rows}, ${columns}] ∘ [${rows}, 1]`, () => op(x, column)],
          [`${name} [${rows}, 1] ∘ [${rows}, ${columns}]`, () => op(column, x)],
          [`${name} [${rows}, ${columns}] ∘ [${columns}]`, () => op(x, row)],
          [`${name} [${columns}] ∘ [${rows}, ${columns}]`, () => op(row, x)],
          [`${name} [${rows}, 1] ∘ [${columns}] (outer)`, () => op(column, row)],
          [`${name} every other row ∘ [5, 1]`, () => op(slice(x, [{ step: 2 }]), slice(column, [{ step: 2 }]))],
          [`${name} columns 1..end ∘ column`, () => op(slice(x, [null, { start: 1 }]), column)],
          [`${name} reversed rows ∘ column (negative stride: the loop)`, () => op(slice(x, [{ step: -1 }]), column)],
        ];
        for (const [label, run] of cases) {
          const [simd, loop] = simdAndLoop(run);
          expectSameBits(simd, loop, label);
        }
      }
      // [N, C, H·W] ∘ [1, C, 1] (a per-channel value) and a transposed middle pair.
      const x3 = tensor(values(4 * 5 * 13, 91), { shape: [4, 5, 13] });
      const channel = tensor(values(5, 92), { shape: [1, 5, 1] });
      const [simd, loop] = simdAndLoop(() => op(x3, channel));
      expectSameBits(simd, loop, `${name} [4, 5, 13] ∘ [1, 5, 1]`);
      const swapped = tensor(values(5 * 4 * 13, 93), { shape: [5, 4, 13] });
      const [simdT, loopT] = simdAndLoop(() => op(x3, transpose(swapped, 0, 1)));
      expectSameBits(simdT, loopT, `${name} [4, 5, 13] ∘ transposed [5, 4, 13]`);
    }
  });
});

describe.skipIf(SIMD_OFF)('large elementwise ops over the kernel threads', () => {
  it('gives the same bits on one thread and two, the loop bits for add/sub/mul/div', async () => {
    const size = Math.max(ELEMENTWISE_PARALLEL_MINIMUM, 1 << 20) + 37;
    const a = tensor(values(size, 11));
    const b = tensor(values(size, 12));
    const scalar = tensor(values(1, 13));
    const wide = tensor(values(2048 * 515, 14), { shape: [2048, 515] });
    const column = tensor(values(2048, 15), { shape: [2048, 1] });
    const cases: [string, () => Tensor][] = [
      ['add', () => add(a, b)],
      ['sub with a scalar', () => sub(a, scalar)],
      ['mul', () => mul(a, b)],
      ['div by a tensor from a scalar', () => div(scalar, b)],
      ['[2048, 515] − [2048, 1]', () => sub(wide, column)],
      ['[2048, 1] / [2048, 515]', () => div(column, wide)],
      [
        '[2048, 515] columns 3.. (a view, 2^20 values) · [2048, 1]',
        () => mul(slice(wide, [null, { start: 3 }]), column),
      ],
      ['exp', () => exp(a)],
      // The compiled unary ops were already split (simd-fused.ts's runCompiledMap); checked here too.
      ['tanh (compiled map kernel)', () => tanh(a)],
      ['relu (compiled map kernel)', () => relu(a)],
      ['exp of 2^18 values', () => exp(tensor(values(EXP_PARALLEL_MINIMUM, 16)))],
    ];
    setThreadCount(1);
    const single = cases.map(([, run]) => run().dataSync());
    setThreadCount(2);
    expect((await kernelThreadsReady()).active).toBe(2);
    cases.forEach(([label, run], index) => {
      const before = kernelInfo().threads.parallelCalls;
      expectSameBits(run().dataSync(), single[index]!, label);
      expect(kernelInfo().threads.parallelCalls, label).toBeGreaterThan(before);
    });
    for (const [label, run] of cases.slice(0, 7)) {
      const [simd, loop] = simdAndLoop(run);
      expectSameBits(simd, loop, `${label} on two threads against the loop`);
    }
  }, 60_000);
});
