import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epsMaxFromOptima } from './eps-max-from-optima';
import { optimalLearningRate, transferLearningRate } from './optimal-learning-rate';

// Relative closeness; the appendix numbers are printed to 3–5 significant digits, so each
// comparison uses the precision the appendix gives (half a unit in the last printed digit).
const expectRelative = (actual: number, expected: number, tolerance: number): void => {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance);
};

describe('optimalLearningRate', () => {
  // Appendix A "Laws", B_noise = 1000, ε_max = 1e-3.
  it('reproduces the SGD law vectors of spec Appendix A', () => {
    const expected: [number, number][] = [[10, 9.9e-6], [100, 9.09e-5], [1000, 5e-4], [10000, 9.09e-4]];
    for (const [batchSize, lr] of expected) {
      expectRelative(optimalLearningRate({ kind: 'sgd', batchSize, bNoise: 1000, epsMax: 1e-3 }), lr, 0.5e-2 / 9.09);
    }
  });

  it('reproduces the Adam (Surge) law vectors of spec Appendix A', () => {
    const expected: [number, number, number][] = [[10, 1.98e-4, 0.5e-3 / 1.98], [100, 5.7496e-4, 0.5e-4 / 5.7496], [1000, 1e-3, 1e-15], [10000, 5.7496e-4, 0.5e-4 / 5.7496]];
    for (const [batchSize, lr, tolerance] of expected) {
      expectRelative(optimalLearningRate({ kind: 'adam', batchSize, bNoise: 1000, epsMax: 1e-3 }), lr, tolerance);
    }
  });

  it('matches the closed forms exactly', () => {
    // Hand derivation: (1 + 1000/250)^0.5 = √5.
    expectRelative(optimalLearningRate({ kind: 'mccandlish', batchSize: 250, bNoise: 1000, epsMax: 1 }), 1 / Math.sqrt(5), 1e-15);
    expectRelative(optimalLearningRate({ kind: 'mccandlish', batchSize: 250, bNoise: 1000, epsMax: 1, alpha: 1 }), 0.2, 1e-15);
    expectRelative(optimalLearningRate({ kind: 'sgd', batchSize: 250, bNoise: 1000, epsMax: 1, alpha: 1 }), 0.2, 1e-15);
  });

  it('Adam law: peaks at B_noise, is symmetric in log B, and has the small-B √B limit (Surge Eq. 4, 15)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: 1, max: 1e6, noNaN: true }), (batchSize, bNoise) => {
        const at = (b: number) => optimalLearningRate({ kind: 'adam', batchSize: b, bNoise, epsMax: 1 });
        expect(at(batchSize)).toBeLessThanOrEqual(1 + 1e-12);
        // Symmetry ε(B) = ε(B_noise²/B), up to rounding in the two square roots.
        expectRelative(at(bNoise ** 2 / batchSize), at(batchSize), 1e-12);
      }),
    );
    expect(optimalLearningRate({ kind: 'adam', batchSize: 1000, bNoise: 1000, epsMax: 3e-4 })).toBe(3e-4);
    // Small-B limit 2ε_max·√(B/B_noise): at B = 1e-6·B_noise the neglected √(B/B_noise) term is 1e-6 relative.
    expectRelative(optimalLearningRate({ kind: 'adam', batchSize: 1e-3, bNoise: 1e3, epsMax: 1 }), 2 * Math.sqrt(1e-6), 2e-6);
  });

  it('SGD law is increasing in B and bounded by ε_max', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: 1, max: 1e6, noNaN: true }), (batchSize, bNoise) => {
        const small = optimalLearningRate({ kind: 'sgd', batchSize, bNoise, epsMax: 1 });
        const large = optimalLearningRate({ kind: 'sgd', batchSize: batchSize * 2, bNoise, epsMax: 1 });
        expect(large).toBeGreaterThan(small);
        expect(large).toBeLessThan(1);
      }),
    );
  });

  it('names the function, the option and the value in errors', () => {
    expect(() => optimalLearningRate({ kind: 'sgd', batchSize: 0, bNoise: 1, epsMax: 1 })).toThrow("optimalLearningRate: 'batchSize' must be a finite number > 0, got 0");
    expect(() => optimalLearningRate({ kind: 'lamb' as 'sgd', batchSize: 1, bNoise: 1, epsMax: 1 })).toThrow("optimalLearningRate: 'kind' must be one of 'sgd', 'adam', 'mccandlish', got \"lamb\"");
    expect(() => optimalLearningRate({ kind: 'adam', batchSize: 1, bNoise: 1, epsMax: 1, alpha: 0.5 })).toThrow("optimalLearningRate: 'alpha'");
    expect(() => optimalLearningRate({ kind: 'sgd', batchSize: 1, bNoise: -2, epsMax: 1 })).toThrow("'bNoise' must be a finite number > 0, got -2");
    expect(() => optimalLearningRate({ kind: 'sgd', batchSize: 1, bNoise: 1, epsMax: 1, batch: 3 } as never)).toThrow("unknown option 'batch'");
  });
});

