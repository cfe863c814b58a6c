import { describe, expect, it } from 'vitest';
import { DataLoader, labeledImageDataset, loadDigits, trainValidationSplit } from '@vane/datasets';
import { adam } from '@vane/optim';
import { memory, seed } from '@vane/tensor';
import { Linear, ReLU, Sequential, accuracy, crossEntropy, evaluate, fit } from '../src/index.js';

describe('end to end: an MLP on the embedded digits', () => {
  it('reaches at least 95% held-out accuracy', () => {
    const dataset = labeledImageDataset(loadDigits({ normalize: true }), { flatten: true });
    const { train, validation: test } = trainValidationSplit(dataset, {
      validationFraction: 0.2,
      seed: 1,
      stratify: true,
    });
    const generator = seed(0);
    const model = new Sequential(new Linear(64, 128, { generator }), new ReLU(), new Linear(128, 10, { generator }));
    const loader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 2 });
    const testLoader = new DataLoader(test, { batchSize: 256 });
    const lines: string[] = [];
    const before = memory().numTensors;
    const { history } = fit(model, adam({ lr: 3e-3 }), loader, {
      epochs: 15,
      loss: crossEntropy,
      metrics: { accuracy },
      validationData: testLoader,
      progress: { write: (text: string) => lines.push(text), isTTY: false },
    });
    // The loop frees what it creates: only the optimizer state's tensors remain (Adam: m and v per parameter, plus its step count).
    expect(memory().numTensors - before).toBeLessThanOrEqual(2 * 4 + 4);
    expect(lines).toHaveLength(15); // one plain line per epoch when not a TTY
    expect(lines[0]).toMatch(
      /^epoch 1\/15 45\/45 [\d.]+ steps\/s loss [\d.]+ accuracy [\d.]+ validationLoss [\d.]+ validationAccuracy [\d.]+ \d+s\n$/,
    );
    expect(history.loss![14]!).toBeLessThan(history.loss![0]!);
    const { accuracy: testAccuracy } = evaluate(model, testLoader, { metrics: { accuracy } });
    expect(testAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});
