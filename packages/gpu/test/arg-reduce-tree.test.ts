/**
 * argmax/argmin as log-depth trees (src/arg-reduce.ts): the pass count, and agreement with the
 * CPU backend (the reference) on indices, exactly, for random shapes and axes, long axes, ties
 * across piece boundaries, NaN anywhere, and int32 inputs.
 */
import * as vane from '@vane/tensor';
import { tidy } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, gpuTextureCount, resetGpuStats } from '../src/index.js';
import { REDUCTION_FAN_IN } from '../src/gpu-backend.js';
import { gpuReady } from './gpu-availability.js';

type ArgKind = 'argmax' | 'argmin';
const KINDS: readonly ArgKind[] = ['argmax', 'argmin'];

/** The gpu's indices and the cpu's for the same host values. */
function both(kind: ArgKind, values: Float32Array | Int32Array, shape: number[], axis: number) {
  const dtype = values instanceof Int32Array ? 'int32' : 'float32';
  const cpu = vane.tensor(values, { shape, dtype });
  const gpu = vane.tensor(values, { shape, dtype, backend: 'gpu' });
  return {
    want: Array.from(vane[kind](cpu, axis).dataSync()),
    got: Array.from(vane[kind](gpu, axis).dataSync()),
  };
}

/** A deterministic pseudo-random integer generator (the test's own, not the library's). */
function generator(seedValue: number) {
  let state = seedValue >>> 0;
  return (limit: number) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % limit;
  };
}

describe.runIf(gpuReady)('argmax/argmin trees', () => {
  it('2^20 values take three passes (2^20 → 4096 → 16 → 1), and find the extreme', () => {
    tidy(() => {
      const count = 2 ** 20;
      const values = Float32Array.from({ length: count }, (_, index) => Math.sin(index * 0.37));
      values[777_777] = 5;
      values[123_456] = -5;
      const x = vane.tensor(values, { backend: 'gpu' });
      resetGpuStats();
      const top = vane.argmax(x, 0);
      expect(REDUCTION_FAN_IN).toBe(256);
      expect(gpuStats().dispatches).toBe(3);
      expect(top.item()).toBe(777_777);
      expect(vane.argmin(x, 0).item()).toBe(123_456);
    });
  });

  it('a tree keeps no texture: the count returns to where it was once its results are disposed', () => {
    const before = gpuTextureCount();
    tidy(() => {
      const x = vane.rand([3, 70_000], { generator: vane.seed(1), backend: 'gpu' });
      vane.argmax(x, 1).dataSync();
      vane.argmin(vane.transpose(x), 0).dataSync();
    });
    expect(gpuTextureCount()).toBe(before);
  });

  it.each(KINDS)('%s agrees with the cpu on random shapes and axes', (kind) => {
    tidy(() => {
      const next = generator(kind === 'argmax' ? 11 : 12);
      for (let trial = 0; trial < 12; trial++) {
        // Rank 1 to 3, one axis up to 2000 long (the others up to 30): at most about 2^21 values.
        const rank = 1 + next(3);
        const long = next(rank);
        const shape = Array.from({ length: rank }, (_, axis) => 1 + next(axis === long ? 2000 : 30));
        const axis = next(rank);
        const size = shape.reduce((product, extent) => product * extent, 1);
        const values = Float32Array.from({ length: size }, () => next(2001) / 100 - 10);
        const { want, got } = both(kind, values, shape, axis);
        expect(got, `[${shape}] axis ${axis}`).toEqual(want);
      }
    });
  });

  it.each(KINDS)('%s agrees with the cpu on long axes (10^5 and more), several runs at once', (kind) => {
    tidy(() => {
      const next = generator(5);
      const values = Float32Array.from({ length: 3 * 100_003 }, () => next(1_000_000) / 1000);
      expect(both(kind, values, [3, 100_003], 1).got).toEqual(both(kind, values, [3, 100_003], 1).want);
      // The long axis first: permuted into runs, then a tree.
      const { want, got } = both(kind, values, [100_003, 3], 0);
      expect(got).toEqual(want);
    });
  });

  it.each(KINDS)('%s returns the first index on ties, across piece boundaries', (kind) => {
    tidy(() => {
      // Only three distinct values: every piece of 256 holds the extreme several times, and the
      // first occurrence sits at a different offset in each run.
      const length = 70_000;
      const values = Float32Array.from({ length: 4 * length }, (_, index) => ((index * 7) % 3) - 1);
      const runs = Float32Array.from({ length: 4 * length }, () => 0);
      [0, 255, 256, 69_999].forEach((position, run) => (runs[run * length + position] = kind === 'argmax' ? 1 : -1));
      for (const input of [values, runs]) {
        const { want, got } = both(kind, input, [4, length], 1);
        expect(got).toEqual(want);
      }
      expect(both(kind, runs, [4, length], 1).got).toEqual([0, 255, 256, 69_999]);
    });
  });

  it.each(KINDS)('%s treats NaN as the extreme and the first NaN wins, as the cpu does', (kind) => {
    tidy(() => {
      const length = 100_000;
      const positions = [[5], [300, 299_999 - 200_000], [99_999], [70_000, 256, 257], []];
      const values = Float32Array.from({ length: positions.length * length }, (_, index) => Math.cos(index));
      positions.forEach((list, run) => list.forEach((position) => (values[run * length + position] = NaN)));
      // A larger value before the NaN in its own piece, and in an earlier piece.
      values[2 * length + 99_998] = 10;
      values[3 * length + 3] = 10;
      const { want, got } = both(kind, values, [positions.length, length], 1);
      expect(want.slice(0, 4)).toEqual([5, 300, 99_999, 256]);
      expect(got).toEqual(want);
      // NaN in the first place of a run of one piece, and a whole run of NaN.
      expect(both(kind, Float32Array.from([NaN, 1, 2, NaN, NaN, NaN]), [2, 3], 1).got).toEqual([0, 0]);
    });
  });

  it.each(KINDS)('%s of int32 inputs agrees with the cpu', (kind) => {
    tidy(() => {
      const next = generator(9);
      const values = Int32Array.from({ length: 2 * 65_537 }, () => next(2_000_001) - 1_000_000);
      const { want, got } = both(kind, values, [2, 65_537], 1);
      expect(got).toEqual(want);
      const transposed = both(kind, values, [65_537, 2], 0);
      expect(transposed.got).toEqual(transposed.want);
    });
  });
});
