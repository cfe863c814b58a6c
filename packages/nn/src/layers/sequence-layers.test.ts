import { describe, expect, it } from 'vitest';
import { concat, randn, reshape, seed, slice, tensor, zeros, type Tensor } from '@vane/tensor';
import type { ParameterTree } from '../module.js';
import { MultiHeadAttention } from './attention.js';
import { Embedding } from './embedding.js';
import { GRU, LSTM } from './recurrent.js';
import { DecoderBlock, TransformerEncoderLayer } from './transformer.js';
import { checkLayerAgainstTorch, toTensor, torchCase } from '../test-support/torch-fixtures.js';

// float64 on both sides; attention and recurrences chain a few dozen float64 ops per value,
// so 1e-9 absolute/relative is far above rounding and far below any real bug.
const TOLERANCE = { absolute: 1e-9, relative: 1e-9 };
const f64 = { dtype: 'float64' as const };

describe('Embedding', () => {
  it('matches torch.nn.Embedding (repeated ids accumulate gradients)', () => {
    const fixture = torchCase('embedding');
    checkLayerAgainstTorch(new Embedding(7, 4, f64), fixture, TOLERANCE, [toTensor(fixture.inputs[0]!, 'int32')]);
  });
  it('paddingIdx matches torch (row initialised to zeros, no gradient even where the id repeats)', () => {
    const fixture = torchCase('embedding-padding');
    const layer = new Embedding(7, 4, { paddingIdx: 2, ...f64 });
    expect(slice(layer.parameters().weight as never, [2]).toArray()).toEqual([0, 0, 0, 0]);
    expect(layer.paddingIdx).toBe(2);
    checkLayerAgainstTorch(layer, fixture, TOLERANCE, [toTensor(fixture.inputs[0]!, 'int32')]);
    expect(fixture.grads.weight!.data.slice(8, 12)).toEqual([0, 0, 0, 0]); // the fixture really checks a zero row
  });
  it('a negative paddingIdx counts from the end; a loaded non-zero padding row is output as is, without gradient', () => {
    const fixture = torchCase('embedding-padding-negative');
    const layer = new Embedding(7, 4, { paddingIdx: -1, ...f64 });
    expect(layer.paddingIdx).toBe(6);
    checkLayerAgainstTorch(layer, fixture, TOLERANCE, [toTensor(fixture.inputs[0]!, 'int32')]);
  });
  it('rejects a paddingIdx outside [-numEmbeddings, numEmbeddings) or not an integer', () => {
    expect(() => new Embedding(7, 4, { paddingIdx: 7 })).toThrow(
      "Embedding: 'paddingIdx' must be an integer in [-7, 7) for numEmbeddings 7, got 7",
    );
    expect(() => new Embedding(7, 4, { paddingIdx: -8 })).toThrow(
      "Embedding: 'paddingIdx' must be an integer in [-7, 7) for numEmbeddings 7, got -8",
    );
    expect(() => new Embedding(7, 4, { paddingIdx: 1.5 })).toThrow(
      "Embedding: 'paddingIdx' must be an integer in [-7, 7) for numEmbeddings 7, got 1.5",
    );
  });
  it('rejects out-of-range and non-integer ids', () => {
    expect(() => new Embedding(3, 2).forward(tensor([3], { dtype: 'int32' }))).toThrow(
      "Embedding.apply: 'ids' contains 3, outside [0, 3)",
    );
    expect(() => new Embedding(3, 2).forward(tensor([1]))).toThrow(
      "Embedding.apply: 'ids' must be int32, got float32 of shape [1]",
    );
  });
});

describe('MultiHeadAttention against torch.nn.functional.multi_head_attention_forward', () => {
  it('without masks', () =>
    checkLayerAgainstTorch(new MultiHeadAttention(8, 2, f64), torchCase('multi-head-attention'), TOLERANCE));
  it('with a causal mask', () => {
    const layer = new MultiHeadAttention(8, 2, f64);
    checkLayerAgainstTorch(layer, torchCase('multi-head-attention-causal'), TOLERANCE, undefined, (params, [q, k, v]) =>
      layer.apply(params, q!, k!, v!, { causal: true }),
    );
  });
  it('with a key padding mask and a different key length (cross-attention)', () => {
    const fixture = torchCase('multi-head-attention-padding');
    const keyPaddingMask = tensor(fixture.options.keyPadding as boolean[][]);
    const layer = new MultiHeadAttention(8, 2, f64);
    checkLayerAgainstTorch(layer, fixture, TOLERANCE, undefined, (params, [q, k, v]) =>
      layer.apply(params, q!, k!, v!, { keyPaddingMask }),
    );
  });
  it('errors name the argument and shapes', () => {
    expect(() => new MultiHeadAttention(8, 3)).toThrow("MultiHeadAttention: 'numHeads' 3 must divide 'embedDim' 8");
    expect(() => new MultiHeadAttention(8, 2).forward(randn([2, 5, 6]))).toThrow(
      "MultiHeadAttention.apply: 'query' has shape [2,5,6], expected [batch, length, 8]",
    );
  });
});

