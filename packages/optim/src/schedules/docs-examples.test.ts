import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findUndocumentedExamples } from '@vane/testkit';
import {
  constant,
  cosineDecay,
  exponentialDecay,
  joinSchedules,
  linear,
  oneCycle,
  piecewiseConstant,
  polynomial,
  reduceOnPlateau,
  sgdr,
  warmupCosineDecay,
  warmupExponentialDecay,
} from './index.js';

// Each example below is copied verbatim from docs/schedules.md; the last test fails if a
// code block in the doc no longer appears here, so the doc cannot drift from tested code.
describe('docs/schedules.md examples', () => {
  it('constant', () => {
    const schedule = constant(0.01);
    expect(schedule(0)).toBe(0.01);
    expect(schedule(1_000)).toBe(0.01);
  });

  it('linear', () => {
    const warmup = linear({ init: 0, end: 0.1, transitionSteps: 4 });
    expect(warmup(0)).toBe(0);
    expect(warmup(2)).toBeCloseTo(0.05, 15);
    expect(warmup(4)).toBe(0.1);
    expect(warmup(10)).toBe(0.1);
  });

  it('polynomial', () => {
    const schedule = polynomial({ init: 0.1, end: 0, power: 2, transitionSteps: 40 });
    expect(schedule(20)).toBeCloseTo(0.025, 15);
    expect(schedule(30)).toBeCloseTo(0.00625, 15);
    expect(schedule(40)).toBe(0);
  });

  it('exponentialDecay', () => {
    const smooth = exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 10 });
    expect(smooth(5)).toBeCloseTo(0.1 * Math.SQRT1_2, 15);
    expect(smooth(10)).toBe(0.05);
    const stepped = exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 10, staircase: true });
    expect(stepped(9)).toBe(0.1);
    expect(stepped(25)).toBe(0.025);
  });

  it('cosineDecay', () => {
    const schedule = cosineDecay({ init: 0.1, decaySteps: 100, alpha: 0.1 });
    expect(schedule(0)).toBe(0.1);
    expect(schedule(50)).toBeCloseTo(0.055, 15);
    expect(schedule(100)).toBeCloseTo(0.01, 15);
    expect(schedule(200)).toBeCloseTo(0.01, 15);
  });

  it('warmupCosineDecay', () => {
    const schedule = warmupCosineDecay({ peak: 0.1, warmupSteps: 10, decaySteps: 110, end: 0.001 });
    expect(schedule(0)).toBe(0);
    expect(schedule(5)).toBeCloseTo(0.05, 15);
    expect(schedule(10)).toBe(0.1);
    expect(schedule(60)).toBeCloseTo(0.0505, 15);
    expect(schedule(110)).toBeCloseTo(0.001, 15);
  });

  it('warmupExponentialDecay', () => {
    const schedule = warmupExponentialDecay({
      peak: 0.1,
      warmupSteps: 10,
      transitionSteps: 100,
      decayRate: 0.5,
      end: 0.01,
    });
    expect(schedule(5)).toBeCloseTo(0.05, 15);
    expect(schedule(110)).toBe(0.05);
    expect(schedule(210)).toBe(0.025);
    expect(schedule(1_000)).toBe(0.01);
  });

  it('piecewiseConstant', () => {
    const schedule = piecewiseConstant({ init: 0.1, boundariesAndScales: { 100: 0.1, 150: 0.1 } });
    expect(schedule(99)).toBe(0.1);
    expect(schedule(100)).toBeCloseTo(0.01, 15);
    expect(schedule(150)).toBeCloseTo(0.001, 15);
    const samePairs = piecewiseConstant({
      init: 0.1,
      boundariesAndScales: [
        [150, 0.1],
        [100, 0.1],
      ],
    });
    expect(samePairs(150)).toBe(schedule(150));
  });

  it('oneCycle', () => {
    const schedule = oneCycle({ maxLr: 0.1, totalSteps: 100 });
    expect(schedule(0)).toBeCloseTo(0.004, 15);
    expect(schedule(29)).toBe(0.1);
    expect(schedule(99)).toBeCloseTo(4e-7, 15);
    const linearCycle = oneCycle({
      maxLr: 1,
      totalSteps: 11,
      pctStart: 0.5,
      divFactor: 4,
      finalDivFactor: 5,
      annealStrategy: 'linear',
    });
    expect(linearCycle(0)).toBe(0.25);
    expect(linearCycle(10)).toBeCloseTo(0.05, 15);
  });

  it('sgdr', () => {
    const schedule = sgdr({ init: 0.1, period: 10, periodMultiplier: 2, minLr: 0.001 });
    expect(schedule(5)).toBeCloseTo(0.0505, 15);
    expect(schedule(10)).toBe(0.1);
    expect(schedule(20)).toBeCloseTo(0.0505, 15);
    expect(schedule(30)).toBe(0.1);
  });

  it('joinSchedules', () => {
    const schedule = joinSchedules([constant(0.1), cosineDecay({ init: 0.1, decaySteps: 50 })], [10]);
    expect(schedule(9)).toBe(0.1);
    expect(schedule(10)).toBe(0.1);
    expect(schedule(35)).toBeCloseTo(0.05, 15);
    expect(schedule(60)).toBe(0);
  });

  it('reduceOnPlateau', () => {
    const plateau = reduceOnPlateau({ patience: 1, factor: 0.5 });
    expect(plateau.update(1.0)).toBe(1);
    expect(plateau.update(1.0)).toBe(1);
    expect(plateau.update(1.0)).toBe(0.5);
    const saved = JSON.stringify(plateau.state());
    const restored = reduceOnPlateau({ patience: 1, factor: 0.5 });
    restored.fromState(JSON.parse(saved));
    expect(restored.scale).toBe(0.5);
    expect(restored.update(0.5)).toBe(0.5);
  });

  it('contains every code block of docs/schedules.md', () => {
    const documentation = readFileSync(new URL('../../../../docs/schedules.md', import.meta.url), 'utf8');
    const { blocks, missing } = findUndocumentedExamples(
      documentation,
      readFileSync(new URL(import.meta.url), 'utf8'),
      { skipImports: true },
    );
    expect(blocks).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
