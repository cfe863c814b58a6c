import { describe, expect, it } from 'vitest';
import type { Dataset } from '../dataset.js';
import { DataLoader, type Batch } from './data-loader.js';

/** Example i has inputs [i, 10·i, 100·i] (shape [3]) and target i mod 4. */
function countingDataset(count: number): Dataset {
  const inputs = new Float32Array(count * 3);
  for (let index = 0; index < count; index += 1) inputs.set([index, 10 * index, 100 * index], index * 3);
  return {
    inputs,
    inputShape: [3],
    targets: Int32Array.from({ length: count }, (_, index) => index % 4),
    targetShape: [],
    count,
  };
}

const collect = (loader: Iterable<Batch>): number[][] => Array.from(loader, (batch) => Array.from(batch.indices));

describe('DataLoader', () => {
  it('batches in dataset order without shuffle, with tensors of the right shape, dtype and values', () => {
    const loader = new DataLoader(countingDataset(10), { batchSize: 4 });
    expect(loader.length).toBe(3); // ⌈10 / 4⌉
    const batches = Array.from(loader);
    expect(batches.map((batch) => Array.from(batch.indices))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    const last = batches[2];
    expect(last.inputs.shape).toEqual([2, 3]);
    expect(last.inputs.dtype).toBe('float32');
    expect(Array.from(last.inputs.dataSync())).toEqual([8, 80, 800, 9, 90, 900]);
    expect(last.targets.shape).toEqual([2]);
    expect(last.targets.dtype).toBe('int32');
    expect(Array.from(last.targets.dataSync())).toEqual([0, 1]);
  });

  it('drops the short last batch with dropLast', () => {
    const loader = new DataLoader(countingDataset(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2); // ⌊10 / 4⌋
    expect(collect(loader)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('keeps multi-dimensional example shapes and float targets', () => {
    const dataset: Dataset = {
      inputs: Float32Array.from({ length: 5 * 2 * 3 }, (_, index) => index),
      inputShape: [2, 3],
      targets: Float32Array.from({ length: 5 }, (_, index) => index / 2),
      targetShape: [1],
      count: 5,
    };
    const [first] = new DataLoader(dataset, { batchSize: 2 });
    expect(first.inputs.shape).toEqual([2, 2, 3]);
    expect(first.targets.shape).toEqual([2, 1]);
    expect(first.targets.dtype).toBe('float32');
    expect(Array.from(first.targets.dataSync())).toEqual([0, 0.5]);
  });

  it('shuffles into a permutation that is reproducible per seed and new every epoch', () => {
    const options = { batchSize: 8, shuffle: true, seed: 21 };
    const loader = new DataLoader(countingDataset(50), options);
    const epoch0 = collect(loader).flat();
    const epoch1 = collect(loader).flat();
    expect([...epoch0].sort((left, right) => left - right)).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect([...epoch1].sort((left, right) => left - right)).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(epoch1).not.toEqual(epoch0);
    const again = new DataLoader(countingDataset(50), options);
    expect(collect(again).flat()).toEqual(epoch0);
    expect(collect(again).flat()).toEqual(epoch1);
    const otherSeed = new DataLoader(countingDataset(50), { ...options, seed: 22 });
    expect(collect(otherSeed).flat()).not.toEqual(epoch0);
  });

  it('puts each example in each position about equally often across epochs (χ² test)', () => {
    const size = 5;
    const epochs = 3000;
    const loader = new DataLoader(countingDataset(size), { batchSize: size, shuffle: true, seed: 3 });
    const positions = new Array<number>(size).fill(0);
    for (let epoch = 0; epoch < epochs; epoch += 1) positions[loader.epochOrder(epoch).indexOf(0)] += 1;
    const expected = epochs / size;
    const chiSquared = positions.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    // The 99.9th percentile of χ² with 4 degrees of freedom is 18.47.
    expect(chiSquared).toBeLessThan(18.47);
  });

  it('resumes mid-epoch from a saved state exactly where it stopped', () => {
    const options = { batchSize: 3, shuffle: true, seed: 5 };
    const reference = new DataLoader(countingDataset(20), options);
    const uninterrupted = [...collect(reference), ...collect(reference), ...collect(reference)];

    const first = new DataLoader(countingDataset(20), options);
    const seen = collect(first); // epoch 0
    for (const batch of first) {
      seen.push(Array.from(batch.indices));
      if (seen.length === 10) break; // 3 batches into epoch 1
    }
    const checkpoint = first.state();
    expect(checkpoint).toEqual({ epoch: 1, position: 3 });

    const resumed = new DataLoader(countingDataset(20), options);
    resumed.setState(JSON.parse(JSON.stringify(checkpoint)));
    seen.push(...collect(resumed), ...collect(resumed));
    expect(seen).toEqual(uninterrupted);
    expect(resumed.state()).toEqual({ epoch: 3, position: 0 });
  });

  it('continues a broken-off loop in the next loop and treats a finished epoch state as done', () => {
    const loader = new DataLoader(countingDataset(6), { batchSize: 2 });
    for (const batch of loader) {
      expect(Array.from(batch.indices)).toEqual([0, 1]);
      break;
    }
    expect(collect(loader)).toEqual([
      [2, 3],
      [4, 5],
    ]);
    expect(loader.epoch).toBe(1);
    loader.setState({ epoch: 4, position: 3 });
    expect(collect(loader)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(loader.state()).toEqual({ epoch: 6, position: 0 });
  });

  it('rejects bad options and states, naming them', () => {
    expect(() => new DataLoader(countingDataset(4), { batchSize: 0 })).toThrow(
      'DataLoader: batchSize must be an integer ≥ 1, got 0',
    );
    expect(() => new DataLoader(countingDataset(4), { batchSize: 8, dropLast: true })).toThrow(
      'DataLoader: batchSize 8 exceeds dataset.count 4 with dropLast: true',
    );
    expect(() => new DataLoader({ ...countingDataset(4), count: 5 }, { batchSize: 2 })).toThrow(
      'DataLoader: dataset.inputs has 12 values, expected count × ∏inputShape = 5 × 3 = 15',
    );
    const loader = new DataLoader(countingDataset(4), { batchSize: 2 });
    expect(() => loader.setState({ epoch: 0, position: 3 })).toThrow(
      'DataLoader.setState: state.position 3 exceeds the 2 batches of an epoch',
    );
    expect(() => loader.setState({ epoch: -1, position: 0 })).toThrow(
      'DataLoader.setState: state.epoch must be an integer ≥ 0, got -1',
    );
  });
});
