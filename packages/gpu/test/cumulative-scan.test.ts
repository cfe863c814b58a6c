/**
 * cumsum/cumprod as a blocked parallel scan (src/cumulative-scan.ts): the pass count, and
 * agreement with the CPU backend (the reference; it accumulates in float64) on random shapes and
 * axes, long axes, NaN, views and int32 inputs.
 *
 * Tolerance. The scan combines float32 values in another order than one sequential run.
 * A sum: every value reaches an output through at most 2·16 additions per level of the scan
 * (inside a piece's total, then inside a prefix; SCAN_PIECE = 16), over ⌈log_16 n⌉ levels, and
 * each addition rounds by at most u = 2^−24 relative, so to first order the output is off by at
 * most chain·u·Σ|x| over the prefix (chain = 2·16·levels). A product: every multiplication rounds
 * the whole product once, in any order, so the prefix product of a + 1 values is off by at most
 * a·u relative, as a sequential float32 run is (values near 1 drift that way: at 10^5 values the
 * sequential float32 run is 2.4e-4 off the float64 one, the scan 7.4e-4, the bound 6e-3). The
 * cpu's float32 store adds one more u·|result|. GPUs flush float32 subnormals to zero, so a
 * result below the smallest normal, 2^−126 (a long product of values below 1), may read 0: every
 * bound has 2^−126 added. int32 sums below 2^24 are exact.
 */
import * as vane from '@vane/tensor';
import { tidy } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, gpuTextureCount, resetGpuStats } from '../src/index.js';
import { SCAN_PIECE } from '../src/cumulative-scan.js';
import { gpuReady } from './gpu-availability.js';

const UNIT_ROUNDOFF = 2 ** -24;
const SMALLEST_NORMAL = 2 ** -126;
const chainLength = (length: number) =>
  2 * SCAN_PIECE * Math.max(1, Math.ceil(Math.log(length) / Math.log(SCAN_PIECE) - 1e-9));

/** A random shape of rank 1 to 3 holding at most about 2^20 values, with one axis up to `longest`. */
function randomShape(next: (limit: number) => number, longest: number): number[] {
  const rank = 1 + next(3);
  const long = next(rank);
  return Array.from({ length: rank }, (_, axis) => 1 + next(axis === long ? longest : 30));
}

/** A deterministic pseudo-random integer generator (the test's own, not the library's). */
function generator(seedValue: number) {
  let state = seedValue >>> 0;
  return (limit: number) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % limit;
  };
}

/**
 * Checks the gpu's `kind` along `axis` of `shape` against the cpu's, within the bound above:
 * for cumsum, chain·u·(running Σ|x| along the axis) + u·|want|; for cumprod, (a + 1)·u·|want| at
 * position a along the axis. Non-finite results must match exactly.
 */
function expectAgreement(kind: 'cumsum' | 'cumprod', values: Float32Array, shape: number[], axis: number): void {
  const cpu = vane.tensor(values, { shape });
  const want = vane[kind](cpu, axis).dataSync();
  const got = vane[kind](vane.tensor(values, { shape, backend: 'gpu' }), axis).dataSync();
  const chain = chainLength(shape[axis]!);
  const inner = shape.slice(axis + 1).reduce((product, extent) => product * extent, 1);
  const absolute = kind === 'cumsum' ? vane.cumsum(vane.abs(cpu), axis).dataSync() : undefined;
  expect(got.length).toBe(want.length);
  for (let index = 0; index < want.length; index++) {
    const expected = want[index]!;
    if (!Number.isFinite(expected)) {
      expect(Object.is(got[index], expected), `[${shape}] axis ${axis} at ${index}: ${got[index]}`).toBe(true);
      continue;
    }
    const along = Math.floor(index / inner) % shape[axis]!;
    const bound =
      SMALLEST_NORMAL +
      (kind === 'cumsum'
        ? chain * UNIT_ROUNDOFF * absolute![index]! + UNIT_ROUNDOFF * Math.abs(expected)
        : (along + 1) * UNIT_ROUNDOFF * Math.abs(expected));
    const error = Math.abs(got[index]! - expected);
    if (!(error <= bound))
      expect(error, `[${shape}] axis ${axis} at ${index}: ${got[index]} vs ${expected}`).toBeLessThanOrEqual(bound);
  }
}

