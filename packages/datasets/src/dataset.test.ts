import { describe, expect, it } from 'vitest';
import { assertDataset, labeledImageDataset, shapeSize } from './dataset.js';
import { gatherExamples } from './data-loader/gather.js';

describe('dataset helpers', () => {
  it('shapeSize multiplies dimensions, 1 for a scalar', () => {
    expect(shapeSize([3, 32, 32])).toBe(3072);
    expect(shapeSize([])).toBe(1);
  });

  it('labeledImageDataset picks the example shape without copying', () => {
    const images = new Float32Array(2 * 3 * 4 * 5);
    const labels = Int32Array.of(1, 0);
    const colour = labeledImageDataset({ images, labels, count: 2, height: 4, width: 5, channels: 3 });
    expect(colour.inputShape).toEqual([3, 4, 5]);
    expect(colour.inputs).toBe(images);
    expect(colour.targetShape).toEqual([]);
    expect(labeledImageDataset({ images, labels, count: 2, height: 4, width: 15 }).inputShape).toEqual([4, 15]);
    expect(
      labeledImageDataset({ images, labels, count: 2, height: 4, width: 5, channels: 3 }, { flatten: true }).inputShape,
    ).toEqual([60]);
    expect(() => labeledImageDataset({ images, labels, count: 2, height: 4, width: 4 })).toThrow(
      'labeledImageDataset: dataset.inputs has 120 values, expected count × ∏inputShape = 2 × 16 = 32',
    );
  });

  it('assertDataset names the inconsistent field', () => {
    const base = {
      inputs: new Float32Array(4),
      inputShape: [2],
      targets: new Int32Array(2),
      targetShape: [],
      count: 2,
    };
    expect(() => assertDataset('f', base)).not.toThrow();
    expect(() => assertDataset('f', { ...base, targets: [0, 1] as unknown as Int32Array })).toThrow(
      'f: dataset.targets must be a Float32Array or Int32Array, got [0,1]',
    );
    expect(() => assertDataset('f', { ...base, inputShape: [-2] })).toThrow(
      'f: dataset.inputShape must be an array of non-negative integers, got [-2]',
    );
    expect(() => assertDataset('f', { ...base, count: 1.5 })).toThrow(
      'f: dataset.count must be a non-negative integer, got 1.5',
    );
  });

  it('gatherExamples copies whole examples in the given order', () => {
    const gathered = gatherExamples(Float32Array.of(1, 2, 3, 4, 5, 6), 2, Int32Array.of(2, 0, 2));
    expect(gathered).toBeInstanceOf(Float32Array);
    expect(Array.from(gathered)).toEqual([5, 6, 1, 2, 5, 6]);
  });
});
