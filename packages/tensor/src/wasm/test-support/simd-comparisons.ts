/**
 * What the SIMD kernel tests compare with: the scalar JavaScript loop's result of the same op
 * (scalar mode), bit for bit, on seeded random inputs. One copy for the reduction, scan,
 * arg-reduction and broadcast tests, which each had their own.
 */
import { expect } from 'vitest';
import { setKernelMode, type Tensor } from '../../index.js';

/** Expects two results to be the same float32 values bit for bit (NaN as NaN, −0 as −0). */
export function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let index = 0; index < actual.length; index++)
    if (!Object.is(actual[index], expected[index]))
      expect.fail(`${label}: element ${index} is ${actual[index]}, expected ${expected[index]}`);
}

/** `run()`'s result on the SIMD kernels and on the JavaScript loop (scalar mode), in that order. */
export function simdAndLoop(run: () => Tensor): [Float32Array, Float32Array] {
  setKernelMode('simd');
  const simd = run().dataSync() as Float32Array;
  setKernelMode('scalar');
  const loop = run().dataSync() as Float32Array;
  setKernelMode('simd');
  return [simd, loop];
}

/** A deterministic generator of numbers in [0, 1) (mulberry32), so failures reproduce. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
