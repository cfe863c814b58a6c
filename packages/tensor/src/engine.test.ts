import { describe, expect, it } from 'vitest';
import * as vane from './index.js';
import {
  dispose,
  findBackend,
  getBackend,
  keep,
  listBackends,
  memory,
  ones,
  registerBackend,
  setBackend,
  tensor,
  tidy,
  zeros,
  type Tensor,
} from './index.js';
import { createCpuBackend } from './cpu/cpu-backend.js';

// A second backend: the CPU kernels under another name, so that cross-backend rules are testable.
registerBackend({ ...createCpuBackend(), name: 'cpu-secondary' });

function live(): { tensors: number; bytes: number } {
  const info = memory();
  return { tensors: info.numTensors, bytes: info.numBytes };
}

describe('memory()', () => {
  it('counts live tensors and bytes per backend; views share bytes', () => {
    const before = memory();
    const x = zeros([10]);
    const after = memory();
    expect(after.numTensors - before.numTensors).toBe(1);
    expect(after.numBytes - before.numBytes).toBe(40);
    expect(after.backends.cpu!.tensors - (before.backends.cpu?.tensors ?? 0)).toBe(1);
    const view = x.reshape([2, 5]);
    expect(live().tensors - before.numTensors).toBe(2);
    expect(live().bytes - before.numBytes).toBe(40);
    x.dispose();
    // The view still holds the storage.
    expect(live().bytes - before.numBytes).toBe(40);
    expect(view.toArray()).toEqual([new Array(5).fill(0), new Array(5).fill(0)]);
    view.dispose();
    expect(live()).toEqual({ tensors: before.numTensors, bytes: before.numBytes });
  });

  it('reports each dtype at its element size', () => {
    const before = live().bytes;
    const tensors = [zeros([3], { dtype: 'float64' }), zeros([3], { dtype: 'int32' }), zeros([3], { dtype: 'bool' })];
    expect(live().bytes - before).toBe(24 + 12 + 3);
    dispose(tensors);
    expect(live().bytes).toBe(before);
  });

  it('keeps separate statistics for a second backend', () => {
    const before = memory().backends['cpu-secondary']?.tensors ?? 0;
    const x = ones([4], { backend: 'cpu-secondary' });
    const info = memory();
    expect(info.backends['cpu-secondary']!.tensors).toBe(before + 1);
    expect(info.backends['cpu-secondary']!.bytes).toBeGreaterThanOrEqual(16);
    x.dispose();
    expect(memory().backends['cpu-secondary']!.tensors).toBe(before);
  });

  it('dispose is idempotent and a disposed tensor refuses to be used, naming the op', () => {
    const x = ones([2, 2]);
    x.dispose();
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(() => x.dataSync()).toThrow(/dataSync: tensor #\d+ with shape \[2,2\] was disposed/);
    expect(() => vane.add(x, 1)).toThrow(/add: tensor #\d+ with shape \[2,2\] was disposed/);
    expect(() => vane.matmul(x, x)).toThrow(/matmul: .*was disposed/);
  });
});

describe('tidy, keep, dispose, using', () => {
  it('tidy frees intermediates and keeps what the function returns, in any tree', () => {
    const x = ones([3]);
    const before = live();
    const result = tidy(() => {
      const doubled = x.mul(2);
      const plus = doubled.add(1);
      return { out: plus, list: [plus.sum()], label: 'not a tensor' };
    });
    expect(live().tensors - before.tensors).toBe(2);
    expect(result.out.toArray()).toEqual([3, 3, 3]);
    expect(result.list[0]!.item()).toBe(9);
    dispose(result);
    expect(live()).toEqual(before);
  });

  it('keep() survives tidy; nested tidies hand returned tensors to the parent scope', () => {
    const before = live();
    let kept: Tensor | undefined;
    let innerResult: Tensor | undefined;
    const outer = tidy(() => {
      kept = keep(ones([2]));
      innerResult = tidy(() => ones([2]).add(1));
      const temporary = innerResult.mul(3);
      return temporary.sum();
    });
    // innerResult was returned by the inner tidy but not by the outer one: freed.
    expect(innerResult!.isDisposed).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(outer.item()).toBe(12);
    dispose([outer, kept]);
    expect(live()).toEqual(before);
  });

  it('tidy finds returned tensors in Maps, shared and cyclic containers, and a tensor returned again by an outer tidy', () => {
    const before = live();
    const inner = tidy(() => ones([2]).add(1));
    const result = tidy(() => {
      const shared = [inner.mul(2)];
      const cyclic: Record<string, unknown> = { map: new Map([['x', inner.add(3)]]), shared, again: shared };
      cyclic.self = cyclic;
      void inner.neg(); // an intermediate: freed
      return { cyclic, inner };
    });
    expect(live().tensors - before.tensors).toBe(3);
    expect(inner.isDisposed).toBe(false);
    expect(((result.cyclic.map as Map<string, Tensor>).get('x') as Tensor).toArray()).toEqual([5, 5]);
    dispose([inner, (result.cyclic.shared as Tensor[])[0], (result.cyclic.map as Map<string, Tensor>).get('x')]);
    expect(live()).toEqual(before);
    // Nothing created inside: the result comes back as it is.
    const value = { label: 'no tensors' };
    expect(tidy(() => value)).toBe(value);
  });

  it('tidy cleans up when the function throws, and rejects async functions', () => {
    const before = live();
    expect(() =>
      tidy(() => {
        ones([5]).add(1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(live()).toEqual(before);
    expect(() => tidy(() => Promise.resolve(1) as unknown as number)).toThrow(/tidy: the function returned a Promise/);
  });

  it('returning a view of an intermediate keeps its storage alive', () => {
    const y = tidy(() => ones([2, 3]).add(1).reshape([6]));
    expect(y.toArray()).toEqual([2, 2, 2, 2, 2, 2]);
    y.dispose();
  });

  it('`using` disposes at the end of the block', () => {
    const before = live();
    let escaped: Tensor;
    {
      using t = ones([8]);
      escaped = t;
      expect(live().tensors).toBe(before.tensors + 1);
    }
    expect(escaped.isDisposed).toBe(true);
    expect(live()).toEqual(before);
  });

  it('dispose(tree) frees every tensor leaf, shared ones once', () => {
    const before = live();
    const a = ones([2]);
    dispose({ a, again: [a, { b: zeros([1]) }], n: 3, nothing: null });
    expect(live()).toEqual(before);
  });
});

describe('ops do not leak: after disposing the result, memory() is back where it was', () => {
  const x = vane.randn([2, 3, 4], { generator: vane.seed(1) });
  const m = vane.randn([3, 4], { generator: vane.seed(2) });
  const v = vane.randn([4], { generator: vane.seed(3) });
  const ints = tensor([0, 2, 1], { dtype: 'int32' });
  const image = vane.randn([1, 2, 5, 5], { generator: vane.seed(4) });
  const kernel = vane.randn([3, 2, 3, 3], { generator: vane.seed(5) });
  const bias = vane.randn([3], { generator: vane.seed(6) });
  // Every input a case needs is made here, so that a case creates nothing but its result.
  const mask = vane.greater(x, 0);
  const xT = x.T;
  const xUnsqueezed = vane.unsqueeze(x, 1);
  const mInt = vane.cast(m, 'int32');
  const mT = m.T;
  const row = vane.reshape(ints, [1, 3]);
  const column = vane.reshape(ints, [3, 1]);
  const boolean = tensor([true]);
  const signal = vane.randn([1, 2, 7]);
  const filter = vane.randn([3, 2, 3]);
  const small = vane.randn([1, 3, 3, 3]);
  const smallBias = vane.randn([2]);
  const cases: [string, () => unknown][] = [
    ['add with a scalar', () => vane.add(x, 1.5)],
    ['mul broadcasting', () => vane.mul(x, v)],
    ['bool plus scalar', () => vane.add(boolean, 2)],
    ['where with scalars', () => vane.where(mask, x, 0)],
    ['clip', () => vane.clip(x, -1, 1)],
    ['cast', () => vane.cast(x, 'int32')],
    ['sum', () => vane.sum(x, [0, 2])],
    ['mean', () => vane.mean(x, 1, true)],
    ['variance', () => vane.variance(x, -1)],
    ['std', () => vane.std(x)],
    ['logsumexp', () => vane.logsumexp(x, 1)],
    ['norm', () => vane.norm(x, 2, 0)],
    ['argmax of all', () => vane.argmax(x, undefined, true)],
    ['cumsum', () => vane.cumsum(x, 2)],
    ['softmax', () => vane.softmax(x, 1)],
    ['logSoftmax', () => vane.logSoftmax(x)],
    ['reshape of a transposed view', () => vane.reshape(xT, [-1])],
    ['flatten', () => vane.flatten(x, 1)],
    ['squeeze/unsqueeze', () => vane.squeeze(xUnsqueezed, 1)],
    ['slice with an index', () => vane.slice(x, [0, { step: 2 }])],
    ['split', () => vane.split(x, 2, 2)],
    ['chunk', () => vane.chunk(x, 2, 1)],
    ['concat with promotion', () => vane.concat([m, mInt])],
    ['stack', () => vane.stack([m, m], 1)],
    ['tile', () => vane.tile(m, [2, 1])],
    ['pad', () => vane.pad(m, [[1, 1]])],
    ['flip', () => vane.flip(x, [0, 2])],
    ['broadcastTo', () => vane.broadcastTo(v, [3, 4])],
    ['gather', () => vane.gather(m, 1, row)],
    ['indexSelect', () => vane.indexSelect(m, 1, ints)],
    ['takeAlongAxis', () => vane.takeAlongAxis(m, column, 1)],
    ['scatterAdd', () => vane.scatterAdd(m, 1, row, m)],
    ['oneHot', () => vane.oneHot(ints, 3)],
    ['triu', () => vane.triu(m, 1)],
    ['tril', () => vane.tril(m)],
    ['matmul of vectors', () => vane.matmul(v, v)],
    ['matmul batched', () => vane.matmul(x, mT)],
    ['dot', () => vane.dot(v, v)],
    ['outer', () => vane.outer(v, v)],
    ['conv1d', () => vane.conv1d(signal, filter, { padding: 'same', bias })],
    ['conv2d with bias', () => vane.conv2d(image, kernel, { padding: 1, bias })],
    ['convTranspose2d with bias', () => vane.convTranspose2d(small, kernel, { stride: 2, bias: smallBias })],
    ['maxPool2d', () => vane.maxPool2d(image, 2)],
    ['avgPool2d', () => vane.avgPool2d(image, 3, { padding: 1, countIncludePad: false })],
    ['to another backend', () => vane.to(x, 'cpu-secondary')],
  ];
  for (const [name, run] of cases) {
    it(name, () => {
      const before = live();
      dispose(run());
      expect(live()).toEqual(before);
    });
  }
});

describe('backend registry', () => {
  it('lists, finds and selects backends; unknown names are reported with the available ones', () => {
    expect(listBackends()).toEqual(expect.arrayContaining(['cpu', 'cpu-secondary']));
    expect(findBackend('cpu').name).toBe('cpu');
    expect(getBackend()).toBe('cpu');
    expect(() => findBackend('tpu')).toThrow(
      /backend: no backend named 'tpu' is registered \(available: cpu, cpu-secondary/,
    );
    expect(() => findBackend('gpu')).toThrow(/import '@vane\/gpu'/);
    setBackend('cpu-secondary');
    try {
      const t = ones([2]);
      expect(t.backend.name).toBe('cpu-secondary');
      expect(getBackend()).toBe('cpu-secondary');
    } finally {
      setBackend('cpu');
    }
    expect(ones([1]).backend.name).toBe('cpu');
  });

  it('to() copies between backends, and ops on the result stay on its backend', () => {
    const x = tensor([1, 2, 3]);
    const moved = vane.to(x, 'cpu-secondary');
    expect(moved.backend.name).toBe('cpu-secondary');
    expect(moved.toArray()).toEqual([1, 2, 3]);
    expect(moved.add(1).backend.name).toBe('cpu-secondary');
    expect(x.to('cpu')).toBe(x);
  });
});
