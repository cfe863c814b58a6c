import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { dot, findBackend, matmul, outer, tensor, transpose, type Tensor } from '../index.js';
import {
  doubleValues,
  exactValues,
  expectClose,
  flatIndex,
  indices,
  naiveBroadcast,
  product,
  RUNS,
  values,
} from '../../test/helpers.js';

/**
 * The textbook triple loop over broadcast batch indices: out[..., i, j] = Σₚ a[..., i, p]·b[..., p, j].
 * Also returns Σₚ |a·b| per entry, the scale for float32 error bounds.
 */
function naiveMatmul(
  a: readonly number[],
  aShape: readonly number[],
  b: readonly number[],
  bShape: readonly number[],
): { shape: number[]; data: number[]; magnitude: number[] } {
  const m = aShape[aShape.length - 2]!;
  const k = aShape[aShape.length - 1]!;
  const n = bShape[bShape.length - 1]!;
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batch = naiveBroadcast(aBatch, bBatch)!;
  const data: number[] = [];
  const magnitude: number[] = [];
  for (const batchIndex of indices(batch)) {
    const aIndex = batchIndex.slice(batch.length - aBatch.length).map((v, axis) => (aBatch[axis] === 1 ? 0 : v));
    const bIndex = batchIndex.slice(batch.length - bBatch.length).map((v, axis) => (bBatch[axis] === 1 ? 0 : v));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let total = 0;
        let scale = 0;
        for (let p = 0; p < k; p++) {
          const term = a[flatIndex(aShape, [...aIndex, i, p])]! * b[flatIndex(bShape, [...bIndex, p, j])]!;
          total += term;
          scale += Math.abs(term);
        }
        data.push(total);
        magnitude.push(scale);
      }
    }
  }
  return { shape: [...batch, m, n], data, magnitude };
}

/** Shapes for a batched product with broadcastable batch axes, and whether each operand is given transposed. */
const matmulCase = fc
  .record({
    m: fc.integer({ min: 1, max: 7 }),
    k: fc.integer({ min: 1, max: 9 }),
    n: fc.integer({ min: 1, max: 10 }),
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    dropA: fc.integer({ min: 0, max: 2 }),
    dropB: fc.integer({ min: 0, max: 2 }),
    onesA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    onesB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
  })
  .map((c) => {
    const aBatch = c.batch.slice(Math.min(c.dropA, c.batch.length)).map((d, axis) => (c.onesA[axis] ? 1 : d));
    const bBatch = c.batch.slice(Math.min(c.dropB, c.batch.length)).map((d, axis) => (c.onesB[axis] ? 1 : d));
    return { ...c, aShape: [...aBatch, c.m, c.k], bShape: [...bBatch, c.k, c.n] };
  });

/** A tensor holding `data` (row-major for `shape`), stored transposed in memory when asked. */
function operand(data: number[], shape: number[], transposed: boolean, dtype: 'float32' | 'float64'): Tensor {
  if (!transposed) return tensor(data, { shape, dtype });
  const rank = shape.length;
  const storedShape = [...shape.slice(0, -2), shape[rank - 1]!, shape[rank - 2]!];
  const stored = indices(storedShape).map(
    (index) => data[flatIndex(shape, [...index.slice(0, -2), index[rank - 1]!, index[rank - 2]!])]!,
  );
  const view = transpose(tensor(stored, { shape: storedShape, dtype }), -1, -2);
  // Column-major in the last two axes: the row axis has stride 1.
  expect(view.strides[rank - 2]).toBe(1);
  return view;
}

