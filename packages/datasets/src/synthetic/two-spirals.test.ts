import { describe, expect, it } from 'vitest';
import { twoSpirals } from './two-spirals.js';

describe('twoSpirals', () => {
  it('puts noise-free points exactly on the arm r·(cos θ, sin θ), θ = 2π·turns·r + π·class', () => {
    const turns = 2;
    const spirals = twoSpirals({ count: 500, noise: 0, turns, seed: 5 });
    expect(spirals.inputShape).toEqual([2]);
    expect(spirals.count).toBe(500);
    for (let index = 0; index < spirals.count; index += 1) {
      const x = spirals.inputs[2 * index];
      const y = spirals.inputs[2 * index + 1];
      const radius = Math.hypot(x, y);
      expect(radius).toBeLessThanOrEqual(1 + 1e-6);
      const angle = 2 * Math.PI * turns * radius + Math.PI * spirals.targets[index];
      // Compare directions rather than angles so wrapping by 2π does not matter; the tolerance
      // covers float32 rounding of the stored coordinates.
      expect(x - radius * Math.cos(angle)).toBeCloseTo(0, 4);
      expect(y - radius * Math.sin(angle)).toBeCloseTo(0, 4);
    }
  });

  it('alternates balanced classes', () => {
    const spirals = twoSpirals({ count: 7, noise: 0.1, seed: 1 });
    expect(Array.from(spirals.targets)).toEqual([0, 1, 0, 1, 0, 1, 0]);
    expect(spirals.classes).toBe(2);
  });

  it('adds Gaussian noise of the requested standard deviation', () => {
    // Same seed: same positions along the arms, so the difference is exactly the noise.
    const clean = twoSpirals({ count: 4000, noise: 0, seed: 9 });
    const noisy = twoSpirals({ count: 4000, noise: 0.2, seed: 9 });
    let sum = 0;
    let sumOfSquares = 0;
    for (let index = 0; index < clean.inputs.length; index += 1) {
      const difference = noisy.inputs[index] - clean.inputs[index];
      sum += difference;
      sumOfSquares += difference * difference;
    }
    const n = clean.inputs.length;
    const mean = sum / n;
    const std = Math.sqrt(sumOfSquares / n - mean * mean);
    // Standard error of the mean is 0.2/√8000 ≈ 0.0022 and of the std ≈ 0.0016: 5σ bounds.
    expect(Math.abs(mean)).toBeLessThan(0.012);
    expect(Math.abs(std - 0.2)).toBeLessThan(0.008);
  });

  it('is reproducible per seed and differs across seeds', () => {
    const first = twoSpirals({ count: 50, noise: 0.1, seed: 3 });
    const again = twoSpirals({ count: 50, noise: 0.1, seed: 3 });
    const other = twoSpirals({ count: 50, noise: 0.1, seed: 4 });
    expect(again.inputs).toEqual(first.inputs);
    expect(other.inputs).not.toEqual(first.inputs);
  });

  it('rejects bad options with the argument name and value', () => {
    expect(() => twoSpirals({ count: 0, noise: 0, seed: 1 })).toThrow(
      'twoSpirals: count must be an integer ≥ 1, got 0',
    );
    expect(() => twoSpirals({ count: 10, noise: -1, seed: 1 })).toThrow(
      'twoSpirals: noise must be a finite number ≥ 0, got -1',
    );
    expect(() => twoSpirals({ count: 10, noise: 0, seed: 1.5 })).toThrow(
      'twoSpirals: seed must be a safe integer, got 1.5',
    );
  });
});
