/**
 * gpuStats(): a fused expression kernel is one dispatch (run when its result is read), uploads and readbacks are counted
 * where they happen and nowhere else.
 */
import * as vane from '@vane/tensor';
import { tidy } from '@vane/tensor';
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
});