describe.runIf(gpuReady)('cumsum/cumprod scans', () => {
  it('an axis of 2^20 values takes nine passes (four of piece totals, one short scan, four of prefixes)', () => {
    tidy(() => {
      const x = vane.ones([2 ** 20], { backend: 'gpu' });
      resetGpuStats();
      const scanned = vane.cumsum(x, 0);
      // 2^20 → 65536 → 4096 → 256 → 16 totals, a one-pass scan of 16, four prefix passes back.
      expect(SCAN_PIECE).toBe(16);
      expect(gpuStats().dispatches).toBe(9);
      // Sums of ones are exact in float32 up to 2^24: the scan is 1, 2, 3, ...
      const values = scanned.dataSync();
      for (const index of [0, 255, 256, 65_535, 65_536, 1_000_000, 2 ** 20 - 1])
        expect(values[index], `at ${index}`).toBe(index + 1);
    });
  });

  it('a scan keeps no texture: the count returns to where it was once its results are disposed', () => {
    const before = gpuTextureCount();
    tidy(() => {
      const x = vane.rand([3, 70_000], { generator: vane.seed(1), backend: 'gpu' });
      vane.cumsum(x, 1).dataSync();
      vane.cumprod(vane.transpose(x), 0).dataSync();
    });
    expect(gpuTextureCount()).toBe(before);
  });

  it.each(['cumsum', 'cumprod'] as const)('%s agrees with the cpu on random shapes and axes', (kind) => {
    tidy(() => {
      const next = generator(kind === 'cumsum' ? 21 : 22);
      for (let trial = 0; trial < 12; trial++) {
        const shape = randomShape(next, trial % 3 === 0 ? 1500 : 300);
        const axis = next(shape.length);
        const size = shape.reduce((product, extent) => product * extent, 1);
        const values = Float32Array.from({ length: size }, () =>
          kind === 'cumsum' ? next(20_001) / 1000 - 10 : 0.999 + next(2001) / 1_000_000,
        );
        expectAgreement(kind, values, shape, axis);
      }
    });
  });

  it.each(['cumsum', 'cumprod'] as const)('%s agrees with the cpu on long axes (10^5 and more)', (kind) => {
    tidy(() => {
      const next = generator(7);
      const length = 100_003;
      const values = Float32Array.from({ length: 2 * length }, () =>
        kind === 'cumsum' ? next(20_001) / 1000 - 10 : 0.99995 + next(1001) / 10_000_000,
      );
      expectAgreement(kind, values, [2, length], 1);
      expectAgreement(kind, values, [length, 2], 0);
      const longer = Float32Array.from({ length: 2 ** 18 - 3 }, (_, index) => values[index % values.length]!);
      expectAgreement(kind, longer, [longer.length], 0);
    });
  });

  it('propagates NaN and infinity from where they occur, as the cpu does', () => {
    tidy(() => {
      // Products of values in [0.5, 1.5] stay in float32's range here: the cpu accumulates in
      // float64, so a product that underflows float32 before an infinity is ±∞ there and NaN
      // (0·∞) on the gpu, with any order of evaluation.
      const values = Float32Array.from({ length: 3 * 1000 }, (_, index) => 1 + 0.5 * Math.sin(index));
      values[700] = NaN;
      values[1000 + 256] = Infinity;
      values[1000 + 600] = -Infinity;
      values[2000 + 999] = NaN;
      for (const kind of ['cumsum', 'cumprod'] as const) expectAgreement(kind, values, [3, 1000], 1);
      expectAgreement('cumsum', values, [1000, 3], 0);
    });
  });

  it('scans views: a transpose and a slice with an offset', () => {
    tidy(() => {
      const values = Float32Array.from({ length: 600 * 7 }, (_, index) => Math.cos(index) * 3);
      const expectView = (view: (x: vane.Tensor) => vane.Tensor, axis: number) => {
        const want = vane.cumsum(view(vane.tensor(values, { shape: [600, 7] })), axis).dataSync();
        const got = vane.cumsum(view(vane.tensor(values, { shape: [600, 7], backend: 'gpu' })), axis).dataSync();
        for (let index = 0; index < want.length; index++)
          expect(Math.abs(got[index]! - want[index]!)).toBeLessThanOrEqual(chainLength(600) * UNIT_ROUNDOFF * 3 * 600);
      };
      expectView((x) => vane.transpose(x), 1);
      expectView((x) => vane.slice(x, [{ start: 3, stop: 590 }, { start: 1 }]), 0);
    });
  });

  it('int32 sums are exact (partial sums below 2^24), and int32 products too', () => {
    tidy(() => {
      const next = generator(3);
      const length = 100_003;
      const values = Int32Array.from({ length: 2 * length }, () => next(201) - 100);
      for (const [shape, axis] of [
        [[2, length], 1],
        [[length, 2], 0],
      ] as const) {
        const want = Array.from(
          vane.cumsum(vane.tensor(values, { shape: [...shape], dtype: 'int32' }), axis).dataSync(),
        );
        const gpu = vane.cumsum(vane.tensor(values, { shape: [...shape], dtype: 'int32', backend: 'gpu' }), axis);
        expect(gpu.dtype).toBe('int32');
        expect(Array.from(gpu.dataSync())).toEqual(want);
      }
      const small = Int32Array.from({ length: 3 * 300 }, (_, index) =>
        index % 17 === 0 ? -1 : 1 + (index % 300 === 7 ? 1 : 0),
      );
      const want = Array.from(vane.cumprod(vane.tensor(small, { shape: [3, 300], dtype: 'int32' }), 1).dataSync());
      const got = Array.from(
        vane.cumprod(vane.tensor(small, { shape: [3, 300], dtype: 'int32', backend: 'gpu' }), 1).dataSync(),
      );
      expect(got).toEqual(want);
    });
  });
});
