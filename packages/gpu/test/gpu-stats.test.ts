/**
 * gpuStats(): a fused expression kernel is one dispatch (run when its result is read), uploads and readbacks are counted
 * where they happen and nowhere else; an op over cached scalar constants is computed on the host (no dispatch); gather's
 * gradient is one dispatch (a scatterAdd into a broadcast zero, no fill).
 */
import * as vane from '@vane/tensor';
import { tidy } from '@vane/tensor';
import { vjp } from '@vane/autodiff';
import { describe, expect, it } from 'vitest';
import { gpuStats, resetGpuStats } from '../src/index.js';
import { gpuReady } from './gpu-availability.js';

describe.runIf(gpuReady)('gpuStats', () => {
  it('counts one upload per tensor, one dispatch per fused kernel, one readback per read', () => {
    tidy(() => {
      const e = vane.expression;
      const axpy = vane.defineKernel('statsAxpy', { inputs: ['x', 'y'], scalars: ['alpha'] }, ({ x, y, alpha }) =>
        e.add(e.mul(alpha, x), y),
      );
      resetGpuStats();
      const x = vane.tensor([1, 2, 3], { backend: 'gpu' });
      const y = vane.tensor([4, 5, 6], { backend: 'gpu' });
      expect(gpuStats()).toEqual({ dispatches: 2, uploads: 2, readbacks: 0 });
      const result = vane.fusedMap(axpy, [x, y], [2]);
      // Elementwise results run when they are needed (elementwise-fusion.ts): here, at the read.
      expect(gpuStats()).toEqual({ dispatches: 2, uploads: 2, readbacks: 0 });
      expect(Array.from(result.dataSync())).toEqual([6, 9, 12]);
      expect(gpuStats()).toEqual({ dispatches: 3, uploads: 2, readbacks: 1 });
    });
  });

  it('runs gather’s gradient as one dispatch and no upload once the zero constant exists', () => {
    tidy(() => {
      const x = vane.randn([32, 10], { generator: vane.seed(1) }).to('gpu');
      const labels = vane.randint(0, 10, [32, 1], { generator: vane.seed(2) }).to('gpu');
      const cotangent = vane.randn([32, 1], { generator: vane.seed(3) }).to('gpu');
      const gradient = () => {
        const [picked, pullBack] = vjp((z: vane.Tensor) => vane.gather(z, 1, labels), x);
        void picked.dataSync();
        resetGpuStats();
        const [dx] = pullBack(cotangent);
        void dx.dataSync();
        return dx;
      };
      gradient();
      const dx = gradient();
      expect(gpuStats()).toEqual({ dispatches: 1, uploads: 0, readbacks: 1 });
      const want = vane.scatterAdd(vane.zeros([32, 10]), 1, labels.to('cpu'), cotangent.to('cpu'));
      expect(Array.from(dx.dataSync())).toEqual(Array.from(want.dataSync()));
    });
  });

  it('computes a one-value op over cached scalar constants on the host: no dispatch, no upload', () => {
    tidy(() => {
      const three = vane.tensor(3, { backend: 'gpu' });
      const tenth = vane.tensor(0.1, { backend: 'gpu' });
      const chain = () => vane.neg(vane.mul(three, tenth)).add(1);
      void chain().dataSync();
      resetGpuStats();
      const folded = chain();
      expect(gpuStats()).toEqual({ dispatches: 0, uploads: 0, readbacks: 0 });
      // Each op rounded to float32, as the GPU computes it.
      expect(folded.item()).toBe(Math.fround(Math.fround(-Math.fround(3 * Math.fround(0.1))) + 1));
      // A one-value result of a kernel is no constant: the op over it runs on the device.
      const total = vane.sum(vane.tensor([1, 2, 3], { backend: 'gpu' }));
      void total.dataSync();
      resetGpuStats();
      expect(total.mul(tenth).item()).toBeCloseTo(0.6, 6);
      expect(gpuStats().dispatches).toBe(1);
    });
  });
});
