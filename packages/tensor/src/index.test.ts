/**
 * The public names of the tensor-core contract: each must be exported under exactly this name.
 * Behaviour is tested in the concept files beside each module; here each name also gets one
 * quick call so that a misnamed or mis-wired export fails loudly.
 */
import { describe, expect, it } from 'vitest';
import * as vane from './index.js';

const CONTRACT = {
  creation: [
    'tensor',
    'zeros',
    'ones',
    'full',
    'arange',
    'linspace',
    'eye',
    'zerosLike',
    'onesLike',
    'rand',
    'randn',
    'randint',
    'seed',
  ],
  elementwise: [
    'add',
    'sub',
    'mul',
    'div',
    'pow',
    'maximum',
    'minimum',
    'mod',
    'neg',
    'abs',
    'sign',
    'exp',
    'log',
    'log1p',
    'expm1',
    'sqrt',
    'rsqrt',
    'square',
    'reciprocal',
    'sin',
    'cos',
    'tan',
    'tanh',
    'sigmoid',
    'relu',
    'leakyRelu',
    'elu',
    'gelu',
    'silu',
    'softplus',
    'erf',
    'floor',
    'ceil',
    'round',
    'clip',
    'equal',
    'notEqual',
    'less',
    'lessEqual',
    'greater',
    'greaterEqual',
    'logicalAnd',
    'logicalOr',
    'logicalNot',
    'isNaN',
    'isFinite',
    'where',
  ],
  reductions: [
    'sum',
    'mean',
    'max',
    'min',
    'prod',
    'argmax',
    'argmin',
    'variance',
    'std',
    'logsumexp',
    'norm',
    'all',
    'any',
    'cumsum',
  ],
  movement: [
    'reshape',
    'flatten',
    'squeeze',
    'unsqueeze',
    'transpose',
    'permute',
    'expand',
    'broadcastTo',
    'slice',
    'pad',
    'concat',
    'stack',
    'split',
    'chunk',
    'flip',
    'tile',
    'gather',
    'indexSelect',
    'takeAlongAxis',
    'scatterAdd',
    'oneHot',
    'triu',
    'tril',
  ],
  linalg: [
    'matmul',
    'dot',
    'outer',
    'conv1d',
    'conv2d',
    'convTranspose2d',
    'maxPool2d',
    'avgPool2d',
    'softmax',
    'logSoftmax',
  ],
  interop: ['toNdarray', 'fromNdarray'],
  engine: ['memory', 'tidy', 'dispose', 'keep', 'registerBackend', 'setBackend', 'getBackend', 'listBackends'],
};

describe('the public contract', () => {
  for (const [group, names] of Object.entries(CONTRACT)) {
    it(`exports every ${group} function by its contract name`, () => {
      const missing = names.filter((name) => typeof (vane as Record<string, unknown>)[name] !== 'function');
      expect(missing).toEqual([]);
    });
  }

  it('exports the tree namespace with map, leaves, flatten, unflatten, paths, zerosLike', () => {
    for (const name of ['map', 'leaves', 'flatten', 'unflatten', 'paths', 'zerosLike']) {
      expect(typeof (vane.tree as Record<string, unknown>)[name], `tree.${name}`).toBe('function');
    }
  });

  it('gives tensors shape, dtype, size, ndim, data(), dataSync(), toArray(), item()', async () => {
    const t = vane.tensor([[1, 2, 3]]);
    expect([t.shape, t.dtype, t.size, t.ndim]).toEqual([[1, 3], 'float32', 3, 2]);
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    expect(t.toArray()).toEqual([[1, 2, 3]]);
    expect(vane.sum(t).item()).toBe(6);
    expect(vane.DTYPES).toEqual(expect.arrayContaining(['float32', 'float64', 'int32', 'bool']));
  });

  it('exposes every elementwise op except where as a Tensor method returning a tensor', () => {
    const t = vane.tensor([0.5, 1.5]);
    for (const name of CONTRACT.elementwise.filter((n) => n !== 'where')) {
      const method = (t as unknown as Record<string, unknown>)[name];
      expect(typeof method, name).toBe('function');
      const args = ['clip'].includes(name)
        ? [0, 1]
        : vane.BINARY_KERNELS[name as keyof typeof vane.BINARY_KERNELS]
          ? [1]
          : [];
      const out = (method as (...a: unknown[]) => vane.Tensor).apply(t, args);
      expect(vane.isTensor(out), name).toBe(true);
      expect(out.shape, name).toEqual([2]);
    }
  });
});
