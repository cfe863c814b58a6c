/**
 * Bad input must throw an Error that names the op, the argument and the shapes involved.
 */
import { describe, expect, it } from 'vitest';
import * as vane from './index.js';
import { ones, registerBackend, tensor, zeros, type Tensor } from './index.js';
import { createCpuBackend } from './cpu/cpu-backend.js';

registerBackend({ ...createCpuBackend(), name: 'other' });

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error('expected the call to throw');
}

describe('incompatible shapes', () => {
  it('matmul names b, its shape and the expected inner dimension', () => {
    expect(message(() => vane.matmul(zeros([2, 3]), zeros([4, 5])))).toMatch(
      /^matmul: 'b' has shape \[4,5\], expected \[3,\*\]/,
    );
    expect(message(() => vane.matmul(zeros([2, 2, 3]), zeros([3, 3, 4])))).toMatch(
      /^matmul: .*'a \(batch axes\)' has shape \[2\].*'b \(batch axes\)' has shape \[3\]/,
    );
    expect(message(() => vane.matmul(zeros([3]), zeros([4])))).toMatch(/^matmul: 'b' has shape \[4\]/);
    expect(message(() => vane.matmul(tensor(1), zeros([1])))).toMatch(
      /^matmul: operands must have at least 1 axis, got 'a' \[\]/,
    );
  });

  it('binary elementwise ops name both operands and shapes', () => {
    for (const op of ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'less', 'logicalAnd', 'mod'] as const) {
      const error = message(() => (vane[op] as (a: Tensor, b: Tensor) => Tensor)(zeros([2, 3]), zeros([4])));
      expect(error).toMatch(
        new RegExp(`^${op}: shapes cannot be broadcast together: 'a' has shape \\[2,3\\], 'b' has shape \\[4\\]`),
      );
    }
    expect(message(() => vane.where(zeros([2], { dtype: 'bool' }), zeros([3]), 0))).toMatch(
      /^where: .*'condition' has shape \[2\].*'a' has shape \[3\]/,
    );
    expect(message(() => vane.broadcastTo(zeros([3]), [2, 4]))).toMatch(
      /^broadcastTo: .*'x' has shape \[3\].*'shape' has shape \[2,4\]/,
    );
    expect(message(() => vane.expand(zeros([3]), [4]))).toMatch(/^expand: cannot expand shape \[3\] to \[4\]/);
  });

  it('concat, stack, dot, gather, scatterAdd, conv2d name the offending argument and shape', () => {
    expect(message(() => vane.concat([zeros([2, 3]), zeros([2, 4])], 0))).toMatch(
      /^concat: 'tensors\[1\]' has shape \[2,4\], expected \[\*,3\]/,
    );
    expect(message(() => vane.stack([zeros([2]), zeros([3])]))).toMatch(
      /^stack: 'tensors\[1\]' has shape \[3\], expected \[2\]/,
    );
    expect(message(() => vane.dot(zeros([3]), zeros([4])))).toMatch(/^dot: .*'a' \[3\] and 'b' \[4\]/);
    expect(message(() => vane.outer(zeros([3, 1]), zeros([4])))).toMatch(/^outer: .*'a' \[3,1\]/);
    expect(message(() => vane.gather(zeros([2, 3]), 0, zeros([2, 4], { dtype: 'int32' })))).toMatch(
      /^gather: 'index' has shape \[2,4\], incompatible with 'x' of shape \[2,3\]/,
    );
    expect(message(() => vane.scatterAdd(zeros([2, 3]), 0, zeros([1, 4], { dtype: 'int32' }), zeros([1, 4])))).toMatch(
      /^scatterAdd: 'index' has shape \[1,4\], incompatible with 'target' \[2,3\]/,
    );
    expect(message(() => vane.conv2d(zeros([1, 3, 5, 5]), zeros([4, 2, 3, 3])))).toMatch(
      /^conv2d: 'weight' has shape \[4,2,3,3\], expected \[4,3,\*,\*\]/,
    );
    expect(message(() => vane.conv2d(zeros([3, 5, 5]), zeros([4, 3, 3, 3])))).toMatch(
      /^conv2d: 'x' has shape \[3,5,5\], expected \[N,C,H,W\]/,
    );
    expect(message(() => vane.conv2d(zeros([1, 3, 5, 5]), zeros([4, 3, 3, 3]), { bias: zeros([3]) }))).toMatch(
      /^conv2d: 'bias' has shape \[3\], expected \[4\]/,
    );
    expect(message(() => vane.conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 3, 3])))).toMatch(
      /^conv2d: kernel 3x3 .* does not fit input 2x2/,
    );
    expect(message(() => vane.maxPool2d(zeros([1, 5, 5]), 2))).toMatch(
      /^maxPool2d: 'x' has shape \[1,5,5\], expected \[N,C,H,W\]/,
    );
  });

  it('conv1d reports its own name and 3-D shapes', () => {
    expect(message(() => vane.conv1d(zeros([1, 3, 8]), zeros([4, 2, 3])))).toMatch(
      /^conv1d: 'weight' has shape \[4,2,3\], expected \[4,3,\*\]/,
    );
    expect(message(() => vane.conv1d(zeros([1, 3, 8]), zeros([4, 3, 3]), { bias: zeros([2]) }))).toMatch(
      /^conv1d: 'bias' has shape \[2\], expected \[4\]/,
    );
  });

  it('convTranspose2d checks its weight and groups', () => {
    expect(message(() => vane.convTranspose2d(zeros([1, 3, 4, 4]), zeros([2, 2, 3, 3])))).toMatch(
      /^convTranspose2d: 'weight' has shape \[2,2,3,3\], expected \[3,/,
    );
    expect(message(() => vane.convTranspose2d(zeros([1, 3, 4, 4]), zeros([3, 2, 3, 3]), { groups: 2 }))).toMatch(
      /^convTranspose2d: 'groups' 2 must divide/,
    );
    expect(message(() => vane.convTranspose2d(zeros([1, 3, 4, 4]), zeros([3, 2, 3, 3]), { stride: 0 }))).toMatch(
      /^convTranspose2d: 'stride' must be an integer ≥ 1/,
    );
    expect(message(() => vane.convTranspose2d(zeros([1, 3, 4, 4]), zeros([3, 2, 3, 3], { dtype: 'float64' })))).toMatch(
      /^convTranspose2d: 'weight' is float64 but 'x' is float32/,
    );
  });
});

