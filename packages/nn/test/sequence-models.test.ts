import { describe, expect, it } from 'vitest';
import { DataLoader, characterCorpus, sequenceTask } from '@vane/datasets';
import { adam } from '@vane/optim';
import { add, arange, reshape, seed, slice, tensor, type Tensor } from '@vane/tensor';
import {
  DecoderBlock,
  Embedding,
  LSTM,
  LayerNorm,
  Linear,
  Module,
  accuracy,
  crossEntropy,
  evaluate,
  fit,
  subtree,
  type Batch,
  type ParameterTree,
} from '../src/index.js';

/** A one-block character-level GPT: token + position embeddings, a DecoderBlock, a head. */
class CharacterModel extends Module {
  constructor(
    readonly vocabulary: number,
    readonly context: number,
    width: number,
  ) {
    super();
    const generator = seed(0);
    this.registerModule('tokens', new Embedding(vocabulary, width, { generator }));
    this.registerModule('positions', new Embedding(context, width, { generator }));
    this.registerModule('block', new DecoderBlock(width, 2, { generator }));
    this.registerModule('norm', new LayerNorm(width));
    this.registerModule('head', new Linear(width, vocabulary, { generator }));
  }

  apply(params: ParameterTree, ids: Tensor): Tensor {
    const [tokens, positions, block, norm, head] = this.namedChildren().map(([, child]) => child) as [
      Embedding,
      Embedding,
      DecoderBlock,
      LayerNorm,
      Linear,
    ];
    const length = ids.shape[1]!;
    let x = add(
      tokens.apply(subtree(params, 'tokens'), ids),
      positions.apply(subtree(params, 'positions'), arange(length)),
    );
    x = block.apply(subtree(params, 'block'), x);
    const logits = head.apply(subtree(params, 'head'), norm.apply(subtree(params, 'norm'), x)); // [B, T, V]
    return reshape(logits, [-1, this.vocabulary]);
  }
}

describe('end to end: sequence models', () => {
  it('a small character-level Transformer gets well below the unigram entropy of its text', () => {
    const corpus = characterCorpus({ seed: 1, length: 6000 });
    const codes = corpus.encode(corpus.text);
    const vocabulary = corpus.vocabulary.length;
    const counts = new Array<number>(vocabulary).fill(0);
    for (const code of codes) counts[code]! += 1;
    const unigramEntropy = -counts
      .filter((count) => count > 0)
      .reduce((total, count) => total + (count / codes.length) * Math.log(count / codes.length), 0);
    const context = 16;
    const batches: Batch[] = [];
    const generator = seed(5);
    for (let batch = 0; batch < 40; batch += 1) {
      const inputs: number[] = [];
      const targets: number[] = [];
      for (let row = 0; row < 16; row += 1) {
        const start = Math.floor(generator.uniform() * (codes.length - context - 1));
        inputs.push(...codes.slice(start, start + context));
        targets.push(...codes.slice(start + 1, start + context + 1));
      }
      batches.push({
        inputs: tensor(Int32Array.from(inputs), { shape: [16, context], dtype: 'int32' }),
        targets: tensor(Int32Array.from(targets), { dtype: 'int32' }),
      });
    }
    const model = new CharacterModel(vocabulary, context, 32);
    const { history } = fit(model, adam({ lr: 1e-2 }), batches.slice(0, 32), {
      epochs: 3,
      loss: crossEntropy,
      progress: false,
    });
    const { loss } = evaluate(model, batches.slice(32), { loss: crossEntropy });
    // Unigram entropy is ≈ 3 nats for English-like text; a model that learns bigrams and
    // frequent words does far better. We require 25% below it on held-out windows.
    expect(history.loss![2]!).toBeLessThan(history.loss![0]!);
    expect(loss).toBeLessThan(0.75 * unigramEntropy);
  }, 120_000);

  it('an LSTM learns the parity of a short bit sequence', () => {
    const task = sequenceTask({ kind: 'parity', length: 4, count: 512, seed: 3 });
    class ParityModel extends Module {
      constructor() {
        super();
        this.registerModule('lstm', new LSTM(1, 16, { generator: seed(1) }));
        this.registerModule('head', new Linear(16, 2, { generator: seed(2) }));
      }

      apply(params: ParameterTree, input: Tensor): Tensor {
        const [lstm, head] = this.namedChildren().map(([, child]) => child) as [LSTM, Linear];
        const output = lstm.apply(subtree(params, 'lstm'), input);
        return head.apply(subtree(params, 'head'), slice(output, [null, -1]));
      }
    }
    const model = new ParityModel();
    const loader = new DataLoader(task, { batchSize: 32, shuffle: true, seed: 4 });
    fit(model, adam({ lr: 2e-2 }), loader, { epochs: 25, loss: crossEntropy, progress: false });
    const test = sequenceTask({ kind: 'parity', length: 4, count: 256, seed: 99 });
    const { accuracy: testAccuracy } = evaluate(model, new DataLoader(test, { batchSize: 256 }), {
      metrics: { accuracy },
    });
    // Chance is 50%; parity of 4 bits needs the whole sequence, so ≥ 90% means it learned it.
    expect(testAccuracy).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
