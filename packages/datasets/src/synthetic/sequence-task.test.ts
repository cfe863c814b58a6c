import { describe, expect, it } from 'vitest';
import { sequenceTask } from './sequence-task.js';

describe('sequenceTask', () => {
  it('copy: one-hot symbols, a delimiter, then blanks; targets recall the symbols', () => {
    const length = 4;
    const symbols = 3;
    const task = sequenceTask({ kind: 'copy', length, count: 20, seed: 1, symbols });
    const steps = 2 * length + 1;
    const features = symbols + 1;
    expect(task.inputShape).toEqual([steps, features]);
    expect(task.targetShape).toEqual([steps]);
    expect(task.classes).toBe(symbols + 1);
    for (let example = 0; example < task.count; example += 1) {
      const row = (step: number) =>
        Array.from(task.inputs.subarray((example * steps + step) * features, (example * steps + step + 1) * features));
      const target = (step: number) => task.targets[example * steps + step];
      for (let step = 0; step < length; step += 1) {
        const values = row(step);
        expect(values.reduce((sum, value) => sum + value, 0)).toBe(1);
        expect(values[symbols]).toBe(0);
        expect(target(step)).toBe(symbols); // blank while reading
        expect(target(length + 1 + step)).toBe(values.indexOf(1)); // recalled in order
      }
      expect(row(length)).toEqual([0, 0, 0, 1]);
      expect(target(length)).toBe(symbols);
      for (let step = length + 1; step < steps; step += 1) expect(row(step)).toEqual([0, 0, 0, 0]);
    }
  });

  it('sum: two markers, one per half; the target is the sum of the marked values', () => {
    const length = 9;
    const task = sequenceTask({ kind: 'sum', length, count: 4000, seed: 2 });
    expect(task.inputShape).toEqual([length, 2]);
    expect(task.targetShape).toEqual([1]);
    let squaredErrorOfConstantOne = 0;
    for (let example = 0; example < task.count; example += 1) {
      const marked: number[] = [];
      let expected = 0;
      for (let step = 0; step < length; step += 1) {
        const value = task.inputs[(example * length + step) * 2];
        if (!(value >= 0 && value < 1)) throw new Error(`value ${value} outside [0, 1)`);
        if (task.inputs[(example * length + step) * 2 + 1] === 1) {
          marked.push(step);
          expected += value;
        }
      }
      expect(marked.length).toBe(2);
      expect(marked[0]).toBeLessThan(Math.floor(length / 2));
      expect(marked[1]).toBeGreaterThanOrEqual(Math.floor(length / 2));
      expect(task.targets[example]).toBeCloseTo(expected, 6);
      squaredErrorOfConstantOne += (task.targets[example] - 1) ** 2;
    }
    // The sum of two U[0,1) has mean 1 and variance 1/6 (standard error here ≈ 0.002).
    expect(squaredErrorOfConstantOne / task.count).toBeCloseTo(1 / 6, 1);
  });

  it('parity: bits with the sum mod 2 as target, classes balanced', () => {
    const task = sequenceTask({ kind: 'parity', length: 7, count: 2000, seed: 3 });
    expect(task.inputShape).toEqual([7, 1]);
    expect(task.targetShape).toEqual([]);
    let ones = 0;
    for (let example = 0; example < task.count; example += 1) {
      const bits = Array.from(task.inputs.subarray(example * 7, example * 7 + 7));
      expect(bits.every((bit) => bit === 0 || bit === 1)).toBe(true);
      expect(task.targets[example]).toBe(bits.reduce((sum, bit) => sum + bit, 0) % 2);
      ones += task.targets[example];
    }
    // Binomial(2000, 1/2): standard deviation ≈ 22.
    expect(Math.abs(ones - 1000)).toBeLessThan(110);
  });

  it('rejects bad kinds and lengths', () => {
    expect(() => sequenceTask({ kind: 'sort' as 'copy', length: 3, count: 1, seed: 0 })).toThrow(
      "sequenceTask: kind must be 'copy', 'sum' or 'parity', got 'sort'",
    );
    expect(() => sequenceTask({ kind: 'sum', length: 1, count: 1, seed: 0 })).toThrow(
      'sequenceTask: length must be an integer ≥ 2, got 1',
    );
  });
});
