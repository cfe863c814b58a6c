/**
 * Automatic fusion of elementwise chains (elementwise-fusion.ts): chains laid out like their
 * output run as one dispatch when their result is needed, with the values the CPU computes;
 * broadcast and strided operands are read in the same kernel; pending results free what they
 * hold whether or not they ever ran; int32 ops and long chains take their own dispatches.
 */
import * as vane from '@vane/tensor';
import { tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, gpuTextureCount, resetGpuStats } from '../src/index.js';
import { valueAndGrad } from '@vane/autodiff';
import { FUSION_CALL_LIMIT, parametersRead } from '../src/elementwise-fusion.js';
import { quadsAvailable } from '../src/quad-chain.js';
import { gpuReady } from './gpu-availability.js';
import { expectCloseToCpu } from './support/expect-close.js';

const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

/** Tolerance against the cpu backend: float32 elementwise chains, the same operations on both sides; GLSL allows its division and functions a few ulps of error. */
const TOLERANCE = { absolute: 1e-6, relative: 1e-5 };
const expectClose = (cpu: Tensor, gpu: Tensor, label: string) => expectCloseToCpu(cpu, gpu, label, TOLERANCE);

describe.runIf(gpuReady)('elementwise fusion', () => {
  it('w - g * lr is one dispatch, run at the read, and agrees with the cpu', () => {
    tidy(() => {
      const w = random([37, 29], 1);
      const g = random([37, 29], 2);
      const [wGpu, gGpu] = [w.to('gpu'), g.to('gpu')];
      vane.tensor(0.01, { backend: 'gpu' }); // the constant's one upload, before counting
      resetGpuStats();
      const updated = wGpu.sub(gGpu.mul(0.01));
      expect(gpuStats().dispatches).toBe(0);
      expectClose(w.sub(g.mul(0.01)), updated, 'update');
      expect(gpuStats().dispatches).toBe(1);
    });
  });

  it('a chain with broadcast, transposed and unary steps agrees with the cpu in one dispatch', () => {
    tidy(() => {
      const x = random([6, 5], 3);
      const row = random([5], 4);
      const other = random([5, 6], 5);
      const chain = (a: Tensor, b: Tensor, c: Tensor) => vane.relu(a.add(b).mul(c.transpose())).exp().neg().sub(a);
      const [xGpu, rowGpu, otherGpu] = [x.to('gpu'), row.to('gpu'), other.to('gpu')];
      resetGpuStats();
      const result = chain(xGpu, rowGpu, otherGpu);
      expectClose(chain(x, row, other), result, 'chain');
      expect(gpuStats().dispatches).toBe(1);
    });
  });

  it('a matmul followed by a bias add and relu unpacks its product inside that one chain', () => {
    tidy(() => {
      const x = random([12, 20], 10);
      const w = random([20, 9], 11);
      const bias = random([9], 12);
      const [xGpu, wGpu, biasGpu] = [x.to('gpu'), w.to('gpu'), bias.to('gpu')];
      resetGpuStats();
      const result = vane.relu(vane.matmul(xGpu, wGpu).add(biasGpu));
      expectClose(vane.relu(vane.matmul(x, w).add(bias)), result, 'relu(x @ w + b)');
      // pack, pack, product, and one kernel for unpack + add + relu.
      expect(gpuStats().dispatches).toBe(4);
      // The product read on its own (a readback) is unpacked by a kernel of its own.
      const product = vane.matmul(xGpu, wGpu);
      expectClose(vane.matmul(x, w), product, 'x @ w');
    });
  });

  it('an operand the function does not read is passed as 0, not as a texture (the relu gradient ignores its input)', () => {
    const source = 'function vaneReluGradientLike(in0, in1, in2) {\n  return (in1 > 0 ? in2 : 0);\n}';
    const fn = {
      source,
      settings: { returnType: 'Number' as const, argumentTypes: ['Number', 'Number', 'Number'] as const },
    };
    expect(parametersRead(fn, 3)).toEqual([false, true, true]);
    // A name that contains a parameter's name (in10 against in1) is not a read of it.
    const longer = { ...fn, source: 'function f(in0, in1) {\n  return in10 + in0;\n}' };
    expect(parametersRead(longer, 2)).toEqual([true, false]);
    tidy(() => {
      // Backward through relu(x @ w + b): its first-order gradient reads the relu's output and the
      // incoming gradient, not the pending pre-activation (a product and the bias: 5 or 9
      // textures), which is then neither inlined nor run.
      const x = random([16, 12], 20);
      const w = random([12, 8], 21);
      const bias = random([8], 22);
      const v = random([16, 8], 23);
      const gradients = (device: 'cpu' | 'gpu') => {
        const loss = (p: { w: Tensor; b: Tensor }) =>
          vane
            .relu(vane.matmul(x.to(device), p.w).add(p.b))
            .mul(v.to(device))
            .sum();
        return valueAndGrad(loss)({ w: w.to(device), b: bias.to(device) })[1];
      };
      const cpu = gradients('cpu');
      const gpu = gradients('gpu');
      expectClose(cpu.w, gpu.w, 'dw');
      expectClose(cpu.b, gpu.b, 'db');
    });
  });

  it('a pending result consumed by a non-elementwise op runs first, once', () => {
    tidy(() => {
      const x = random([8, 8], 6);
      const xGpu = x.to('gpu');
      resetGpuStats();
      const y = xGpu.mul(2).add(1);
      const total = vane.sum(y, -1);
      const dispatchesAfterSum = gpuStats().dispatches;
      expectClose(vane.sum(x.mul(2).add(1), -1), total, 'sum of chain');
      expectClose(x.mul(2).add(1), y, 'chain read after the sum');
      // The chain ran once for the sum; reading it again runs nothing more but, where the sum
      // read it four values per texel (WebGL1, quad-chain.ts), the conversion to one value per
      // texel.
      expect(gpuStats().dispatches).toBe(dispatchesAfterSum + (quadsAvailable() ? 1 : 0));
    });
  });

  it('operands disposed before the chain runs are still read correctly', () => {
    const x = random([4, 4], 7);
    const xGpu = x.to('gpu');
    const yGpu = xGpu.mul(3);
    xGpu.dispose();
    const zGpu = yGpu.add(1);
    yGpu.dispose();
    try {
      expectClose(x.mul(3).add(1), zGpu, 'after disposal');
    } finally {
      zGpu.dispose();
    }
  });

  it('pending results that never run free their references: the texture count returns', () => {
    const x = random([16], 8).to('gpu');
    const before = gpuTextureCount();
    resetGpuStats();
    tidy(() => {
      const y = x.mul(2).add(x).exp();
      expect(gpuTextureCount()).toBe(before + 3);
      void y;
    });
    expect(gpuTextureCount()).toBe(before);
    expect(gpuStats().dispatches).toBe(0);
    x.dispose();
  });

  it('int32 ops run at once, and a chain longer than the limit splits', () => {
    tidy(() => {
      const ints = vane.tensor([1, 2, 3], { dtype: 'int32' }).to('gpu');
      resetGpuStats();
      const doubled = ints.mul(ints);
      expect(gpuStats().dispatches).toBe(1);
      expect(Array.from(doubled.dataSync())).toEqual([1, 4, 9]);

      const x = random([10], 9);
      let cpu = x;
      let gpu = x.to('gpu');
      const steps = 2 * FUSION_CALL_LIMIT + 3;
      resetGpuStats();
      for (let step = 0; step < steps; step++) {
        cpu = cpu.mul(1.01).add(0.5);
        gpu = gpu.mul(1.01).add(0.5);
      }
      expectClose(cpu, gpu, 'long chain');
      // The two constants are uploaded once and then passed by value; the chain splits by the limit.
      expect(gpuStats().dispatches).toBe(2 + Math.ceil((2 * steps) / FUSION_CALL_LIMIT));
    });
  });
});
