import { tensor, type Tensor } from '@vane/tensor';
import { assertDataset, shapeSize, type Dataset, type ExampleArray } from '../dataset.js';
import { createRandom, shuffleInPlace } from '../random.js';
import { describeValue, requireInteger, requireSeed, requireOptions } from '../validation.js';
import { gatherExamples } from './gather.js';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Visit examples in a fresh random order every epoch. Default `false` (dataset order). */
  shuffle?: boolean;
  /** Seed of the shuffling; mixed with the epoch index, so each epoch has its own order. Default 0. */
  seed?: number;
  /** Skip the last batch of an epoch when it would be smaller than `batchSize`. Default `false`. */
  dropLast?: boolean;
}

/** One batch: tensors with a leading batch dimension, and which examples they hold. */
export interface Batch {
  /** `[batch, ...inputShape]`, dtype `float32` or `int32` after the dataset's array type. */
  inputs: Tensor;
  /** `[batch, ...targetShape]`, dtype `float32` or `int32` after the dataset's array type. */
  targets: Tensor;
  /** Dataset indices of the examples in the batch, in batch order. */
  indices: Int32Array;
}

/** Where a {@link DataLoader} stands: the epoch, and how many of its batches were handed out. */
export interface DataLoaderState {
  /** Zero-based epoch index. */
  epoch: number;
  /** Batches of this epoch already handed out, `0 ≤ position ≤ length`. */
  position: number;
}

function dtypeOf(values: ExampleArray): 'float32' | 'int32' {
  return values instanceof Int32Array ? 'int32' : 'float32';
}

/**
 * Iterates a {@link Dataset} in mini-batches of `@vane/tensor` tensors, epoch after epoch.
 *
 * Each `for … of` loop runs over the rest of the current epoch; when it completes, the
 * loader moves to the next epoch, so a second loop is the next epoch. With `shuffle`, epoch
 * `e` visits the examples in the order of a Fisher–Yates shuffle seeded with
 * `mixSeed(seed, e)`: reproducible, different every epoch, and computable without replaying
 * earlier epochs, which is what makes {@link DataLoader.setState} cheap. `state()` counts
 * batches handed out, so a checkpoint written after training on a batch resumes with the next
 * one. Breaking out of a loop leaves the loader mid-epoch, and the next loop continues there.
 * Use one loop at a time per loader.
 *
 * An epoch has `⌈count / batchSize⌉` batches, or `⌊count / batchSize⌋` with `dropLast`.
 *
 * @example
 * const loader = new DataLoader(twoSpirals({ count: 1000, noise: 0.05, seed: 1 }), { batchSize: 32, shuffle: true, seed: 7 });
 * for (const { inputs, targets } of loader) {
 *   // inputs: float32 [32, 2], targets: int32 [32] (the last batch has 8 examples)
 * }
 * const checkpoint = loader.state(); // { epoch: 1, position: 0 }
 *
 * Source: the batching semantics follow PyTorch's `torch.utils.data.DataLoader`
 * (`batch_size`, `shuffle`, `drop_last`); the shuffle is Knuth's Algorithm P.
 */
export class DataLoader implements Iterable<Batch> {
  /** The dataset batches are drawn from (not copied). */
  readonly dataset: Dataset;
  /** Examples per batch (the last batch of an epoch may be smaller unless `dropLast`). */
  readonly batchSize: number;
  /** Whether each epoch visits the examples in its own random order. */
  readonly shuffle: boolean;
  /** Seed of the per-epoch shuffles. */
  readonly seed: number;
  /** Whether a short last batch is skipped. */
  readonly dropLast: boolean;
  private readonly inputSize: number;
  private readonly targetSize: number;
  private currentEpoch = 0;
  private position = 0;
  private cachedOrder: { epoch: number; order: Int32Array } | undefined;

