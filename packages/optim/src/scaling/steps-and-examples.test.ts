import { describe, expect, it } from 'vitest';
import { fitBNoise } from './fit-b-noise.js';
import { predictedExamples, predictedSteps } from './steps-and-examples.js';

describe('predictedSteps and predictedExamples (McCandlish et al. Eq. 2.11)', () => {
  it('give S = S_min(1 + B_noise/B) and E = E_min(1 + B/B_noise), worked by hand', () => {
    // B_noise = 500, S_min = 1000, E_min = 5e5.
    expect(predictedSteps({ batchSize: 100, bNoise: 500, sMin: 1000 })).toBe(6000);
    expect(predictedSteps({ batchSize: 500, bNoise: 500, sMin: 1000 })).toBe(2000);
    expect(predictedSteps({ batchSize: 2000, bNoise: 500, sMin: 1000 })).toBe(1250);
    expect(predictedExamples({ batchSize: 100, bNoise: 500, eMin: 5e5 })).toBe(6e5);
    expect(predictedExamples({ batchSize: 500, bNoise: 500, eMin: 5e5 })).toBe(1e6);
    expect(predictedExamples({ batchSize: 2000, bNoise: 500, eMin: 5e5 })).toBe(2.5e6);
  });

  it('lie on the hyperbola (S/S_min − 1)(E/E_min − 1) = 1, with E = B·S when E_min = B_noise·S_min', () => {
    for (const batchSize of [1, 7, 64, 500, 3000, 1e6]) {
      const steps = predictedSteps({ batchSize, bNoise: 500, sMin: 1000 });
      const examples = predictedExamples({ batchSize, bNoise: 500, eMin: 500 * 1000 });
      expect((steps / 1000 - 1) * (examples / 5e5 - 1)).toBeCloseTo(1, 12);
      expect(examples / (batchSize * steps)).toBeCloseTo(1, 14);
    }
  });

  it('have the limits S → S_min (B → ∞) and E → E_min (B → 0)', () => {
    expect(predictedSteps({ batchSize: 1e15, bNoise: 500, sMin: 1000 }) / 1000).toBeCloseTo(1, 10);
    expect(predictedExamples({ batchSize: 1e-10, bNoise: 500, eMin: 5e5 }) / 5e5).toBeCloseTo(1, 10);
  });

  it('round-trip through fitBNoise', () => {
    const runs = [16, 64, 256, 1024].map((batchSize) => {
      const steps = predictedSteps({ batchSize, bNoise: 300, sMin: 2000 });
      return { steps, examples: predictedExamples({ batchSize, bNoise: 300, eMin: 300 * 2000 }) };
    });
    const fit = fitBNoise(runs);
    expect(fit.bNoise).toBeCloseTo(300, 8);
    expect(fit.sMin).toBeCloseTo(2000, 8);
  });

  it('name the function and the option on bad input', () => {
    expect(() => predictedSteps({ batchSize: 0, bNoise: 500, sMin: 1000 })).toThrow(
      "predictedSteps: 'batchSize' must be a finite number > 0, got 0",
    );
    expect(() => predictedExamples({ batchSize: 10, bNoise: Number.NaN, eMin: 1 })).toThrow(
      "predictedExamples: 'bNoise' must be a finite number > 0, got NaN",
    );
    expect(() => predictedSteps({ batchSize: 10, bNoise: 500, eMin: 1 } as never)).toThrow(
      "predictedSteps: unknown option 'eMin'",
    );
  });
});
