/**
 * Expression kernels on the gpu backend: the gpu.js source is generated from the tree (shared
 * nodes as locals, trunc through floor/ceil, fround as the identity) and agrees with the CPU
 * within float32 ulps; a NaN constant is refused with the kernel's name.
 */
import { expression as e, fusedMap, tensor, tidy, type ExpressionKernel } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuExpressionFunction } from '../src/expression-source.js';
import { gpuReady } from './gpu-availability.js';

const x = e.input(0);
const y = e.input(1);
const shared = e.mul(x, y);
const KERNEL: ExpressionKernel = {
  name: 'test.gpu.expression',
  arity: 2,
  scalarCount: 1,
  // Every kind of node: arithmetic, min/max, comparisons, logic, select, the unary functions.
  expression: e.add(
    e.select(
      e.or(e.and(e.greater(x, 0), e.lessEqual(y, 1)), e.not(e.equal(x, y))),
      e.div(shared, e.add(1, e.abs(shared))),
      e.neg(y),
    ),
    e.add(
      e.mul(e.scalar(0), e.add(e.trunc(x), e.fround(e.roundHalfEven(y)))),
      e.add(e.min(x, e.max(y, 0.5)), e.add(e.exp(e.neg(e.abs(x))), e.sqrt(e.abs(y)))),
    ),
  ),
};

describe('gpu.js source from expressions', () => {
  it('writes shared nodes once, trunc with floor/ceil, fround as the identity', () => {
    const source = gpuExpressionFunction('vaneTest', KERNEL.expression, 2, 1).source;
    expect(source).toMatch(/^function vaneTest\(in0, in1, s0\) \{\n {2}const t0 = \(in0 \* in1\);/);
    expect(source).toContain('(in0 < 0 ? Math.ceil(in0) : Math.floor(in0))');
    expect(source).not.toContain('fround');
    expect(() => gpuExpressionFunction('vaneNaN', e.add(x, NaN), 1, 0)).toThrow(
      "gpu: kernel 'vaneNaN' uses the constant NaN, which gpu.js cannot write",
    );
  });

  it.skipIf(!gpuReady)('runs on the gpu backend and agrees with the CPU', () => {
    tidy(() => {
      const a = tensor([-2.5, -1.25, -0.5, 0, 0.5, 1, 1.75, 3.5, 6]);
      const b = tensor([1, 0.75, -2, 3.5, 0.5, -1.5, 2.5, 1, -4]);
      const cpu = fusedMap(KERNEL, [a, b], [0.25]).dataSync();
      const gpu = fusedMap(KERNEL, [a.to('gpu'), b.to('gpu')], [0.25]).dataSync();
      for (let index = 0; index < cpu.length; index++)
        expect(Math.abs(gpu[index]! - cpu[index]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(cpu[index]!)));
    });
  });
});
