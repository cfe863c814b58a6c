// Products and running sums/products (simd-running-products.ts): the kernels must give the
// JavaScript loop's results bit for bit, since they keep its order per line. References: the
// float64 loop written out here (an independent copy of the definition, rounded once to
// float32 per stored value), and the scalar kernel mode through the ops.
import { afterEach, describe, expect, it } from 'vitest';
import { cumprod, cumsum, prod, setKernelMode, tensor, type Tensor } from '../index.js';
import { simdKernels } from './kernel-runtime.js';
import { simdCumulative, simdProductRows } from './simd-running-products.js';
import { expectSameBits, random } from './test-support/simd-comparisons.js';

const SIMD_OFF = simdKernels() === undefined;

afterEach(() => setKernelMode('simd'));

/** Values near ±1 (long products stay finite), with zeros of both signs, infinities, NaN and extremes mixed in. */
function mixedValues(count: number, seed: number): Float32Array {
  const next = random(seed);
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e30, 1e-30, 3.4028234663852886e38, 1.401298464324817e-45];
  return Float32Array.from({ length: count }, () =>
    next() < 0.02 ? specials[Math.floor(next() * specials.length)]! : (next() < 0.5 ? -1 : 1) * (0.5 + next()),
  );
}

describe.skipIf(SIMD_OFF)('simdProductRows and simdCumulative', () => {
  it('multiply each row in index order in float64, for every row count modulo 4', () => {
    for (const rows of [1, 2, 3, 4, 5, 9]) {
      const columns = 37;
      const values = mixedValues(rows * columns + 2, rows);
      const out = new Float32Array(rows);
      expect(simdProductRows(values, 2, rows, columns, out)).toBe(true);
      for (let row = 0; row < rows; row++) {
        let product = 1;
        for (let column = 0; column < columns; column++) product *= values[2 + row * columns + column]!;
        expect(Object.is(out[row], Math.fround(product)), `rows ${rows}, row ${row}`).toBe(true);
      }
    }
  });

  it('keep the loop order where another order would not overflow: 1e30 eleven times, then 1e-30 eleven times', () => {
    // In order the product passes 1e308 at the eleventh factor and stays Infinity; eight
    // lanes (element j into lane j mod 8) or pairs would mix the factors and end near 1.
    const values = new Float32Array(22).map((_, index) => (index < 11 ? 1e30 : 1e-30));
    const out = new Float32Array(1);
    expect(simdProductRows(values, 0, 1, 22, out)).toBe(true);
    expect(out[0]).toBe(Infinity);
  });

  it('run cumsum and cumprod along rows and down columns with each value rounded once from float64', () => {
    for (const [outer, reduced, inner] of [
      [5, 23, 1],
      [2, 19, 4],
      [3, 17, 11],
      [1, 40, 2],
    ] as const) {
      const size = outer * reduced * inner;
      const values = mixedValues(size + 1, size);
      for (const kind of ['sum', 'prod'] as const) {
        const out = new Float32Array(size);
        expect(simdCumulative(kind, values, 1, outer, reduced, inner, out)).toBe(true);
        const expected = new Float32Array(size);
        for (let block = 0; block < outer; block++)
          for (let column = 0; column < inner; column++) {
            let running = kind === 'sum' ? 0 : 1;
            for (let row = 0; row < reduced; row++) {
              const index = (block * reduced + row) * inner + column;
              running = kind === 'sum' ? running + values[1 + index]! : running * values[1 + index]!;
              expected[index] = running;
            }
          }
        expectSameBits(out, expected, `${kind} of [${outer}, ${reduced}, ${inner}]`);
      }
    }
  });
});

describe.skipIf(SIMD_OFF)('prod, cumsum and cumprod through the CPU backend', () => {
  it('equal the scalar loop bit for bit over every axis', () => {
    for (const shape of [[7, 33], [3, 17, 5], [2, 40, 9], [50], [4, 300, 3], [2, 3, 16, 4], [200, 2], [90, 5]]) {
      const size = shape.reduce((product, dimension) => product * dimension, 1);
      const x = tensor(mixedValues(size, size + 7), { shape });
      for (let axis = 0; axis < shape.length; axis++)
        for (const [name, run] of [
          ['prod', () => prod(x, axis)],
          ['cumsum', () => cumsum(x, axis)],
          ['cumprod', () => cumprod(x, axis)],
        ] as [string, () => Tensor][]) {
          setKernelMode('simd');
          const simd = run().dataSync();
          setKernelMode('scalar');
          const loop = run().dataSync();
          setKernelMode('simd');
          expectSameBits(simd, loop, `${name} of ${shape.join('x')} over axis ${axis}`);
        }
    }
  });
});
