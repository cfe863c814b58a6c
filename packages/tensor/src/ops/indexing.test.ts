import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  argmax,
  gather,
  indexSelect,
  max,
  oneHot,
  scatterAdd,
  takeAlongAxis,
  tensor,
  tril,
  triu,
  zeros,
  type Tensor,
} from '../index.js';
import {
  expectClose,
  fixtures,
  flatIndex,
  fromFixture,
  indices,
  numbers,
  product,
  RUNS,
  shapeArbitrary,
  values,
} from '../../test/helpers.js';

function iota(shape: number[]): Tensor {
  return tensor(
    Array.from({ length: product(shape) }, (_, i) => i),
    { shape, dtype: 'float64' },
  );
}

/** A shape, an axis, and an index shape no larger than the shape off that axis, with valid values. */
const gatherCase = shapeArbitrary(1, 3, 4).chain((shape) =>
  fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) =>
    fc
      .tuple(...shape.map((d, a) => (a === axis ? fc.integer({ min: 1, max: 5 }) : fc.integer({ min: 1, max: d }))))
      .chain((indexShape) =>
        fc
          .array(fc.integer({ min: 0, max: shape[axis]! - 1 }), {
            minLength: product(indexShape),
            maxLength: product(indexShape),
          })
          .map((data) => ({ shape, axis, indexShape, data })),
      ),
  ),
);

