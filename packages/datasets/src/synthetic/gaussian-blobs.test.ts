import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from './gaussian-blobs.js';

function classStatistics(inputs: Float32Array, targets: Int32Array, dimensions: number, label: number) {
  const sums = new Array<number>(dimensions).fill(0);
  const squares = new Array<number>(dimensions).fill(0);
  let members = 0;
  targets.forEach((target, index) => {
    if (target !== label) return;
    members += 1;
    for (let axis = 0; axis < dimensions; axis += 1) {
      const value = inputs[index * dimensions + axis];
      sums[axis] += value;
      squares[axis] += value * value;
    }
  });
  const means = sums.map((sum) => sum / members);
  const stds = squares.map((square, axis) => Math.sqrt(square / members - means[axis] ** 2));
  return { members, means, stds };
}

describe('gaussianBlobs', () => {
  it('centres each class on its given centre with the given spread', () => {
    const centers = [
      [0, 0, 0],
      [5, -5, 2],
    ];
    const blobs = gaussianBlobs({ count: 6000, centers, std: [0.5, 2], seed: 11 });
    expect(blobs.inputShape).toEqual([3]);
    expect(blobs.classes).toBe(2);
    expect(blobs.centers).toEqual(centers);
    [0.5, 2].forEach((std, label) => {
      const { members, means, stds } = classStatistics(blobs.inputs, blobs.targets, 3, label);
      expect(members).toBe(3000);
      for (let axis = 0; axis < 3; axis += 1) {
        // 5 standard errors: σ/√n for the mean, σ/√(2n) for the standard deviation.
        expect(Math.abs(means[axis] - centers[label][axis])).toBeLessThan((5 * std) / Math.sqrt(3000));
        expect(Math.abs(stds[axis] - std)).toBeLessThan((5 * std) / Math.sqrt(6000));
      }
    });
  });

  it('draws random centres inside the box and balances classes', () => {
    const blobs = gaussianBlobs({ count: 10, numClasses: 4, dimensions: 5, std: 1, seed: 2, centerBox: 3 });
    expect(blobs.centers.length).toBe(4);
    for (const center of blobs.centers) {
      expect(center.length).toBe(5);
      for (const value of center) expect(Math.abs(value)).toBeLessThanOrEqual(3);
    }
    expect(Array.from(blobs.targets)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
  });

  it('keeps random centres when only count changes', () => {
    const small = gaussianBlobs({ count: 10, numClasses: 3, dimensions: 2, seed: 8 });
    const large = gaussianBlobs({ count: 1000, numClasses: 3, dimensions: 2, seed: 8 });
    expect(large.centers).toEqual(small.centers);
    expect(Array.from(large.inputs.subarray(0, 20))).toEqual(Array.from(small.inputs));
  });

  it('rejects inconsistent options', () => {
    expect(() => gaussianBlobs({ count: 10, seed: 1 })).toThrow('gaussianBlobs: give centers');
    expect(() => gaussianBlobs({ count: 10, numClasses: 2, seed: 1 })).toThrow(
      'gaussianBlobs: dimensions must be an integer ≥ 1, got undefined',
    );
    expect(() => gaussianBlobs({ count: 10, centers: [[0, 0], [1]], seed: 1 })).toThrow(
      'gaussianBlobs: centers[1] must be 2 finite numbers (dimensions 2), got [1]',
    );
    expect(() => gaussianBlobs({ count: 10, centers: [[0], [1]], std: [1], seed: 1 })).toThrow(
      'gaussianBlobs: std must be a number or 2 numbers (one per class), got [1]',
    );
    expect(() => gaussianBlobs({ count: 10, centers: [[0]], numClasses: 1, seed: 1 })).toThrow('not both');
  });
});
