import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epsMaxFromOptima } from './eps-max-from-optima.js';
import { optimalLearningRate, transferLearningRate } from './optimal-learning-rate.js';
import { signDescentOptimalLearningRate, surgeNoiseScale } from './surge-model.js';

// Relative closeness; the appendix numbers are printed to 3–5 significant digits, so each
// comparison uses the precision the appendix gives (half a unit in the last printed digit).
const expectRelative = (actual: number, expected: number, tolerance: number): void => {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance);
};

describe('optimalLearningRate', () => {
  // Appendix A "Laws", B_noise = 1000, ε_max = 1e-3.
  it('reproduces the SGD law vectors of spec Appendix A', () => {
    const expected: [number, number][] = [
      [10, 9.9e-6],
      [100, 9.09e-5],
      [1000, 5e-4],
      [10000, 9.09e-4],
    ];
    for (const [batchSize, lr] of expected) {
      expectRelative(optimalLearningRate({ kind: 'sgd', batchSize, bNoise: 1000, epsMax: 1e-3 }), lr, 0.5e-2 / 9.09);
    }
  });

  it('reproduces the Adam (Surge) law vectors of spec Appendix A', () => {
    const expected: [number, number, number][] = [
      [10, 1.98e-4, 0.5e-3 / 1.98],
      [100, 5.7496e-4, 0.5e-4 / 5.7496],
      [1000, 1e-3, 1e-15],
      [10000, 5.7496e-4, 0.5e-4 / 5.7496],
    ];
    for (const [batchSize, lr, tolerance] of expected) {
      expectRelative(optimalLearningRate({ kind: 'adam', batchSize, bNoise: 1000, epsMax: 1e-3 }), lr, tolerance);
    }
  });

  it('matches the closed forms exactly', () => {
    // Hand derivation: (1 + 1000/250)^0.5 = √5.
    expectRelative(
      optimalLearningRate({ kind: 'mccandlish', batchSize: 250, bNoise: 1000, epsMax: 1 }),
      1 / Math.sqrt(5),
      1e-15,
    );
    expectRelative(
      optimalLearningRate({ kind: 'mccandlish', batchSize: 250, bNoise: 1000, epsMax: 1, alpha: 1 }),
      0.2,
      1e-15,
    );
    expectRelative(optimalLearningRate({ kind: 'sgd', batchSize: 250, bNoise: 1000, epsMax: 1, alpha: 1 }), 0.2, 1e-15);
  });

  it('Adam law: peaks at B_noise, is symmetric in log B, and has the small-B √B limit (Surge Eq. 4, 15)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        (batchSize, bNoise) => {
          const at = (b: number) => optimalLearningRate({ kind: 'adam', batchSize: b, bNoise, epsMax: 1 });
          expect(at(batchSize)).toBeLessThanOrEqual(1 + 1e-12);
          // Symmetry ε(B) = ε(B_noise²/B), up to rounding in the two square roots.
          expectRelative(at(bNoise ** 2 / batchSize), at(batchSize), 1e-12);
        },
      ),
    );
    expect(optimalLearningRate({ kind: 'adam', batchSize: 1000, bNoise: 1000, epsMax: 3e-4 })).toBe(3e-4);
    // Small-B limit 2ε_max·√(B/B_noise): at B = 1e-6·B_noise the neglected √(B/B_noise) term is 1e-6 relative.
    expectRelative(
      optimalLearningRate({ kind: 'adam', batchSize: 1e-3, bNoise: 1e3, epsMax: 1 }),
      2 * Math.sqrt(1e-6),
      2e-6,
    );
  });

  it('SGD law is increasing in B and bounded by ε_max', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        (batchSize, bNoise) => {
          const small = optimalLearningRate({ kind: 'sgd', batchSize, bNoise, epsMax: 1 });
          const large = optimalLearningRate({ kind: 'sgd', batchSize: batchSize * 2, bNoise, epsMax: 1 });
          expect(large).toBeGreaterThan(small);
          expect(large).toBeLessThan(1);
        },
      ),
    );
  });

  it('names the function, the option and the value in errors', () => {
    expect(() => optimalLearningRate({ kind: 'sgd', batchSize: 0, bNoise: 1, epsMax: 1 })).toThrow(
      "optimalLearningRate: 'batchSize' must be a finite number > 0, got 0",
    );
    expect(() => optimalLearningRate({ kind: 'lamb' as 'sgd', batchSize: 1, bNoise: 1, epsMax: 1 })).toThrow(
      "optimalLearningRate: 'kind' must be one of 'sgd', 'adam', 'mccandlish', got \"lamb\"",
    );
    expect(() => optimalLearningRate({ kind: 'adam', batchSize: 1, bNoise: 1, epsMax: 1, alpha: 0.5 })).toThrow(
      "optimalLearningRate: 'alpha'",
    );
    expect(() => optimalLearningRate({ kind: 'sgd', batchSize: 1, bNoise: -2, epsMax: 1 })).toThrow(
      "'bNoise' must be a finite number > 0, got -2",
    );
    expect(() => optimalLearningRate({ kind: 'sgd', batchSize: 1, bNoise: 1, epsMax: 1, batch: 3 } as never)).toThrow(
      "unknown option 'batch'",
    );
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
    const points = [64, 256, 4096].map((batchSize) => ({
      batchSize,
      learningRate: optimalLearningRate({ kind: 'adam', batchSize, bNoise: 512, epsMax: 2e-3 }),
    }));
    expectRelative(epsMaxFromOptima(points, 512, 'adam'), 2e-3, 1e-12);
    expect(() => epsMaxFromOptima([], 512, 'adam')).toThrow("epsMaxFromOptima: 'points' must be a non-empty array");
    expect(() => epsMaxFromOptima([{ batchSize: 4, learningRate: -1 }], 512, 'adam')).toThrow(
      "epsMaxFromOptima: 'points[0].learningRate' must be a finite number > 0, got -1",
    );
  });
});