describe('Transformer blocks', () => {
  for (const normFirst of [false, true]) {
    it(`TransformerEncoderLayer (normFirst ${normFirst}) matches torch.nn.TransformerEncoderLayer`, () => {
      const layer = new TransformerEncoderLayer(8, 2, { feedForwardDim: 16, dropout: 0, normFirst, ...f64 });
      checkLayerAgainstTorch(
        layer,
        torchCase(normFirst ? 'transformer-encoder-layer-norm-first' : 'transformer-encoder-layer'),
        TOLERANCE,
      );
    });
  }
  it('DecoderBlock is causal: changing later tokens leaves earlier outputs unchanged', () => {
    const block = new DecoderBlock(16, 4, { generator: seed(1), ...f64 });
    const x = randn([2, 6, 16], { generator: seed(2), dtype: 'float64' });
    const changed = x.add(tensor([0, 0, 0, 0, 1, 1], { dtype: 'float64' }).reshape([1, 6, 1]));
    const before = slice(block.forward(x), [null, { stop: 4 }]).toArray();
    expect(slice(block.forward(changed), [null, { stop: 4 }]).toArray()).toEqual(before);
    expect(slice(block.forward(changed), [null, 5]).toArray()).not.toEqual(
      slice(block.forward(x), [null, 5]).toArray(),
    );
  });
});

describe('recurrent layers against torch (2 stacked layers, batch first)', () => {
  it('LSTM', () => checkLayerAgainstTorch(new LSTM(3, 4, { numLayers: 2, ...f64 }), torchCase('lstm'), TOLERANCE));
  it('GRU', () => checkLayerAgainstTorch(new GRU(3, 4, { numLayers: 2, ...f64 }), torchCase('gru'), TOLERANCE));
  // The fixtures concatenate output, h_n (and c_n), flattened, so one cotangent checks all of them.
  const withState =
    (layer: LSTM | GRU) =>
    (params: ParameterTree, [x, hidden, cell]: Tensor[]): Tensor => {
      const initial = hidden ? { hidden, ...(cell ? { cell } : {}) } : undefined;
      const { output, state } = layer.applyWithState(params, x!, initial);
      return concat(
        [output, state.hidden, ...(state.cell ? [state.cell] : [])].map((part) => reshape(part, [-1])),
        0,
      );
    };
  for (const [name, make] of [
    ['lstm-bidirectional', () => new LSTM(3, 4, { numLayers: 2, bidirectional: true, ...f64 })],
    ['lstm-bidirectional-initial-state', () => new LSTM(3, 4, { numLayers: 2, bidirectional: true, ...f64 })],
    ['lstm-bidirectional-1-layer', () => new LSTM(3, 4, { bidirectional: true, ...f64 })],
    ['gru-bidirectional', () => new GRU(3, 4, { numLayers: 2, bidirectional: true, ...f64 })],
    ['gru-bidirectional-initial-state', () => new GRU(3, 4, { numLayers: 2, bidirectional: true, ...f64 })],
  ] as const) {
    it(`${name}: output, final states and all gradients match torch`, () => {
      const layer = make();
      checkLayerAgainstTorch(layer, torchCase(name), TOLERANCE, undefined, withState(layer));
    });
  }
  it('bidirectional parameters follow the torch state dict order (_reverse → Reverse)', () => {
    for (const [name, layer] of [
      ['lstm-bidirectional', new LSTM(3, 4, { numLayers: 2, bidirectional: true })],
      ['gru-bidirectional', new GRU(3, 4, { numLayers: 2, bidirectional: true })],
    ] as const) {
      const torchNames = torchCase(name).stateDictOrder as string[];
      const vaneNames = torchNames.map((key) => {
        const [, kind, layerIndex, reverse] = /^(weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)(_reverse)?$/.exec(key)!;
        const base = {
          weight_ih: 'weightInputHidden',
          weight_hh: 'weightHiddenHidden',
          bias_ih: 'biasInputHidden',
          bias_hh: 'biasHiddenHidden',
        }[kind!];
        return `${layerIndex}.${base}${reverse ? 'Reverse' : ''}`;
      });
      expect(layer.namedParameters().map(([path]) => path)).toEqual(vaneNames);
      expect(layer.namedParameters().find(([path]) => path === '1.weightInputHiddenReverse')![1].shape).toEqual([
        name.startsWith('lstm') ? 16 : 12,
        8,
      ]);
    }
  });
  it('bidirectional shapes, and state errors name the layer and expected layout', () => {
    const gru = new GRU(3, 5, { numLayers: 2, bidirectional: true });
    const { output, state } = gru.applyWithState(gru.parameters(), randn([4, 7, 3]));
    expect([output.shape, state.hidden.shape]).toEqual([
      [4, 7, 10],
      [4, 4, 5],
    ]);
    expect(() => gru.applyWithState(gru.parameters(), randn([4, 7, 3]), { hidden: zeros([2, 4, 5]) })).toThrow(
      "GRU.apply: 'initial.hidden' has shape [2,4,5], expected [4,4,5] [numLayers·directions, batch, hiddenSize]",
    );
    expect(() => new LSTM(3, 5, { bidirectional: 'yes' as never })).toThrow(
      "LSTM: 'bidirectional' must be true or false, got yes",
    );
  });
  it('LSTM returns the final state per layer', () => {
    const lstm = new LSTM(3, 5, { numLayers: 2 });
    const { output, state } = lstm.applyWithState(lstm.parameters(), randn([4, 7, 3]));
    expect(output.shape).toEqual([4, 7, 5]);
    expect(state.hidden.shape).toEqual([2, 4, 5]);
    expect(state.cell!.shape).toEqual([2, 4, 5]);
    expect(slice(state.hidden, [1]).toArray()).toEqual(slice(output, [null, 6]).toArray());
  });
});
