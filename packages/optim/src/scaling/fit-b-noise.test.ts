import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitBNoise } from './fit-b-noise.js';

describe('fitBNoise (Surge Eq. 22)', () => {
  it('recovers B_noise = 500 and S_min = 1000 from S = S_min(1 + B_crit/B) (spec Appendix A)', () => {
    const points = [32, 64, 128, 256, 512, 1024, 2048].map((b) => {
      const steps = 1000 * (1 + 500 / b);
      return { steps, examples: b * steps };
    });
    const fit = fitBNoise(points);
    // Exact data on the line; only rounding in the reciprocals and the regression sums remains.
    expect(fit.bNoise).toBeCloseTo(500, 8);
    expect(fit.sMin).toBeCloseTo(1000, 8);
  });

  it('recovers any hyperbola exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        fc.double({ min: 10, max: 1e6, noNaN: true }),
        (bNoise, sMin) => {
          const points = [1, 8, 64, 512].map((scale) => {
            const batch = (bNoise * scale) / 16;
            const steps = sMin * (1 + bNoise / batch);
            return { steps, examples: batch * steps };
          });
          const fit = fitBNoise(points);
          expect(Math.abs(fit.bNoise - bNoise) / bNoise).toBeLessThan(1e-8);
          expect(Math.abs(fit.sMin - sMin) / sMin).toBeLessThan(1e-8);
        },
      ),
    );
  });

  it('rejects input it cannot fit, naming the option', () => {
    expect(() => fitBNoise([{ steps: 10, examples: 100 }])).toThrow(
      "fitBNoise: 'points' must be an array of at least two { steps, examples }, got 1 point(s)",
    );
    expect(() =>
      fitBNoise([
        { steps: 10, examples: 100 },
        { steps: 0, examples: 3 },
      ]),
    ).toThrow("fitBNoise: 'points[1].steps' must be a finite number > 0, got 0");
    expect(() =>
      fitBNoise([
        { steps: 10, examples: 100 },
        { steps: 5, examples: 100 },
      ]),
    ).toThrow('at least two distinct example counts');
    // More examples with more steps: not the trade-off hyperbola.
    expect(() =>
      fitBNoise([
        { steps: 10, examples: 100 },
        { steps: 20, examples: 400 },
      ]),
    ).toThrow('negative slope');
  });
});
