import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '@vane/autodiff';
import { DataLoader, labeledImageDataset, loadDigits, trainValidationSplit } from '@vane/datasets';
import { adam } from '@vane/optim';
import { findUndocumentedExamples } from '@vane/testkit';
import { eye, matmul, ones, randn, seed, tensor, tree, zeros, type Tensor } from '@vane/tensor';
import {
  AdaptiveAvgPool2d,
  BatchNorm1d,
  binaryCrossEntropy,
  BatchNorm2d,
  Conv2d,
  DecoderBlock,
  Embedding,
  Flatten,
  LSTM,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  TransformerEncoderLayer,
  accuracy,
  activeGainLogger,
  bceWithLogits,
  crossEntropy,
  earlyStopping,
  fit,
  kaimingNormal,
  kaimingUniform,
  learningRateLogger,
  orthogonal,
  subtree,
  unflattenNamed,
  xavierNormal,
  xavierUniform,
  type ParameterTree,
} from '@vane/nn';
import { loadCheckpoint, loadSafetensors, saveCheckpoint, saveSafetensors } from '@vane/nn/node';

// Each example is copied verbatim from docs/nn.md and docs/training.md; the last test fails
// if a code block of either page no longer appears in this file.
describe('docs/nn.md examples', () => {
  it('modules and apply', () => {
    const model = new Sequential(
      new Linear(4, 8, { generator: seed(0) }),
      new ReLU(),
      new Linear(8, 3, { generator: seed(1) }),
    );
    expect(model.namedParameters().map(([path]) => path)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const x = randn([5, 4], { generator: seed(2) });
    const params = model.parameters(); // { 0: { weight, bias }, 2: { weight, bias } }
    expect(model.apply(params, x).shape).toEqual([5, 3]); // the same as model.forward(x)
    const labels = tensor([0, 1, 2, 0, 1], { dtype: 'int32' });
    const [loss, grads] = valueAndGrad((p: ParameterTree) => crossEntropy(model.apply(p, x), labels))(params);
    expect(tree.paths(grads)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(loss.item()).toBeGreaterThan(0);
  });

  it('loadParameters and buffers', () => {
    const layer = new Linear(2, 1);
    expect(() => layer.loadParameters({ weight: zeros([1, 3]), bias: zeros([1]) })).toThrow(
      "Linear.loadParameters: 'weight' has shape [1,3] float32, expected [1,2] float32",
    );
    const norm = new BatchNorm1d(3);
    norm.forward(randn([8, 3], { generator: seed(3) }));
    expect(Object.keys(norm.buffers())).toEqual(['runningMean', 'runningVar']);
    norm.eval(); // now uses the running statistics
  });

  it('writing a model', () => {
    class TwoTower extends Module<[Tensor, Tensor]> {
      constructor() {
        super();
        this.registerModule('left', new Linear(3, 2));
        this.registerModule('right', new Linear(3, 2));
      }
      apply(params: ParameterTree, a: Tensor, b: Tensor): Tensor {
        const [[, left], [, right]] = this.namedChildren();
        return left!.apply(subtree(params, 'left'), a).add(right!.apply(subtree(params, 'right'), b));
      }
    }
    expect(new TwoTower().forward(ones([1, 3]), ones([1, 3])).shape).toEqual([1, 2]);
  });

  it('layers', () => {
    const image = randn([2, 3, 16, 16], { generator: seed(4) });
    const features = new Sequential(
      new Conv2d(3, 8, 3, { padding: 1 }),
      new BatchNorm2d(8),
      new ReLU(),
      new MaxPool2d(2),
      new AdaptiveAvgPool2d(1),
      new Flatten(),
    );
    expect(features.forward(image).shape).toEqual([2, 8]);

    const tokens = tensor([[1, 2, 3, 0]], { dtype: 'int32' });
    const embedded = new Embedding(10, 16, { paddingIdx: 0 }).forward(tokens); // [1, 4, 16]; id 0 → zeros
    const padding = tensor([[false, false, false, true]]); // the last token is padding
    const encoded = new TransformerEncoderLayer(16, 4, { feedForwardDim: 32 }).forward(embedded, {
      keyPaddingMask: padding,
    });
    expect(encoded.shape).toEqual([1, 4, 16]);
    expect(new DecoderBlock(16, 4).forward(embedded).shape).toEqual([1, 4, 16]); // causal
    const lstm = new LSTM(16, 8, { numLayers: 2 });
    const { output, state } = lstm.applyWithState(lstm.parameters(), embedded);
    expect([output.shape, state.hidden.shape]).toEqual([
      [1, 4, 8],
      [2, 1, 8],
    ]);
    const bidirectional = new LSTM(16, 8, { numLayers: 2, bidirectional: true });
    const both = bidirectional.applyWithState(bidirectional.parameters(), embedded); // forward ‖ backward features
    expect([both.output.shape, both.state.hidden.shape]).toEqual([
      [1, 4, 16],
      [4, 1, 8],
    ]);
  });

  it('errors', () => {
    expect(() => new Conv2d(3, 8, 3).forward(zeros([1, 1, 8, 8]))).toThrow(
      "Conv2d.apply: 'input' has shape [1,1,8,8], expected [N, 3, H, W]",
    );
  });

  it('initializers', () => {
    const w = kaimingNormal([64, 32], { nonlinearity: 'relu', generator: seed(5) }); // N(0, 2/32)
    const q = orthogonal([4, 4], { generator: seed(6), dtype: 'float64' });
    expect(
      matmul(q, q.T)
        .sub(eye(4, 4, { dtype: 'float64' }))
        .abs()
        .max()
        .item(),
    ).toBeLessThan(1e-12);
    expect([xavierUniform([3, 3]).shape, xavierNormal([3, 3]).shape, kaimingUniform([3, 3]).shape]).toEqual([
      [3, 3],
      [3, 3],
      [3, 3],
    ]);
    // 2048 draws from N(0, 2/32): the sample std is within a few percent of 0.25.
    expect(w.std().item()).toBeCloseTo(0.25, 1);
  });

  it('losses', () => {
    const logits = tensor([
      [2, 0, 0],
      [0, 0, 3],
    ]);
    expect(crossEntropy(logits, tensor([0, 2], { dtype: 'int32' })).item()).toBeCloseTo(0.1672, 4);
    expect(crossEntropy(logits, tensor([0, -100], { dtype: 'int32' })).item()).toBeCloseTo(0.2395, 4); // the second is ignored
    expect(
      crossEntropy(
        logits,
        tensor([
          [1, 0, 0],
          [0, 0, 1],
        ]),
        { labelSmoothing: 0.1 },
      ).item(),
    ).toBeCloseTo(0.3339, 4);
    const weight = tensor([2, 1, 1]); // per class: Σ w_y·ℓ / Σ w_y
    expect(crossEntropy(logits, tensor([0, 2], { dtype: 'int32' }), { weight }).item()).toBeCloseTo(0.1913, 4);
    expect(bceWithLogits(tensor([0]), tensor([1])).item()).toBeCloseTo(Math.log(2), 6);
  });
});

describe('docs/training.md examples', () => {
  it('fit, safetensors and checkpoints', () => {
    // fit
    const digits = labeledImageDataset(loadDigits({ normalize: true }), { flatten: true });
    const { train, validation } = trainValidationSplit(digits, { validationFraction: 0.2, seed: 1, stratify: true });
    const model = new Sequential(
      new Linear(64, 64, { generator: seed(0) }),
      new ReLU(),
      new Linear(64, 10, { generator: seed(1) }),
    );
    const loader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 2 });
    const { history, optimizerState } = fit(model, adam({ lr: 3e-3 }), loader, {
      epochs: 3,
      loss: crossEntropy,
      metrics: { accuracy },
      validationData: new DataLoader(validation, { batchSize: 256 }),
      callbacks: [earlyStopping({ patience: 2 }), learningRateLogger({ schedule: 3e-3 }), activeGainLogger()],
      progress: false, // default: process.stdout
    });
    expect(Object.keys(history)).toEqual(['loss', 'accuracy', 'validationLoss', 'validationAccuracy', 'learningRate']);
    expect(history.validationAccuracy![2]).toBeGreaterThan(0.85);
    expect(optimizerState).toBeDefined();
    // saveSafetensors
    const directory = mkdtempSync(join(tmpdir(), 'vane-docs-'));
    const weightsPath = join(directory, 'weights.safetensors');
    saveSafetensors(weightsPath, Object.fromEntries(model.namedParameters()));
    const loaded = loadSafetensors(weightsPath, { expected: { '0.weight': { shape: [64, 64], dtype: 'float32' } } });
    model.loadParameters(unflattenNamed(Object.entries(loaded)));
    // bad files
    writeFileSync(join(directory, 'not-weights.csv'), '1,2,3\n');
    expect(() => loadSafetensors(join(directory, 'not-weights.csv'))).toThrow(
      /decodeSafetensors: '.*not-weights.csv' is 6 bytes, too short for the 8-byte header length/,
    );
    // checkpoints
    const checkpointPath = join(directory, 'checkpoint.safetensors');
    saveCheckpoint(checkpointPath, { model, optimizerState, data: loader, step: 135 });

    const restored = new Sequential(new Linear(64, 64), new ReLU(), new Linear(64, 10));
    const restoredLoader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 2 });
    const resumed = loadCheckpoint(checkpointPath, { model: restored, data: restoredLoader });
    expect(resumed.step).toBe(135);
    fit(restored, adam({ lr: 3e-3 }), restoredLoader, {
      epochs: 4,
      loss: crossEntropy,
      optimizerState: resumed.optimizerState,
      initialStep: resumed.step,
      progress: false,
    });
  }, 120_000);
});