describe('matmul against a naive triple loop', () => {
  it('float64, exact on values whose products and sums are exact (batch broadcasting, transposed operands)', () => {
    fc.assert(
      fc.property(
        matmulCase.chain((c) =>
          fc.tuple(fc.constant(c), exactValues(product(c.aShape)), exactValues(product(c.bShape))),
        ),
        ([c, aData, bData]) => {
          const a = operand(aData, c.aShape, c.transposeA, 'float64');
          const b = operand(bData, c.bShape, c.transposeB, 'float64');
          const out = matmul(a, b);
          const expected = naiveMatmul(aData, c.aShape, bData, c.bShape);
          expect(out.shape).toEqual(expected.shape);
          expect(out.dtype).toBe('float64');
          expect(values(out)).toEqual(expected.data);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('float64 on arbitrary doubles within 1e-13 relative to Σ|aᵢₚbₚⱼ|', () => {
    fc.assert(
      fc.property(
        matmulCase.chain((c) =>
          fc.tuple(fc.constant(c), doubleValues(product(c.aShape), 100), doubleValues(product(c.bShape), 100)),
        ),
        ([c, aData, bData]) => {
          const out = values(
            matmul(
              operand(aData, c.aShape, c.transposeA, 'float64'),
              operand(bData, c.bShape, c.transposeB, 'float64'),
            ),
          );
          const expected = naiveMatmul(aData, c.aShape, bData, c.bShape);
          out.forEach((v, i) =>
            expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(1e-13 * expected.magnitude[i]! + 1e-300),
          );
        },
      ),
      RUNS,
    );
  });

  it('float32 within 1e-6 relative to Σ|aᵢₚbₚⱼ| (inputs rounded to float32 first)', () => {
    fc.assert(
      fc.property(
        matmulCase.chain((c) =>
          fc.tuple(fc.constant(c), doubleValues(product(c.aShape), 10), doubleValues(product(c.bShape), 10)),
        ),
        ([c, aRaw, bRaw]) => {
          const aData = aRaw.map(Math.fround);
          const bData = bRaw.map(Math.fround);
          const out = matmul(
            operand(aData, c.aShape, c.transposeA, 'float32'),
            operand(bData, c.bShape, c.transposeB, 'float32'),
          );
          expect(out.dtype).toBe('float32');
          const expected = naiveMatmul(aData, c.aShape, bData, c.bShape);
          values(out).forEach((v, i) =>
            expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(1e-6 * expected.magnitude[i]! + 1e-30),
          );
        },
      ),
      RUNS,
    );
  });

  it('crosses the packing block sizes (m 133, k 301, n 19) without error', () => {
    const [m, k, n] = [133, 301, 19];
    const aData = Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const bData = Array.from({ length: k * n }, (_, i) => Math.cos(3 * i));
    const expected = naiveMatmul(aData, [m, k], bData, [k, n]);
    const out = matmul(
      tensor(aData, { shape: [m, k], dtype: 'float64' }),
      tensor(bData, { shape: [k, n], dtype: 'float64' }),
    );
    values(out).forEach((v, i) =>
      expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(1e-13 * expected.magnitude[i]!),
    );
    // The same through transposed storage on both sides.
    const outT = matmul(operand(aData, [m, k], true, 'float64'), operand(bData, [k, n], true, 'float64'));
    values(outT).forEach((v, i) =>
      expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(1e-13 * expected.magnitude[i]!),
    );
  });

  it('reads transposed and broadcast operands through their strides, without a copy', () => {
    const cpu = findBackend('cpu');
    const a = tensor(
      Array.from({ length: 24 }, (_, i) => i),
      { shape: [2, 3, 4], dtype: 'float64' },
    );
    const b = tensor(
      Array.from({ length: 20 }, (_, i) => i - 7),
      { shape: [5, 4], dtype: 'float64' },
    );
    const copy = vi.spyOn(cpu, 'copy');
    try {
      const out = matmul(a, b.T);
      expect(out.shape).toEqual([2, 3, 5]);
      expect(copy).not.toHaveBeenCalled();
      expect(values(out)).toEqual(naiveMatmul(values(a), [2, 3, 4], values(b.T.contiguous()), [4, 5]).data);
    } finally {
      copy.mockRestore();
    }
  });

  it('1-D operands follow NumPy: vector·vector is a scalar, the added axis is dropped', () => {
    const v = tensor([1, 2, 3], { dtype: 'float64' });
    const m = tensor(
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      { dtype: 'float64' },
    );
    expect(matmul(v, v).shape).toEqual([]);
    expect(matmul(v, v).item()).toBe(14);
    expect(matmul(v, m).toArray()).toEqual([4, 5]);
    expect(matmul(m.T, v).toArray()).toEqual([4, 5]);
    const batched = tensor(
      Array.from({ length: 12 }, (_, i) => i),
      { shape: [2, 2, 3], dtype: 'float64' },
    );
    expect(matmul(batched, v).shape).toEqual([2, 2]);
    expect(matmul(batched, v).toArray()).toEqual([
      [8, 26],
      [44, 62],
    ]);
    expect(matmul(v, batched.transpose(-1, -2)).shape).toEqual([2, 2]);
  });

  it('int32 products are exact and stay int32; mixed dtypes promote; the method form agrees', () => {
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'int32' },
    );
    const out = matmul(a, a);
    expect(out.dtype).toBe('int32');
    expect(out.toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(matmul(a, tensor([[0.5], [1]])).dtype).toBe('float32');
    expect(a.matmul(a).toArray()).toEqual(out.toArray());
  });
});

describe('dot and outer', () => {
  it('dot is Σ aᵢbᵢ and outer is aᵢbⱼ', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(exactValues(n), exactValues(n))),
        ([a, b]) => {
          const ta = tensor(a, { dtype: 'float64' });
          const tb = tensor(b, { dtype: 'float64' });
          expect(dot(ta, tb).item()).toBe(a.reduce((s, v, i) => s + v * b[i]!, 0));
          expect(ta.dot(tb).item()).toBe(dot(ta, tb).item());
          const o = outer(ta, tb);
          expect(o.shape).toEqual([a.length, b.length]);
          expect(values(o)).toEqual(a.flatMap((x) => b.map((y) => x * y)));
        },
      ),
      RUNS,
    );
    expectClose(outer(tensor([1, 2]), tensor([3, 4, 5])), [3, 4, 5, 6, 8, 10]);
  });
});
