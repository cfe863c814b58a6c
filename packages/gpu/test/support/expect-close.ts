/**
 * The gpu tests' comparison of a gpu tensor with the same computation on the cpu backend:
 * element by element, |gpu − cpu| ≤ absolute + relative·|cpu|, naming the first element that
 * is not. Each test file states its own tolerances and why (float32 on both sides; the gpu sums
 * products in another order, and GLSL allows division and transcendental functions some ulps).
 */
import type { Tensor } from '@vane/tensor';
import { expect } from 'vitest';

/** Tolerances of {@link expectCloseToCpu}. */
export interface Tolerance {
  absolute: number;
  relative: number;
}

/**
 * Fails with the first element of `gpu` that differs from `cpu` by more than `tolerance`.
 *
 * @example
 * expectCloseToCpu(cpuResult, gpuResult, 'matmul 256', { absolute: 1e-4, relative: 1e-4 });
 */
export function expectCloseToCpu(cpu: Tensor, gpu: Tensor, label: string, tolerance: Tolerance): void {
  expect(gpu.shape).toEqual(cpu.shape);
  const want = cpu.dataSync();
  const got = gpu.dataSync();
  for (let index = 0; index < want.length; index++) {
    const difference = Math.abs(got[index]! - want[index]!);
    if (!(difference <= tolerance.absolute + tolerance.relative * Math.abs(want[index]!)))
      throw new Error(`${label}[${index}]: cpu ${want[index]}, gpu ${got[index]}`);
  }
}
