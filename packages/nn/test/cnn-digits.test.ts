import { describe, expect, it } from 'vitest';
import { DataLoader, labeledImageDataset, loadDigits, trainValidationSplit } from '@vane/datasets';
import { adam } from '@vane/optim';
import { seed } from '@vane/tensor';
import {
  BatchNorm2d,
  Conv2d,
  Flatten,
  Unflatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  accuracy,
  crossEntropy,
  evaluate,
  fit,
} from '../src/index.js';

describe('end to end: a small CNN on the embedded digits', () => {
  it('trains: held-out accuracy well above chance after a few epochs', () => {
    const digits = loadDigits({ normalize: true });
    const dataset = labeledImageDataset(digits, { flatten: true });
    const { train, validation: test } = trainValidationSplit(dataset, {
      validationFraction: 0.2,
      seed: 1,
      stratify: true,
    });
    const generator = seed(0);
    const model = new Sequential(
      new Unflatten(1, [1, 8, 8]),
      new Conv2d(1, 8, 3, { padding: 1, generator }),
      new BatchNorm2d(8),
      new ReLU(),
      new MaxPool2d(2), // 8×4×4
      new Conv2d(8, 16, 3, { padding: 1, generator }),
      new ReLU(),
      new MaxPool2d(2), // 16×2×2
      new Flatten(),
      new Linear(64, 10, { generator }),
    );
    const loader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 3 });
    fit(model, adam({ lr: 1e-2 }), loader, { epochs: 4, loss: crossEntropy, progress: false });
    const { accuracy: testAccuracy } = evaluate(model, new DataLoader(test, { batchSize: 360 }), {
      metrics: { accuracy },
    });
    // Chance is 10%; a few epochs of this CNN typically give ≥ 95%, we require 90% to stay robust.
    expect(testAccuracy).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
