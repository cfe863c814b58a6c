import { tensor, zeros } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { scaledNorm } from './scaled-norm.js';

describe('scaledNorm', () => {
  it('is the Euclidean norm over all leaves', () => {
    expect(scaledNorm([tensor([3, 0], { dtype: 'float64' }), tensor([[4]], { dtype: 'float64' })]).item()).toBe(5);
  });
  it('does not underflow or overflow (3-4-5 triangles at 1e±200 in float64, 1e±30 in float32)', () => {
    // √(Σx²) would give 0 and Infinity here; the exact answers are 5e−200 and 5e200.
    expect(scaledNorm([tensor([3e-200, 4e-200], { dtype: 'float64' })]).item()).toBeCloseTo(5e-200, 214);
    expect(scaledNorm([tensor([3e200, 4e200], { dtype: 'float64' })]).item() / 5e200).toBeCloseTo(1, 14);
    // float32: relative error of a few float32 ulps (2⁻²³ ≈ 1.2e−7).
    expect(Math.abs(scaledNorm([tensor([3e-30, 4e-30])]).item() / 5e-30 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(scaledNorm([tensor([3e30, 4e30])]).item() / 5e30 - 1)).toBeLessThan(1e-6);
  });
  it('is 0 for zeros and for no elements', () => {
    expect(scaledNorm([zeros([3])]).item()).toBe(0);
    expect(scaledNorm([zeros([0])]).item()).toBe(0);
    expect(scaledNorm([]).item()).toBe(0);
  });
});
