/**
 * The small models the CLI trains: sized so that an epoch on the embedded data takes well
 * under a second, since the studies train hundreds of them.
 */
import {
  Conv2d,
  Embedding,
  Flatten,
  LSTM,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  TransformerEncoderLayer,
  subtree,
  type ParameterTree,
} from '@vane/nn';
import { add, arange, seed, slice, type Tensor } from '@vane/tensor';
import type { TaskData } from '../data/task-data.js';
import { UsageError } from '../usage-error.js';

/** Model names accepted by `--model`. */
export const MODEL_NAMES = ['mlp', 'cnn', 'transformer', 'lstm'] as const;

/** Embeds token ids, adds learned positions, runs one body, and classifies the last position. */
class SequenceClassifier extends Module {
  private readonly tokens: Embedding;
  private readonly positions: Embedding;
  private readonly body: Module;
  private readonly head: Linear;
  private readonly length: number;

  constructor(vocabulary: number, length: number, width: number, body: 'transformer' | 'lstm', generatorSeed: number) {
    super();
    this.length = length;
    this.tokens = this.registerModule('tokens', new Embedding(vocabulary, width, { generator: seed(generatorSeed) }));
    this.positions = this.registerModule(
      'positions',
      new Embedding(length, width, { generator: seed(generatorSeed + 1) }),
    );
    this.body = this.registerModule(
      'body',
      body === 'transformer'
        ? new TransformerEncoderLayer(width, 2, {
            dropout: 0,
            feedForwardDim: 2 * width,
            generator: seed(generatorSeed + 2),
          })
        : new LSTM(width, width, { generator: seed(generatorSeed + 2) }),
    );
    this.head = this.registerModule('head', new Linear(width, vocabulary, { generator: seed(generatorSeed + 3) }));
  }

  apply(params: ParameterTree, ids: Tensor): Tensor {
    const embedded = add(
      this.tokens.apply(subtree(params, 'tokens'), ids),
      this.positions.apply(subtree(params, 'positions'), arange(this.length, undefined, 1, { dtype: 'int32' })),
    );
    // The whole window is visible to every position; the prediction is read at the last one.
    const hidden = (this.body as Module).apply(subtree(params, 'body'), embedded);
    return this.head.apply(subtree(params, 'head'), slice(hidden, [null, -1]));
  }
}

/**
 * Builds a freshly initialised model for a dataset, seeded so runs repeat exactly.
 *
 * @example
 * const model = buildModel('mlp', loadTaskData('digits', true), 0);
 */
export function buildModel(name: string, data: TaskData, generatorSeed: number): Module {
  const s = (offset: number) => ({ generator: seed(generatorSeed * 101 + offset) });
  switch (name) {
    case 'mlp': {
      if (data.kind === 'sequence')
        throw new UsageError(`model mlp does not take the text dataset (use --model transformer or lstm)`);
      const features = data.imageShape.reduce((a, b) => a * b, 1);
      const layers: Module[] = [];
      if (data.imageShape.length > 1) layers.push(new Flatten());
      layers.push(new Linear(features, 64, s(0)), new ReLU(), new Linear(64, data.classes, s(1)));
      return new Sequential(...layers);
    }
    case 'cnn': {
      if (data.kind !== 'image')
        throw new UsageError(
          `model cnn needs an image dataset (digits, fashion-mnist, cifar10), got ${data.kind === 'sequence' ? 'text' : 'spirals'}`,
        );
      const [channels, height, width] = data.imageShape as [number, number, number];
      const pooled = Math.floor(height / 2) * Math.floor(width / 2);
      return new Sequential(
        new Conv2d(channels, 8, [3, 3], { padding: 1, ...s(0) }),
        new ReLU(),
        new MaxPool2d([2, 2]),
        new Flatten(),
        new Linear(8 * pooled, 32, s(1)),
        new ReLU(),
        new Linear(32, data.classes, s(2)),
      );
    }
    case 'transformer':
    case 'lstm':
      if (data.kind !== 'sequence') throw new UsageError(`model ${name} needs the text dataset (--dataset text)`);
      return new SequenceClassifier(data.classes, data.imageShape[0]!, 32, name, generatorSeed * 101);
    default:
      throw new UsageError(`unknown model '${name}' (valid: ${MODEL_NAMES.join(', ')})`);
  }
}