describe('gather and takeAlongAxis', () => {
  it('out[i] = x[i with axis replaced by index[i]], for any axis', () => {
    fc.assert(
      fc.property(gatherCase, ({ shape, axis, indexShape, data }) => {
        const x = iota(shape);
        const index = tensor(data, { shape: indexShape, dtype: 'int32' });
        const out = gather(x, axis, index);
        expect(out.shape).toEqual(indexShape);
        const expected = indices(indexShape).map((position, flat) =>
          flatIndex(
            shape,
            position.map((v, a) => (a === axis ? data[flat]! : v)),
          ),
        );
        expect(values(out)).toEqual(expected);
        expect(values(takeAlongAxis(x, index, axis))).toEqual(expected);
        expect(values(x.gather(axis, index))).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('matches torch.gather, and takeAlongAxis(x, argmax keepdims) is the max', () => {
    const section = fixtures.indexing.gather;
    const out = gather(fromFixture(section.x), section.axis, fromFixture(section.index, 'int32'));
    expectClose(out, numbers(section.out), { rtol: 0, atol: 0 });
    const x = fromFixture(fixtures.reductions.x);
    const picked = takeAlongAxis(x, argmax(x, 1, true), 1);
    expect(values(picked)).toEqual(values(max(x, 1, true)));
  });
});

describe('indexSelect', () => {
  it('selects whole slices along an axis, repeats allowed', () => {
    fc.assert(
      fc.property(
        shapeArbitrary(1, 3, 4).chain((shape) =>
          fc
            .integer({ min: 0, max: shape.length - 1 })
            .chain((axis) =>
              fc.tuple(
                fc.constant(shape),
                fc.constant(axis),
                fc.array(fc.integer({ min: 0, max: shape[axis]! - 1 }), { minLength: 1, maxLength: 6 }),
              ),
            ),
        ),
        ([shape, axis, chosen]) => {
          const x = iota(shape);
          const out = indexSelect(x, axis, tensor(chosen, { dtype: 'int32' }));
          const outShape = shape.map((d, a) => (a === axis ? chosen.length : d));
          expect(out.shape).toEqual(outShape);
          expect(values(out)).toEqual(
            indices(outShape).map((position) =>
              flatIndex(
                shape,
                position.map((v, a) => (a === axis ? chosen[v]! : v)),
              ),
            ),
          );
          expect(values(x.indexSelect(axis, tensor(chosen, { dtype: 'int32' })))).toEqual(values(out));
        },
      ),
      RUNS,
    );
  });
});

describe('scatterAdd', () => {
  it('adds every source element at its index, duplicates accumulating', () => {
    fc.assert(
      fc.property(gatherCase, ({ shape, axis, indexShape, data }) => {
        const target = iota(shape);
        const index = tensor(data, { shape: indexShape, dtype: 'int32' });
        const source = tensor(
          indices(indexShape).map((_, i) => (i + 1) * 1000),
          { shape: indexShape, dtype: 'float64' },
        );
        const out = scatterAdd(target, axis, index, source);
        expect(out.shape).toEqual(shape);
        const expected = values(target);
        indices(indexShape).forEach((position, flat) => {
          expected[
            flatIndex(
              shape,
              position.map((v, a) => (a === axis ? data[flat]! : v)),
            )
          ]! += (flat + 1) * 1000;
        });
        expect(values(out)).toEqual(expected);
        // The target itself is untouched.
        expect(values(target)).toEqual(values(iota(shape)));
      }),
      RUNS,
    );
  });

  it('matches torch.Tensor.scatter_add', () => {
    const section = fixtures.indexing.scatterAdd;
    const out = scatterAdd(
      fromFixture(section.target),
      section.axis,
      fromFixture(section.index, 'int32'),
      fromFixture(section.source),
    );
    expectClose(out, numbers(section.out), { rtol: 1e-15, atol: 1e-15 });
    const viaMethod = fromFixture(section.target).scatterAdd(
      section.axis,
      fromFixture(section.index, 'int32'),
      fromFixture(section.source),
    );
    expect(values(viaMethod)).toEqual(values(out));
  });
});

describe('oneHot', () => {
  it('matches torch.nn.functional.one_hot, float32 by default', () => {
    const section = fixtures.indexing.oneHot;
    const out = oneHot(fromFixture(section.indices, 'int32'), section.numClasses);
    expect(out.dtype).toBe('float32');
    expect(out.shape).toEqual(section.out.shape);
    expect(values(out)).toEqual(numbers(section.out));
    const asInt = oneHot(tensor([1], { dtype: 'int32' }), 2, { dtype: 'int32' });
    expect(asInt.dtype).toBe('int32');
    expect(asInt.toArray()).toEqual([[0, 1]]);
  });
});

describe('triu and tril', () => {
  it('match torch.triu / torch.tril for diagonals −2..5 on a batch of matrices', () => {
    const section = fixtures.indexing.triangles;
    const x = fromFixture(section.x);
    for (const c of section.cases) {
      expect(values(triu(x, c.diagonal)), `triu ${c.diagonal}`).toEqual(numbers(c.triu));
      expect(values(tril(x, c.diagonal)), `tril ${c.diagonal}`).toEqual(numbers(c.tril));
      expect(values(x.triu(c.diagonal))).toEqual(numbers(c.triu));
    }
  });

  it('split a matrix: triu(x, k) + tril(x, k − 1) = x, with zeros (not NaN·0) elsewhere', () => {
    fc.assert(
      fc.property(shapeArbitrary(2, 4, 5), fc.integer({ min: -5, max: 5 }), (shape, k) => {
        const x = iota(shape).add(1);
        expect(values(add(triu(x, k), tril(x, k - 1)))).toEqual(values(x));
      }),
      RUNS,
    );
    const infinite = tensor([
      [Infinity, Number.NaN],
      [Number.NaN, Infinity],
    ]);
    expect(values(triu(infinite, 1)).slice(0, 1)).toEqual([0]);
    expect(values(tril(infinite, -1))).toEqual([0, 0, Number.NaN, 0]);
  });

  it('keep the dtype of bool and int32 inputs', () => {
    const mask = tensor([
      [true, true],
      [true, true],
    ]);
    expect(triu(mask).dtype).toBe('bool');
    expect(triu(mask).toArray()).toEqual([
      [true, true],
      [false, true],
    ]);
    expect(tril(mask).toArray()).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(
      tril(
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'int32' },
        ),
      ).dtype,
    ).toBe('int32');
    expect(tril(zeros([2, 2], { dtype: 'float64' })).dtype).toBe('float64');
  });
});