describe('a reshape that does not fit', () => {
  it('names both shapes and the element count', () => {
    expect(message(() => vane.reshape(zeros([2, 3]), [4]))).toMatch(
      /^reshape: cannot reshape tensor of shape \[2,3\] \(6 elements\) into \[4\]/,
    );
    expect(message(() => vane.reshape(zeros([2, 3]), [-1, 4]))).toMatch(
      /^reshape: cannot reshape tensor of shape \[2,3\] \(6 elements\) into \[-1,4\]/,
    );
    expect(message(() => vane.reshape(zeros([6]), [-1, -1]))).toMatch(
      /^reshape: 'shape' \[-1,-1\] has more than one -1/,
    );
    expect(message(() => vane.reshape(zeros([6]), [2, 3.5]))).toMatch(
      /^reshape: 'shape' must contain non-negative integers/,
    );
    expect(message(() => tensor([1, 2, 3], { shape: [2, 2] }))).toMatch(
      /^tensor: 'shape' \[2,2\] holds 4 elements but 'data' has 3/,
    );
    expect(message(() => vane.squeeze(zeros([2, 1]), 0))).toMatch(
      /^squeeze: axis 0 of shape \[2,1\] has size 2, expected 1/,
    );
    expect(message(() => vane.split(zeros([5]), 2))).toMatch(
      /^split: axis 0 of size 5 cannot be split into 2 equal sections/,
    );
    expect(message(() => tensor([[1, 2], [3]]))).toMatch(/^tensor: 'data' is ragged/);
  });
});