describe('optimalLearningRate with a large-batch asymptote (Surge Eq. 9 for one shared signal-to-noise ratio)', () => {
  // B_noise = 1000, ε_max = 1e-3. With ε_∞ = 8e-4, q solves 0.8 = 2q/(1 + q²): q = 2, so
  // 𝓔² = B/(B + 4000) and ε(B) = 4e-3·𝓔/(1 + 4𝓔²).
  const base = { kind: 'adam' as const, bNoise: 1000, epsMax: 1e-3 };
  const curve = (batchSize: number, largeBatchAsymptote: number) =>
    optimalLearningRate({ ...base, batchSize, largeBatchAsymptote });

  it('is continuous at B_noise (the floor it replaces jumped from 1.0e-3 to 2.0e-3 there)', () => {
    for (const asymptote of [1e-5, 3e-4, 8e-4, 1e-3]) {
      const below = curve(999.999, asymptote);
      const at = curve(1000, asymptote);
      expect(Math.abs(at - below) / at).toBeLessThan(1e-6);
      // And everywhere: neighbouring batch sizes on a fine log grid never differ by more than the grid's step allows.
      let previous = curve(1, asymptote);
      for (let exponent = 0.001; exponent <= 8; exponent += 0.001) {
        const value = curve(10 ** exponent, asymptote);
        expect(Math.abs(value - previous) / previous).toBeLessThan(2e-3);
        previous = value;
      }
    }
  });

  it('matches the closed form with q = 2 at the values worked by hand', () => {
    const byHand = (batchSize: number) => {
      const sign = Math.sqrt(batchSize / (batchSize + 4000));
      return (4e-3 * sign) / (1 + 4 * sign * sign);
    };
    for (const batchSize of [10, 100, 1000, 10000]) expectRelative(curve(batchSize, 8e-4), byHand(batchSize), 1e-14);
    // At B = 1000: 𝓔² = 0.2, ε = 4e-3·√0.2/1.8.
    expectRelative(curve(1000, 8e-4), (4e-3 * Math.sqrt(0.2)) / 1.8, 1e-14);
  });

  it('tends to Theorem 3’s √B law for small B (Eq. 4) and to ε_∞ for large B (Theorem 4, Eq. 17)', () => {
    for (const asymptote of [1e-5, 3e-4, 8e-4]) {
      // Eq. 4: ε ≈ (2ε_max/√B_noise)·√B.
      expectRelative(curve(1e-8, asymptote), ((2 * 1e-3) / Math.sqrt(1000)) * Math.sqrt(1e-8), 1e-6);
      expectRelative(curve(1e14, asymptote), asymptote, 1e-6);
    }
    // A small ε_∞ (q ≫ 1) leaves Theorem 3 exact through the peak: 5.7496e-4 at B = 100 and 1e-3 at B_noise.
    expect(curve(100, 1e-8)).toBeCloseTo(5.7496e-4, 8);
    expectRelative(curve(1000, 1e-8), 1e-3, 1e-9);
  });

  it('equals Eq. 9 (with Eq. 10’s 𝓔) on a model whose coordinates share one signal-to-noise ratio', () => {
    // 50 coordinates, μᵢ/σᵢ = 0.01, Hᵢᵢ = 1, Hᵢⱼ = 0.8: Theorem 4's ε_∞ = Σ|μᵢ|/ΣᵢⱼHᵢⱼ = 0.5/2010.
    const size = 50;
    const model = {
      mean: Array.from({ length: size }, () => 0.01),
      std: Array.from({ length: size }, () => 1),
      hessian: Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (i === j ? 1 : 0.8))),
    };
    const { bNoise, epsMax } = surgeNoiseScale(model);
    const asymptote = (size * 0.01) / (size + size * (size - 1) * 0.8);
    for (const batchSize of [1, 30, 400, 5000, 1e5, 1e7]) {
      expectRelative(
        optimalLearningRate({ kind: 'adam', batchSize, bNoise, epsMax, largeBatchAsymptote: asymptote }),
        signDescentOptimalLearningRate(model, batchSize, { approximate: true }),
        1e-12,
      );
    }
  });

  it('refuses ε_∞ above ε_max, the option for laws that do not fall, and non-positive values', () => {
    expect(() => curve(999, 2e-3)).toThrow(
      /optimalLearningRate: 'largeBatchAsymptote' must be ≤ 'epsMax' \(0\.001\).*got 0\.002/,
    );
    expect(() =>
      optimalLearningRate({ kind: 'sgd', batchSize: 10, bNoise: 1000, epsMax: 1e-3, largeBatchAsymptote: 1e-4 }),
    ).toThrow(/optimalLearningRate: 'largeBatchAsymptote'/);
    expect(() => optimalLearningRate({ ...base, batchSize: 10, largeBatchAsymptote: -1 })).toThrow(
      /optimalLearningRate: 'largeBatchAsymptote'/,
    );
  });
});
