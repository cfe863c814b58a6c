import { describe, expect, it } from 'vitest';
import { labeledImageDataset } from '../dataset.js';
import { loadDigits } from '../digits/load-digits.js';
import { gaussianBlobs } from '../synthetic/gaussian-blobs.js';
import { trainValidationSplit } from './train-validation-split.js';

describe('trainValidationSplit', () => {
  const blobs = gaussianBlobs({ count: 103, numClasses: 3, dimensions: 2, seed: 1 });

  it('partitions the examples with exactly round(f · count) held out', () => {
    const split = trainValidationSplit(blobs, { validationFraction: 0.25, seed: 4 });
    expect(split.validation.count).toBe(26); // round(25.75)
    expect(split.train.count).toBe(77);
    const all = [...split.trainIndices, ...split.validationIndices].sort((left, right) => left - right);
    expect(all).toEqual(Array.from({ length: 103 }, (_, index) => index));
    // Examples travel with their own inputs and targets.
    split.validationIndices.forEach((source, position) => {
      expect(split.validation.targets[position]).toBe(blobs.targets[source]);
      expect(split.validation.inputs[position * 2 + 1]).toBe(blobs.inputs[source * 2 + 1]);
    });
    expect(split.train.centers).toEqual(blobs.centers);
  });

  it('is reproducible per seed', () => {
    const first = trainValidationSplit(blobs, { validationFraction: 0.3, seed: 9 });
    expect(trainValidationSplit(blobs, { validationFraction: 0.3, seed: 9 }).validationIndices).toEqual(
      first.validationIndices,
    );
    expect(trainValidationSplit(blobs, { validationFraction: 0.3, seed: 10 }).validationIndices).not.toEqual(
      first.validationIndices,
    );
  });

  it('stratifies the digits: each class within one example of its share, total exact', () => {
    const digits = labeledImageDataset(loadDigits(), { flatten: true });
    const { validation, train } = trainValidationSplit(digits, { validationFraction: 0.2, seed: 2, stratify: true });
    expect(validation.count).toBe(Math.round(0.2 * 1797));
    expect(train.count + validation.count).toBe(1797);
    const knownCounts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];
    const held = new Array<number>(10).fill(0);
    for (const label of validation.targets) held[label] += 1;
    held.forEach((count, label) => {
      expect(count).toBeGreaterThanOrEqual(Math.floor(0.2 * knownCounts[label]));
      expect(count).toBeLessThanOrEqual(Math.ceil(0.2 * knownCounts[label]));
    });
  });

  it('rejects fractions that leave a part empty and unsuitable stratification targets', () => {
    expect(() => trainValidationSplit(blobs, { validationFraction: 1, seed: 1 })).toThrow(
      'trainValidationSplit: validationFraction must be a number strictly between 0 and 1, got 1',
    );
    expect(() => trainValidationSplit(blobs, { validationFraction: 0.001, seed: 1 })).toThrow(
      'trainValidationSplit: validationFraction 0.001 of 103 examples leaves the validation part empty',
    );
    const regression = { ...blobs, targets: new Float32Array(103) };
    expect(() => trainValidationSplit(regression, { validationFraction: 0.5, seed: 1, stratify: true })).toThrow(
      'trainValidationSplit: stratify needs Int32Array class-index targets with targetShape []',
    );
  });
});