describe('transferLearningRate and epsMaxFromOptima (spec Appendix A "Transfer")', () => {
  const common = { lr: 3e-4, fromBatch: 256, toBatch: 2048, bNoise: 1024 };
  it('SGD: ε_max = 1.5e-3, prediction 1.0e-3', () => {
    expectRelative(epsMaxFromOptima([{ batchSize: 256, learningRate: 3e-4 }], 1024, 'sgd'), 1.5e-3, 1e-12);
    expectRelative(transferLearningRate({ kind: 'sgd', ...common }), 1e-3, 1e-12);
  });
  it('Adam (Surge): ε_max = 3.75e-4, prediction 3.5355e-4', () => {
    expectRelative(epsMaxFromOptima([{ batchSize: 256, learningRate: 3e-4 }], 1024, 'adam'), 3.75e-4, 1e-12);
    expectRelative(transferLearningRate({ kind: 'adam', ...common }), 3.5355e-4, 0.5e-4 / 3.5355);
  });
  it('McCandlish α = 0.5: prediction 5.477e-4', () => {
    expectRelative(transferLearningRate({ kind: 'mccandlish', ...common }), 5.477e-4, 0.5e-3 / 5.477);
  });
  it('transfer equals the law evaluated with the ε_max implied by the measured point', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sgd' as const, 'adam' as const, 'mccandlish' as const),
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        (kind, fromBatch, toBatch, bNoise) => {
          const epsMax = epsMaxFromOptima([{ batchSize: fromBatch, learningRate: 1e-3 }], bNoise, kind);
          const direct = optimalLearningRate({ kind, batchSize: toBatch, bNoise, epsMax });
          expectRelative(transferLearningRate({ kind, lr: 1e-3, fromBatch, toBatch, bNoise }), direct, 1e-12);
        },
      ),
    );
  });
  it('epsMaxFromOptima averages the implied peaks (Eq. 23) and checks its input', () => {
    // Points exactly on the Adam curve with ε_max = 2e-3 give back 2e-3.
    const points = [64, 256, 4096].map((batchSize) => ({ batchSize, learningRate: optimalLearningRate({ kind: 'adam', batchSize, bNoise: 512, epsMax: 2e-3 }) }));
    expectRelative(epsMaxFromOptima(points, 512, 'adam'), 2e-3, 1e-12);
    expect(() => epsMaxFromOptima([], 512, 'adam')).toThrow("epsMaxFromOptima: 'points' must be a non-empty array");
    expect(() => epsMaxFromOptima([{ batchSize: 4, learningRate: -1 }], 512, 'adam')).toThrow("epsMaxFromOptima: 'points[0].learningRate' must be a finite number > 0, got -1");
  });
});

describe('optimalLearningRate with a large-batch asymptote (Surge Theorem 4 floor, a heuristic)', () => {
  // B_noise = 1000, ε_max = 1e-3: the Theorem 3 law gives 5.7496e-4 at B = 100 and at B = 10000
  // (spec Appendix A); the floor 8e-4 may only lift the falling side, B ≥ B_noise.
  const base = { kind: 'adam' as const, bNoise: 1000, epsMax: 1e-3 };

  it('leaves the rising side (B < B_noise) on the Theorem 3 law', () => {
    expect(optimalLearningRate({ ...base, batchSize: 100, largeBatchAsymptote: 8e-4 })).toBeCloseTo(5.7496e-4, 8);
  });

  it('lifts the falling side (B ≥ B_noise) to the asymptote where the law drops below it', () => {
    expect(optimalLearningRate({ ...base, batchSize: 10000, largeBatchAsymptote: 8e-4 })).toBe(8e-4);
    expect(optimalLearningRate({ ...base, batchSize: 1000, largeBatchAsymptote: 8e-4 })).toBeCloseTo(1e-3, 12);
  });

  it('refuses the option for laws that do not fall, and non-positive values', () => {
    expect(() => optimalLearningRate({ kind: 'sgd', batchSize: 10, bNoise: 1000, epsMax: 1e-3, largeBatchAsymptote: 1e-4 })).toThrow(/optimalLearningRate: 'largeBatchAsymptote'/);
    expect(() => optimalLearningRate({ ...base, batchSize: 10, largeBatchAsymptote: -1 })).toThrow(/optimalLearningRate: 'largeBatchAsymptote'/);
  });
});
