/**
 * What the gpu backend remembers between calls instead of rebuilding per dispatch: the gpu.js
 * function of an expression tree (expression-source.ts), the parameters a function reads
 * (elementwise-fusion.ts), and compiled kernels per key, which a chain run again reuses
 * (kernel-runner.ts, quad-chain.ts). Remembered answers must be the ones a fresh computation gives.
 */
import { expression as e, tensor, tidy } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { parametersRead } from '../src/elementwise-fusion.js';
import { gpuExpressionFunction } from '../src/expression-source.js';
import { compiledKernelCount } from '../src/kernel-runner.js';
import { gpuReady } from './gpu-availability.js';

const x = e.input(0);
const y = e.input(1);

describe('gpu.js functions of expression trees', () => {
  it('are generated once per tree and signature, and shared', () => {
    const tree = e.add(e.mul(e.scalar(0), x), y);
    const first = gpuExpressionFunction('vaneMemoAxpy', tree, 2, 1);
    expect(gpuExpressionFunction('vaneMemoAxpy', tree, 2, 1)).toBe(first);
    expect(first.source).toBe('function vaneMemoAxpy(in0, in1, s0) {\n  return ((s0 * in0) + in1);\n}');
    // Another name or signature over the same tree is another function.
    const renamed = gpuExpressionFunction('vaneMemoOther', tree, 2, 1);
    expect(renamed.source).toBe('function vaneMemoOther(in0, in1, s0) {\n  return ((s0 * in0) + in1);\n}');
    expect(gpuExpressionFunction('vaneMemoAxpy', tree, 3, 1).settings.argumentTypes).toHaveLength(4);
    // An equal tree built again gets the same text (generated for it, not looked up by text).
    const rebuilt = gpuExpressionFunction('vaneMemoAxpy', e.add(e.mul(e.scalar(0), x), y), 2, 1);
    expect(rebuilt.source).toBe(first.source);
  });

  it('refuse an unwritable constant on every call, not only the first', () => {
    const tree = e.add(x, Infinity);
    for (let call = 0; call < 2; call++)
      expect(() => gpuExpressionFunction('vaneMemoInfinity', tree, 1, 0)).toThrow(
        "gpu: kernel 'vaneMemoInfinity' uses the constant Infinity",
      );
  });

  it('report the parameters they read the same way when asked again', () => {
    const fn = gpuExpressionFunction('vaneMemoReads', e.mul(y, 2), 3, 0);
    expect(parametersRead(fn, 3)).toEqual([false, true, false]);
    expect(parametersRead(fn, 3)).toEqual([false, true, false]);
    // Past the declared parameters every operand counts as read.
    expect(parametersRead(fn, 4)).toEqual([false, true, false, true]);
  });
});

describe.runIf(gpuReady)('fused chains run again', () => {
  it('reuse their compiled kernels and compute the same values', () => {
    const run = (offset: number) =>
      tidy(() => {
        const a = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [2, 4], backend: 'gpu' });
        const b = tensor([0.5, 0.25, 2, 4, -1, -2, 3, 8], { shape: [2, 4], backend: 'gpu' });
        const chain = () => a.mul(b).add(offset).relu();
        // A reduction reads a pending chain as quads where it can (quad-chain.ts).
        return [...chain().dataSync(), ...chain().sum(0).dataSync()];
      });
    const expected = (offset: number) => {
      const values = [0.5, 0.5, 6, 16, -5, -12, 21, 64].map((product) => Math.max(product + offset, 0));
      return [...values, ...values.slice(0, 4).map((value, column) => value + values[column + 4]!)];
    };
    const offsets = [1, -3, 0.5];
    // The first rounds compile the chain and give sizes that come back instances of their own
    // (kernel-runner.ts); from then on the same calls compile nothing.
    for (let round = 0; round < 3; round++) for (const offset of offsets) expect(run(offset)).toEqual(expected(offset));
    const compiled = compiledKernelCount();
    for (let round = 0; round < 3; round++) for (const offset of offsets) expect(run(offset)).toEqual(expected(offset));
    expect(compiledKernelCount()).toBe(compiled);
  });
});
