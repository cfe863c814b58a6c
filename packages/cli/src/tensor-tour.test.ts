import { describe, expect, it } from 'vitest';
import { tensorTour } from './tensor-tour.js';

describe('tensorTour', () => {
  it('recovers the generating weights of a noisy linear model', () => {
    const { weights, loss } = tensorTour(() => undefined);
    // Noise std 0.01 on 256 samples: least squares lands within a few hundredths of the truth.
    expect(weights[0]).toBeCloseTo(2, 1);
    expect(weights[1]).toBeCloseTo(-1, 1);
    expect(weights[2]).toBeCloseTo(0.5, 1);
    expect(loss).toBeLessThan(2e-4);
  });
});
