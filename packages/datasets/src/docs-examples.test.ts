import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { findUndocumentedExamples } from '@vane/testkit';
import {
  DataLoader,
  loadDigits,
  labeledImageDataset,
  trainValidationSplit,
  twoSpirals,
  gaussianBlobs,
  teacherStudent,
  characterCorpus,
  sequenceTask,
} from '@vane/datasets';
import { loadIdx, loadFashionMnist, loadCifar10, DEBIAN_FASHION_MNIST_DIRECTORY } from '@vane/datasets/node';

// Each example below is copied verbatim from docs/datasets.md (including the import above,
// which goes through the package's public entry point); the last test fails if a code block
// of the doc no longer appears here, so the doc cannot drift from tested code.
describe('docs/datasets.md examples', () => {
  it('loadDigits', () => {
    const digits = loadDigits({ normalize: true });
    expect(digits.count).toBe(1797);
    expect([digits.height, digits.width, digits.classes]).toEqual([8, 8, 10]);
    expect(digits.images.length).toBe(1797 * 64);
    expect(digits.labels[0]).toBe(0);
    const perClass = new Array(10).fill(0);
    for (const label of digits.labels) perClass[label] += 1;
    expect(perClass).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  });

  it('trainValidationSplit and DataLoader', () => {
    const dataset = labeledImageDataset(loadDigits({ normalize: true }), { flatten: true });
    const { train, validation } = trainValidationSplit(dataset, { validationFraction: 0.2, seed: 1, stratify: true });
    expect(validation.count).toBe(359); // round(0.2 × 1797)
    expect(train.count).toBe(1438);

    const loader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 42 });
    expect(loader.length).toBe(23); // ⌈1438 / 64⌉
    let seen = 0;
    for (const { inputs, targets } of loader) {
      expect(inputs.shape[1]).toBe(64); // [batch, 64] float32
      expect(targets.dtype).toBe('int32'); // [batch] class indices
      seen += inputs.shape[0];
    }
    expect(seen).toBe(1438); // every example once per epoch; the last batch has 1438 − 22·64 = 30
  });

  it('checkpoints', () => {
    const spirals = twoSpirals({ count: 100, noise: 0.1, seed: 3 });
    const options = { batchSize: 10, shuffle: true, seed: 7 };
    const original = new DataLoader(spirals, options);
    const firstBatches = [];
    for (const batch of original) {
      firstBatches.push(Array.from(batch.indices));
      if (firstBatches.length === 4) break;
    }
    const saved = JSON.stringify(original.state());
    expect(JSON.parse(saved)).toEqual({ epoch: 0, position: 4 });

    const resumed = new DataLoader(spirals, options);
    resumed.setState(JSON.parse(saved));
    const [fifth] = resumed;
    expect(Array.from(fifth.indices)).toEqual(Array.from(original.epochOrder(0).slice(40, 50)));
  });

  it('twoSpirals', () => {
    const clean = twoSpirals({ count: 200, noise: 0, seed: 1 });
    expect(clean.inputShape).toEqual([2]);
    expect(Array.from(clean.targets.slice(0, 4))).toEqual([0, 1, 0, 1]);
    const [x, y] = clean.inputs;
    const radius = Math.hypot(x, y);
    expect(x).toBeCloseTo(radius * Math.cos(2 * Math.PI * 1.5 * radius), 5); // on arm 0
  });

  it('gaussianBlobs', () => {
    const blobs = gaussianBlobs({
      count: 4000,
      centers: [
        [0, 0],
        [6, 6],
      ],
      std: 0.5,
      seed: 2,
    });
    expect(blobs.classes).toBe(2);
    let sumX = 0;
    for (let index = 1; index < blobs.count; index += 2) sumX += blobs.inputs[2 * index]; // class 1
    expect(sumX / 2000).toBeCloseTo(6, 1); // mean within 0.05 of the centre (standard error 0.011)
  });

  it('teacherStudent', () => {
    const clean = teacherStudent({ count: 2000, inputSize: 8, outputSize: 2, hidden: [32], noise: 0, seed: 5 });
    const noisy = teacherStudent({ count: 2000, inputSize: 8, outputSize: 2, hidden: [32], noise: 0.1, seed: 5 });
    expect(noisy.inputs).toEqual(clean.inputs); // same inputs, same teacher
    expect(noisy.teacher.layerSizes).toEqual([8, 32, 2]);
    let squaredError = 0;
    for (let index = 0; index < clean.targets.length; index += 1) {
      squaredError += (noisy.targets[index] - clean.targets[index]) ** 2;
    }
    expect(squaredError / clean.targets.length).toBeCloseTo(0.01, 2); // noise² = 0.01
  });

  it('characterCorpus', () => {
    const corpus = characterCorpus({ seed: 1 });
    expect(corpus.text.length).toBe(32768);
    const codes = corpus.encode(corpus.text);
    expect(corpus.decode(codes)).toBe(corpus.text);
    expect(corpus.vocabulary[codes[0]]).toBe(corpus.text[0]);
    expect(corpus.text[0]).toMatch(/[A-Z"]/); // text starts with a sentence
  });

  it('sequenceTask', () => {
    const copy = sequenceTask({ kind: 'copy', length: 5, count: 64, seed: 1 });
    expect(copy.inputShape).toEqual([11, 9]);
    expect(copy.targetShape).toEqual([11]);
    const parity = sequenceTask({ kind: 'parity', length: 6, count: 1, seed: 2 });
    const ones = parity.inputs.reduce((sum, bit) => sum + bit, 0);
    expect(parity.targets[0]).toBe(ones % 2);
  });

  it('loadIdx', () => {
    const directory = mkdtempSync(join(tmpdir(), 'idx-example-'));
    const path = join(directory, 'tiny-labels-idx1-ubyte.gz');
    writeFileSync(path, gzipSync(Uint8Array.of(0, 0, 0x08, 1, 0, 0, 0, 3, 7, 2, 9)));
    const labels = loadIdx(path, { dataType: 'uint8', dimensionCount: 1 });
    expect(labels.dimensions).toEqual([3]);
    expect(Array.from(labels.data)).toEqual([7, 2, 9]);
    expect(() => loadIdx(path, { dataType: 'uint8', dimensionCount: 3 })).toThrow(
      'has magic 0x00000801, expected 0x00000803',
    );
    rmSync(directory, { recursive: true, force: true }); // not in the doc: test hygiene
  });

  it('loadFashionMnist (runs when dataset-fashion-mnist is installed)', () => {
    if (existsSync(DEBIAN_FASHION_MNIST_DIRECTORY)) {
      const test = loadFashionMnist({ split: 'test', normalize: true });
      expect(test.count).toBe(10000);
      expect(test.classNames[test.labels[0]]).toBe('Ankle boot');
    }
  });

  it('loadCifar10 error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'cifar-example-'));
    expect(() => loadCifar10({ directory: empty, split: 'test' })).toThrow(
      /test_batch\.bin' does not exist; CIFAR-10 is not packaged by Debian/,
    );
    rmSync(empty, { recursive: true, force: true }); // not in the doc: test hygiene
  });

  it('contains every code block of docs/datasets.md', () => {
    const documentation = readFileSync(new URL('../../../docs/datasets.md', import.meta.url), 'utf8');
    const { blocks, missing } = findUndocumentedExamples(documentation, readFileSync(new URL(import.meta.url), 'utf8'));
    expect(blocks).toBe(12);
    expect(missing).toEqual([]);
  });
});
