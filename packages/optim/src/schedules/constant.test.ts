import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant } from './constant.js';

describe('constant', () => {
  it('returns its value at every step', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat(), (value, step) => {
        expect(constant(value)(step)).toBe(value);
      }),
    );
  });

  it('rejects a non-finite value and a bad step', () => {
    expect(() => constant(Number.POSITIVE_INFINITY)).toThrow("constant: 'value' must be a finite number, got Infinity");
    expect(() => constant(0.1)(1.5)).toThrow("constant: 'step' must be a non-negative integer, got 1.5");
    expect(() => constant(0.1)(Number.NaN)).toThrow("constant: 'step' must be a non-negative integer, got NaN");
  });
});
