import { describe, expect, it } from 'vitest';
import { criticalBatchSize } from './critical-batch-size.js';

describe('criticalBatchSize (Kaplan et al. 2020: B_crit(L) = B_*/L^(1/α_B))', () => {
  it("gives Kaplan's B_* = 2e8 tokens at L = 1 and the closed form elsewhere", () => {
    expect(criticalBatchSize({ loss: 1 })).toBe(2e8);
    // 2^(1/0.21) = 27.13164774008112 and 3^(1/0.21) = 187.0708…, computed independently (Python).
    expect(criticalBatchSize({ loss: 2 }) / 7371465.305608528).toBeCloseTo(1, 12);
    expect(criticalBatchSize({ loss: 3 }) / 1069114.010235652).toBeCloseTo(1, 12);
  });

  it('is a power law: log B_crit falls with slope −1/α_B in log L', () => {
    const slope =
      (Math.log(criticalBatchSize({ loss: 4, alphaB: 0.25 })) -
        Math.log(criticalBatchSize({ loss: 2, alphaB: 0.25 }))) /
      Math.log(2);
    expect(slope).toBeCloseTo(-4, 12);
    expect(criticalBatchSize({ loss: 2, bStar: 1000, alphaB: 0.5 })).toBeCloseTo(250, 12);
  });

  it('names the function and the option on bad input', () => {
    expect(() => criticalBatchSize({ loss: 0 })).toThrow(
      "criticalBatchSize: 'loss' must be a finite number > 0, got 0",
    );
    expect(() => criticalBatchSize({ loss: 2, alphaB: -0.21 })).toThrow(
      "criticalBatchSize: 'alphaB' must be a finite number > 0, got -0.21",
    );
    expect(() => criticalBatchSize({ loss: 2, alpha: 0.21 } as never)).toThrow(
      "criticalBatchSize: unknown option 'alpha'",
    );
  });
});