describe('docs stay in sync', () => {
  it('errors and strict options', () => {
    expect(() => new Linear(3, 4, { bais: false } as never)).toThrow(
      "Linear: unknown option 'bais'; expected one of 'bias', 'generator', 'dtype'",
    );
    expect(() => new Linear(3, 4, { dtype: 'int32' })).toThrow(
      `Linear: 'dtype' must be a floating dtype (float32 or float64) for parameters, got "int32"`,
    );
    expect(() => new Linear(3, 4).forward([[1, 2, 3]] as never)).toThrow(
      "Linear.forward: 'input' must be a Tensor, got [[1, 2, 3]]",
    );
    expect(() => binaryCrossEntropy(tensor([1.5]), tensor([1]))).toThrow(
      "binaryCrossEntropy: every element of 'input' must be in [0, 1]",
    );
  });

  it('every ts block of docs/nn.md and docs/training.md appears in this file', () => {
    const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    for (const page of ['nn.md', 'training.md']) {
      const markdown = readFileSync(fileURLToPath(new URL(`../../../docs/${page}`, import.meta.url)), 'utf8');
      const { blocks, missing } = findUndocumentedExamples(markdown, source);
      expect(blocks).toBeGreaterThan(0);
      expect(missing).toEqual([]);
    }
  });
});
