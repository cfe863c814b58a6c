// argmax/argmin on SIMD (simd-arg-reductions.ts). The reference is the definition written two
// passes apart, independently of the kernel's one-pass update rule: the index of the first NaN
// if the line has one, else the first index whose value equals the line's extreme (−0 equals
// +0). Values are drawn from a few integers and specials so that ties, NaN and zeros of both
// signs are common, in the vector part and in the tail.
import { afterEach, describe, expect, it } from 'vitest';
import { argmax, argmin, setKernelMode, tensor } from '../index.js';
import { simdKernels } from './kernel-runtime.js';
import { simdArgReduce, type ArgReduction } from './simd-arg-reductions.js';
import { random } from './test-support/simd-comparisons.js';

const SIMD_OFF = simdKernels() === undefined;

afterEach(() => setKernelMode('simd'));

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 3.4028234663852886e38, -3.4028234663852886e38];

function tiedValues(count: number, seed: number, specialShare: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: count }, () =>
    next() < specialShare ? SPECIAL[Math.floor(next() * SPECIAL.length)]! : Math.floor(next() * 5) - 2,
  );
}

/** The definition: first NaN, else first index of the extreme. */
function reference(kind: ArgReduction, line: number[]): number {
  const firstNaN = line.findIndex((value) => Number.isNaN(value));
  if (firstNaN >= 0) return firstNaN;
  const extreme = kind === 'argmax' ? Math.max(...line) : Math.min(...line);
  return line.findIndex((value) => value === extreme);
}

describe.skipIf(SIMD_OFF)('simdArgReduce', () => {
  it('finds the first extreme or the first NaN of each row, for every row length modulo 8', () => {
    for (const columns of [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 33]) {
      for (const specialShare of [0, 0.05, 0.4]) {
        const rows = 40;
        const values = tiedValues(rows * columns + 3, columns * 100 + specialShare * 10, specialShare);
        for (const kind of ['argmax', 'argmin'] as const) {
          const out = new Int32Array(rows);
          expect(simdArgReduce(kind, values, 3, rows, columns, 1, out)).toBe(true);
          for (let row = 0; row < rows; row++) {
            const line = Array.from(values.subarray(3 + row * columns, 3 + (row + 1) * columns));
            expect(out[row], `${kind}, ${columns} columns, row ${row}: [${line.join(', ')}]`).toBe(
              reference(kind, line),
            );
          }
        }
      }
    }
  });

  it('finds them down each column of a leading or middle axis', () => {
    for (const [outer, reduced, inner] of [
      [1, 30, 4],
      [3, 17, 7],
      [2, 1, 9],
      [2, 50, 16],
    ] as const) {
      const values = tiedValues(outer * reduced * inner + 1, reduced * inner, 0.1);
      for (const kind of ['argmax', 'argmin'] as const) {
        const out = new Int32Array(outer * inner);
        expect(simdArgReduce(kind, values, 1, outer, reduced, inner, out)).toBe(true);
        for (let block = 0; block < outer; block++)
          for (let column = 0; column < inner; column++) {
            const line = Array.from(
              { length: reduced },
              (_, row) => values[1 + (block * reduced + row) * inner + column]!,
            );
            expect(out[block * inner + column], `${kind} [${outer}, ${reduced}, ${inner}] column ${column}`).toBe(
              reference(kind, line),
            );
          }
      }
    }
  });

  it('rejects rows too short for its eight lanes, naming the sizes', () => {
    expect(() => simdArgReduce('argmax', new Float32Array(14), 0, 2, 7, 1, new Int32Array(2))).toThrow(
      /simdArgReduce: 'reduced' must be at least 1 \(at least 8 when 'inner' is 1\), got reduced 7, inner 1/,
    );
  });
});

describe.skipIf(SIMD_OFF)('argmax and argmin through the CPU backend', () => {
  it('equal the scalar loop on every axis and on the flattened tensor', () => {
    for (const shape of [[64, 37], [5, 20, 6], [3, 2, 40], [300]]) {
      const size = shape.reduce((product, dimension) => product * dimension, 1);
      const x = tensor(tiedValues(size, size, 0.05), { shape });
      for (const axis of [...shape.keys(), undefined])
        for (const reduce of [argmax, argmin]) {
          setKernelMode('simd');
          const simd = Array.from(reduce(x, axis).dataSync());
          setKernelMode('scalar');
          const loop = Array.from(reduce(x, axis).dataSync());
          expect(simd, `${reduce.name} of ${shape.join('x')} over ${String(axis)}`).toEqual(loop);
        }
    }
  });
});
