import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { fromNdarray, memory, registerBackend, tensor, toNdarray, transpose, zeros } from './index.js';
import { createCpuBackend } from './cpu/cpu-backend.js';
import { values } from '../test/helpers.js';

registerBackend({ ...createCpuBackend(), name: 'not-cpu' });

describe('toNdarray', () => {
  it('views the tensor storage: same memory, same strides and offset', () => {
    const t = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64' },
    );
    const a = toNdarray(t);
    expect(a.shape).toEqual([2, 3]);
    expect(a.get(1, 0)).toBe(4);
    // Shared memory: a write through the ndarray is visible in the tensor.
    a.set(0, 1, 20);
    expect(values(t)).toEqual([1, 20, 3, 4, 5, 6]);
    expect(a.data).toBe(t.storage.data);
  });

  it('keeps the layout of strided views (transpose, slice, flip)', () => {
    const base = tensor(
      Array.from({ length: 12 }, (_, i) => i),
      { shape: [3, 4], dtype: 'int32' },
    );
    for (const view of [transpose(base), base.slice([{ start: 1 }, { step: 2 }]), base.flip(1), base.slice([-1])]) {
      const a = toNdarray(view);
      expect(a.shape).toEqual([...view.shape]);
      expect(a.data).toBe(base.storage.data);
      const read: number[] = [];
      if (view.ndim === 1) for (let i = 0; i < a.shape[0]!; i++) read.push(a.get(i));
      else for (let i = 0; i < a.shape[0]!; i++) for (let j = 0; j < a.shape[1]!; j++) read.push(a.get(i, j));
      expect(read).toEqual(values(view));
    }
  });

  it('refuses tensors on other backends', () => {
    expect(() => toNdarray(zeros([2], { backend: 'not-cpu' }))).toThrow(
      /toNdarray: tensor is on the 'not-cpu' backend; move it with \.to\('cpu'\) first/,
    );
  });
});

describe('fromNdarray', () => {
  it('wraps typed-array data without copying, with the matching dtype', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = fromNdarray(ndarray(data, [2, 3]));
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3]);
    expect(t.storage.data).toBe(data);
    data[5] = 60;
    expect(values(t)).toEqual([1, 2, 3, 4, 5, 60]);
    expect(fromNdarray(ndarray(new Float64Array(2), [2])).dtype).toBe('float64');
    expect(fromNdarray(ndarray(new Int32Array(2), [2])).dtype).toBe('int32');
    expect(fromNdarray(ndarray(new Uint8Array([0, 1]), [2])).toArray()).toEqual([false, true]);
  });

  it('honours ndarray strides and offsets (transposed, stepped, reversed, sub-arrays), still sharing memory', () => {
    const data = new Float64Array(Array.from({ length: 20 }, (_, i) => i));
    const grid = ndarray(data, [4, 5]);
    const cases = [grid.transpose(1, 0), grid.step(-1, 2), grid.lo(1, 1).hi(2, 3), grid.pick(2, null)];
    for (const view of cases) {
      const t = fromNdarray(view);
      expect(t.shape).toEqual(view.shape);
      expect(t.storage.data).toBe(data);
      const expected: number[] = [];
      if (view.dimension === 1) for (let i = 0; i < view.shape[0]!; i++) expected.push(view.get(i));
      else
        for (let i = 0; i < view.shape[0]!; i++) for (let j = 0; j < view.shape[1]!; j++) expected.push(view.get(i, j));
      expect(values(t)).toEqual(expected);
      // Ops read the shared, strided data correctly.
      expect(values(t.add(1))).toEqual(expected.map((v) => v + 1));
    }
  });

  it('copies plain-array ndarrays into float32', () => {
    const plain = [1.5, 2.5, 3.5, 4.5];
    const t = fromNdarray(ndarray(plain, [2, 2]).transpose(1, 0));
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([
      [1.5, 3.5],
      [2.5, 4.5],
    ]);
    plain[0] = 100;
    expect(values(t)[0]).toBe(1.5);
  });

  it('round-trips: fromNdarray(toNdarray(t)) shares t’s storage; wrapped tensors are counted by memory()', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]).T;
    const back = fromNdarray(toNdarray(t));
    expect(back.storage.data).toBe(t.storage.data);
    expect(values(back)).toEqual(values(t));
    const before = memory().numTensors;
    const wrapped = fromNdarray(ndarray(new Float32Array(3), [3]));
    expect(memory().numTensors).toBe(before + 1);
    wrapped.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