  /** Checks the dataset and options; throws an Error naming the bad one. */
  constructor(dataset: Dataset, options: DataLoaderOptions) {
    assertDataset('DataLoader', dataset);
    if (typeof options !== 'object' || options === null) {
      throw new Error(`DataLoader: options must be an object with at least batchSize, got ${describeValue(options)}`);
    }
    requireOptions('DataLoader', options, ['batchSize', 'shuffle', 'seed', 'dropLast']);
    this.batchSize = requireInteger('DataLoader', 'batchSize', options.batchSize);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    for (const [name, value] of [
      ['shuffle', this.shuffle],
      ['dropLast', this.dropLast],
    ] as const) {
      if (typeof value !== 'boolean')
        throw new Error(`DataLoader: ${name} must be a boolean, got ${describeValue(value)}`);
    }
    this.seed = requireSeed('DataLoader', 'seed', options.seed ?? 0);
    if (dataset.count === 0) throw new Error('DataLoader: dataset.count is 0, so there is nothing to iterate');
    if (this.dropLast && this.batchSize > dataset.count) {
      throw new Error(
        `DataLoader: batchSize ${this.batchSize} exceeds dataset.count ${dataset.count} with dropLast: true, so every epoch would be empty`,
      );
    }
    this.dataset = dataset;
    this.inputSize = shapeSize(dataset.inputShape);
    this.targetSize = shapeSize(dataset.targetShape);
  }

  /** Batches per epoch. */
  get length(): number {
    const { count } = this.dataset;
    return this.dropLast ? Math.floor(count / this.batchSize) : Math.ceil(count / this.batchSize);
  }

  /** The current zero-based epoch. */
  get epoch(): number {
    return this.currentEpoch;
  }

  /**
   * The position to save in a checkpoint.
   *
   * @example
   * const saved = loader.state(); // { epoch: 2, position: 17 }
   */
  state(): DataLoaderState {
    return { epoch: this.currentEpoch, position: this.position };
  }

  /**
   * Moves to a saved position; the next loop hands out batch `position` of epoch `epoch`.
   *
   * @example
   * const resumed = new DataLoader(dataset, sameOptions);
   * resumed.setState(saved);
   */
  setState(state: DataLoaderState): void {
    if (typeof state !== 'object' || state === null) {
      throw new Error(`DataLoader.setState: state must be { epoch, position }, got ${describeValue(state)}`);
    }
    const epoch = requireInteger('DataLoader.setState', 'state.epoch', state.epoch, 0);
    const position = requireInteger('DataLoader.setState', 'state.position', state.position, 0);
    if (position > this.length) {
      throw new Error(`DataLoader.setState: state.position ${position} exceeds the ${this.length} batches of an epoch`);
    }
    this.currentEpoch = epoch;
    this.position = position;
  }

  /**
   * The order in which epoch `epoch` visits the dataset (identity without `shuffle`).
   *
   * @example
   * loader.epochOrder(0); // Int32Array of dataset indices, a permutation of 0..count-1
   */
  epochOrder(epoch: number): Int32Array {
    requireInteger('DataLoader.epochOrder', 'epoch', epoch, 0);
    if (this.cachedOrder?.epoch === epoch) return this.cachedOrder.order;
    const order = new Int32Array(this.dataset.count);
    for (let index = 0; index < order.length; index += 1) order[index] = index;
    if (this.shuffle) shuffleInPlace(order, createRandom(this.seed, epoch));
    this.cachedOrder = { epoch, order };
    return order;
  }

  /** Builds batch `position` of epoch `epoch`. */
  private batchAt(epoch: number, position: number): Batch {
    const order = this.epochOrder(epoch);
    const start = position * this.batchSize;
    const indices = order.slice(start, Math.min(start + this.batchSize, order.length));
    const { inputs, targets, inputShape, targetShape } = this.dataset;
    return {
      inputs: tensor(gatherExamples(inputs, this.inputSize, indices), {
        shape: [indices.length, ...inputShape],
        dtype: dtypeOf(inputs),
      }),
      targets: tensor(gatherExamples(targets, this.targetSize, indices), {
        shape: [indices.length, ...targetShape],
        dtype: dtypeOf(targets),
      }),
      indices,
    };
  }

  /** Iterates the remaining batches of the current epoch, then advances to the next epoch. */
  [Symbol.iterator](): Iterator<Batch> {
    if (this.position >= this.length) {
      this.currentEpoch += 1;
      this.position = 0;
    }
    let finished = false;
    return {
      next: (): IteratorResult<Batch> => {
        if (finished) return { done: true, value: undefined };
        if (this.position >= this.length) {
          // Advance only once per loop, however often a finished iterator is polled.
          finished = true;
          this.currentEpoch += 1;
          this.position = 0;
          return { done: true, value: undefined };
        }
        const batch = this.batchAt(this.currentEpoch, this.position);
        this.position += 1;
        return { done: false, value: batch };
      },
    };
  }
}