describe('bad axes', () => {
  it('reductions, softmax, cumsum, argmax, concat, flatten, transpose, permute, unsqueeze', () => {
    const x = zeros([2, 3]);
    expect(message(() => vane.sum(x, 2))).toMatch(
      /^sum: 'axis' 2 is out of range for shape \[2,3\] \(valid: -2\.\.1\)/,
    );
    expect(message(() => vane.mean(x, [0, -3]))).toMatch(/^mean: 'axis' -3 is out of range for shape \[2,3\]/);
    expect(message(() => vane.max(x, [1, -1]))).toMatch(
      /^max: 'axis' contains a repeated axis: \[1,-1\] for shape \[2,3\]/,
    );
    expect(message(() => vane.variance(x, 5))).toMatch(/^variance: 'axis' 5 is out of range/);
    expect(message(() => vane.softmax(x, 2))).toMatch(/^softmax: 'axis' 2 is out of range for shape \[2,3\]/);
    expect(message(() => vane.logSoftmax(x, -3))).toMatch(/^logSoftmax: 'axis' -3/);
    expect(message(() => vane.cumsum(x, 1.5))).toMatch(/^cumsum: 'axis' must be an integer, got 1\.5/);
    expect(message(() => vane.argmax(x, 2))).toMatch(/^argmax: 'axis' 2 is out of range for shape \[2,3\]/);
    expect(message(() => vane.concat([x, x], 2))).toMatch(/^concat: 'axis' 2 is out of range for shape \[2,3\]/);
    expect(message(() => vane.flatten(x, 3))).toMatch(/^flatten: 'startAxis' 3 is out of range/);
    expect(message(() => vane.transpose(x, 0, 4))).toMatch(/^transpose: 'axis' 4 is out of range/);
    expect(message(() => vane.permute(x, [0, 0]))).toMatch(/^permute: 'axes' \[0,0\] is not a permutation/);
    expect(message(() => vane.permute(x, [0]))).toMatch(/^permute: 'axes' \[0\] must list 2 axes for shape \[2,3\]/);
    expect(message(() => vane.unsqueeze(x, 4))).toMatch(/^unsqueeze: 'axis' 4 is out of range/);
    expect(message(() => vane.flip(x, 2))).toMatch(/^flip: 'axis' 2 is out of range/);
    expect(message(() => vane.gather(x, 2, zeros([2, 3], { dtype: 'int32' })))).toMatch(
      /^gather: 'axis' 2 is out of range/,
    );
    expect(message(() => vane.triu(zeros([3])))).toMatch(/^triu: 'x' must have at least 2 axes, got shape \[3\]/);
  });

  it('out-of-range slice indices and index values', () => {
    expect(message(() => vane.slice(zeros([2, 3]), [null, 3]))).toMatch(
      /^slice: index 3 is out of range for axis 1 of size 3 \(shape \[2,3\]\)/,
    );
    expect(message(() => vane.slice(zeros([2]), [{ step: 0 }]))).toMatch(/^slice: 'step' must be a non-zero integer/);
    expect(message(() => vane.gather(zeros([2, 3]), 1, tensor([[3]], { dtype: 'int32' })))).toMatch(
      /^gather: 'index' \(shape \[1,1\]\) holds 3, out of range for axis 1 of size 3/,
    );
    expect(message(() => vane.indexSelect(zeros([2, 3]), 0, tensor([-1], { dtype: 'int32' })))).toMatch(
      /out of range for axis 0 of size 2/,
    );
    expect(message(() => vane.oneHot(tensor([0, 4], { dtype: 'int32' }), 3))).toMatch(
      /^oneHot: 'indices' holds values in \[0, 4\], expected \[0, 2\]/,
    );
  });
});

