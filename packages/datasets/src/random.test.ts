import { describe, expect, it } from 'vitest';
import { createRandom, mixSeed, shuffleInPlace } from './random.js';

const popCount = (value: number) => {
  let count = 0;
  for (let bits = value >>> 0; bits !== 0; bits &= bits - 1) count += 1;
  return count;
};

describe('mixSeed', () => {
  it('is deterministic and returns unsigned 32-bit integers', () => {
    expect(mixSeed(42, 3)).toBe(mixSeed(42, 3));
    for (const value of [mixSeed(0), mixSeed(-1, 2), mixSeed(2 ** 40, 7)]) {
      expect(Number.isInteger(value) && value >= 0 && value < 2 ** 32).toBe(true);
    }
  });

  it('avalanches: flipping one input bit flips about half of the output bits', () => {
    let flipped = 0;
    let trials = 0;
    for (let seedValue = 0; seedValue < 200; seedValue += 1) {
      for (let bit = 0; bit < 32; bit += 1) {
        flipped += popCount(mixSeed(seedValue, 5) ^ mixSeed((seedValue ^ (1 << bit)) >>> 0, 5));
        flipped += popCount(mixSeed(seedValue, 5) ^ mixSeed(seedValue, (5 ^ (1 << bit)) >>> 0));
        trials += 2;
      }
    }
    // Ideal: Binomial(32, 1/2) per trial, mean 16, standard error of the mean 2.83/√12800 ≈ 0.025.
    expect(Math.abs(flipped / trials - 16)).toBeLessThan(0.15);
  });

  it('separates the bits above 2^32 and the stream index', () => {
    expect(mixSeed(1)).not.toBe(mixSeed(1 + 2 ** 32));
    expect(mixSeed(1, 0)).not.toBe(mixSeed(1, 1));
    expect(mixSeed(1, 0)).not.toBe(mixSeed(1));
  });
});

describe('shuffleInPlace', () => {
  it('returns a permutation of its input', () => {
    const values = Int32Array.from({ length: 100 }, (_, index) => index);
    shuffleInPlace(values, createRandom(1));
    expect(Array.from(values).sort((left, right) => left - right)).toEqual(
      Array.from({ length: 100 }, (_, index) => index),
    );
  });

  it('makes all 24 orders of 4 items equally likely (χ² test)', () => {
    const random = createRandom(8);
    const counts = new Map<string, number>();
    const trials = 24_000;
    for (let trial = 0; trial < trials; trial += 1) {
      const key = Array.from(shuffleInPlace(Int32Array.of(0, 1, 2, 3), random)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const expected = trials / 24;
    const chiSquared = [...counts.values()].reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    // The 99.9th percentile of χ² with 23 degrees of freedom is 49.73.
    expect(chiSquared).toBeLessThan(49.73);
  });
});