describe('wrong dtypes', () => {
  it('float indices are rejected by every indexing op', () => {
    const x = zeros([3, 3]);
    const floatIndex = tensor([[0, 1, 2]]);
    expect(message(() => vane.gather(x, 0, floatIndex))).toMatch(
      /^gather: 'index' must be an int32 tensor, got float32 with shape \[1,3\]/,
    );
    expect(message(() => vane.takeAlongAxis(x, floatIndex, 0))).toMatch(/'index' must be an int32 tensor, got float32/);
    expect(message(() => vane.indexSelect(x, 0, tensor([0.5])))).toMatch(
      /^indexSelect: 'index' must be an int32 tensor, got float32 with shape \[1\]/,
    );
    expect(message(() => vane.scatterAdd(x, 0, floatIndex, x))).toMatch(/^scatterAdd: 'index' must be an int32 tensor/);
    expect(message(() => vane.oneHot(tensor([1, 2]), 3))).toMatch(
      /^oneHot: 'index' must be an int32 tensor, got float32/,
    );
  });

  it('float-only ops reject integer and bool inputs; bad dtype names are listed', () => {
    const ints = zeros([1, 1, 3, 3], { dtype: 'int32' });
    expect(message(() => vane.conv2d(ints, ints))).toMatch(/^conv2d: 'x' must be float32 or float64, got int32/);
    expect(message(() => vane.conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 3, 3], { dtype: 'float64' })))).toMatch(
      /^conv2d: 'weight' is float64 but 'x' is float32/,
    );
    expect(message(() => vane.maxPool2d(ints, 2))).toMatch(/^maxPool2d: 'x' must be float32 or float64, got int32/);
    expect(message(() => vane.softmax(tensor([1, 2], { dtype: 'int32' })))).toMatch(
      /^softmax: 'x' must be float32 or float64, got int32/,
    );
    expect(message(() => vane.matmul(zeros([2, 2], { dtype: 'bool' }), zeros([2, 2], { dtype: 'bool' })))).toMatch(
      /^matmul: bool operands are not supported/,
    );
    expect(message(() => tensor([1], { dtype: 'float16' as 'float32' }))).toMatch(
      /^tensor: 'dtype' must be one of bool, int32, float32, float64, got "float16"/,
    );
    expect(message(() => vane.cast(zeros([1]), 'int8' as 'int32'))).toMatch(/^cast: 'dtype' must be one of/);
    expect(message(() => vane.add(zeros([1]), 'x' as unknown as number))).toMatch(
      /^add: 'b' must be a Tensor or a number, got string x/,
    );
    expect(message(() => vane.sum([1, 2] as unknown as Tensor))).toMatch(
      /^sum: 'x' must be a Tensor, got an array of length 2/,
    );
  });
});

describe('tensors on different backends', () => {
  const here = ones([2, 2]);
  const there = ones([2, 2], { backend: 'other' });
  const index = zeros([2, 2], { dtype: 'int32' });
  const cases: [string, () => unknown][] = [
    ['add', () => vane.add(here, there)],
    ['mul', () => vane.mul(there, here)],
    ['where', () => vane.where(vane.greater(here, 0), here, there)],
    ['matmul', () => vane.matmul(here, there)],
    ['concat', () => vane.concat([here, there])],
    ['stack', () => vane.stack([here, there])],
    ['gather', () => vane.gather(there, 0, index)],
    ['scatterAdd', () => vane.scatterAdd(here, 0, index, there)],
    ['conv2d', () => vane.conv2d(here.reshape([1, 1, 2, 2]), there.reshape([1, 1, 2, 2]))],
    ['convTranspose2d', () => vane.convTranspose2d(here.reshape([1, 1, 2, 2]), there.reshape([1, 1, 2, 2]))],
    ['dot', () => vane.dot(here.reshape([4]), there.reshape([4]))],
    ['outer', () => vane.outer(here.reshape([4]), there.reshape([4]))],
    ['indexSelect', () => vane.indexSelect(there, 0, tensor([0], { dtype: 'int32' }))],
    [
      'fusedMap(axpy)',
      () =>
        vane.fusedMap(
          vane.defineKernel('axpy', { inputs: ['a', 'b'] }, ({ a, b }) => vane.expression.add(a, b)),
          [here, there],
        ),
    ],
  ];
  for (const [op, run] of cases) {
    it(`${op} names itself and both backends`, () => {
      const error = message(run);
      expect(error.startsWith(`${op}: tensors are on different backends`), error).toBe(true);
      expect(error).toMatch(/on cpu.*on other|on other.*on cpu/);
    });
  }
});
