/**
 * The layers-and-losses bad-input battery (issue 13): layers, losses, initializers, `fit` and
 * its callbacks, `DataLoader` and the dataset functions, called the ways a user can get wrong.
 * Every case must end in a clear error naming the function; the summary counts the cases.
 */
import { runBadInputBattery, type BadInputCase } from '@vane/testkit';
import {
  DataLoader,
  characterCorpus,
  gaussianBlobs,
  loadDigits,
  parseIdx,
  sequenceTask,
  teacherStudent,
  trainValidationSplit,
  twoSpirals,
} from '@vane/datasets';
import { loadCifar10, loadFashionMnist, loadIdx, loadMnist } from '@vane/datasets/node';
import { sgd } from '@vane/optim';
import { ones, tensor, zeros as zerosTensor, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  DecoderBlock,
  Dropout,
  Embedding,
  Flatten,
  GELU,
  GRU,
  GroupNorm,
  LSTM,
  LayerNorm,
  Linear,
  MaxPool2d,
  MultiHeadAttention,
  RMSNorm,
  ReLU,
  Sequential,
  TransformerEncoderLayer,
  bceWithLogits,
  binaryCrossEntropy,
  crossEntropy,
  earlyStopping,
  evaluate,
  fit,
  huberLoss,
  kaimingNormal,
  kaimingUniform,
  klDiv,
  l1Loss,
  learningRateLogger,
  mseLoss,
  nllLoss,
  orthogonal,
  uniform,
  xavierNormal,
  xavierUniform,
  zeros,
} from './index.js';
import { checkpointCallback } from './node.js';

/** The same message shape for every unknown key: `<owner>: unknown option '<key>'; expected one of ...`. */
const unknown = (owner: string, key: string): RegExp =>
  new RegExp(`^${owner.replace(/\./g, '\\.')}: unknown option '${key}'; expected one of `);
const notFloating = (owner: string): RegExp =>
  new RegExp(`^${owner}: 'dtype' must be a floating dtype \\(float32 or float64\\) for parameters, got "int32"`);
const notTensor = (owner: string, name: string): RegExp =>
  new RegExp(`^${owner.replace(/\./g, '\\.')}: '${name}' must be a Tensor, got `);

const int32 = { dtype: 'int32' } as never;
const blobs = () =>
  gaussianBlobs({
    count: 20,
    centers: [
      [0, 0],
      [4, 4],
    ],
    std: 0.5,
    seed: 1,
  });
const loader = () => new DataLoader(blobs(), { batchSize: 10 });
const train = (
  options: unknown,
  model: unknown = new Linear(2, 2),
  optimizer: unknown = sgd({ lr: 0.1 }),
  data: unknown = loader(),
) => fit(model as never, optimizer as never, data as never, options as never);

const layerOptionCases: BadInputCase[] = [
  {
    name: 'new Linear(3, 4, { bais: false })',
    run: () => new Linear(3, 4, { bais: false } as never),
    message: unknown('Linear', 'bais'),
  },
  {
    name: 'new Linear(3, 4, 5)',
    run: () => new Linear(3, 4, 5 as never),
    message: /^Linear: options must be an object, got 5/,
  },
  {
    name: 'new Conv1d(3, 8, 3, { strides: 2 })',
    run: () => new Conv1d(3, 8, 3, { strides: 2 } as never),
    message: unknown('Conv1d', 'strides'),
  },
  {
    name: 'new Conv2d(3, 8, 3, { strides: 2 })',
    run: () => new Conv2d(3, 8, 3, { strides: 2 } as never),
    message: unknown('Conv2d', 'strides'),
  },
  {
    name: 'new ConvTranspose2d(8, 4, 2, { output_padding: 1 })',
    run: () => new ConvTranspose2d(8, 4, 2, { output_padding: 1 } as never),
    message: unknown('ConvTranspose2d', 'output_padding'),
  },
  {
    name: 'new MaxPool2d(2, { strides: 2 })',
    run: () => new MaxPool2d(2, { strides: 2 } as never),
    message: unknown('MaxPool2d', 'strides'),
  },
  {
    name: 'new AvgPool2d(2, { count_include_pad: false })',
    run: () => new AvgPool2d(2, { count_include_pad: false } as never),
    message: unknown('AvgPool2d', 'count_include_pad'),
  },
  {
    name: 'new BatchNorm1d(4, { track_running_stats: false })',
    run: () => new BatchNorm1d(4, { track_running_stats: false } as never),
    message: unknown('BatchNorm1d', 'track_running_stats'),
  },
  {
    name: 'new BatchNorm2d(4, { epsilon: 1e-3 })',
    run: () => new BatchNorm2d(4, { epsilon: 1e-3 } as never),
    message: unknown('BatchNorm2d', 'epsilon'),
  },
  {
    name: 'new LayerNorm(4, { elementwise_affine: false })',
    run: () => new LayerNorm(4, { elementwise_affine: false } as never),
    message: unknown('LayerNorm', 'elementwise_affine'),
  },
  {
    name: 'new RMSNorm(4, { epsilon: 1e-6 })',
    run: () => new RMSNorm(4, { epsilon: 1e-6 } as never),
    message: unknown('RMSNorm', 'epsilon'),
  },
  {
    name: 'new GroupNorm(2, 4, { affine: true, bias: false })',
    run: () => new GroupNorm(2, 4, { bias: false } as never),
    message: unknown('GroupNorm', 'bias'),
  },
  {
    name: 'new Dropout(0.5, { seed: 1 })',
    run: () => new Dropout(0.5, { seed: 1 } as never),
    message: unknown('Dropout', 'seed'),
  },
  {
    name: 'new Embedding(10, 4, { padding_idx: 0 })',
    run: () => new Embedding(10, 4, { padding_idx: 0 } as never),
    message: unknown('Embedding', 'padding_idx'),
  },
  {
    name: 'new LSTM(4, 8, { num_layers: 2 })',
    run: () => new LSTM(4, 8, { num_layers: 2 } as never),
    message: unknown('LSTM', 'num_layers'),
  },
  {
    name: 'new GRU(4, 8, { batchFirst: true })',
    run: () => new GRU(4, 8, { batchFirst: true } as never),
    message: unknown('GRU', 'batchFirst'),
  },
  {
    name: 'new MultiHeadAttention(8, 2, { kdim: 8 })',
    run: () => new MultiHeadAttention(8, 2, { kdim: 8 } as never),
    message: unknown('MultiHeadAttention', 'kdim'),
  },
  {
    name: 'new TransformerEncoderLayer(8, 2, { dim_feedforward: 16 })',
    run: () => new TransformerEncoderLayer(8, 2, { dim_feedforward: 16 } as never),
    message: unknown('TransformerEncoderLayer', 'dim_feedforward'),
  },
  {
    name: 'new DecoderBlock(8, 2, { normFirst: true })',
    run: () => new DecoderBlock(8, 2, { normFirst: true } as never),
    message: unknown('DecoderBlock', 'normFirst'),
  },
  {
    name: 'MultiHeadAttention.forward(x, x, x, { casual: true })',
    run: () => new MultiHeadAttention(8, 2).forward(ones([1, 3, 8]), undefined, undefined, { casual: true } as never),
    message: unknown('MultiHeadAttention.apply', 'casual'),
  },
  {
    name: "TransformerEncoderLayer({ activation: 'tanh' })",
    run: () => new TransformerEncoderLayer(8, 2, { activation: 'tanh' as never }),
    message: /^TransformerEncoderLayer: 'activation' must be 'relu' or 'gelu', got "tanh"/,
  },
];

const dtypeCases: BadInputCase[] = [
  { name: "new Linear(3, 4, { dtype: 'int32' })", run: () => new Linear(3, 4, int32), message: notFloating('Linear') },
  {
    name: "new Conv2d(1, 2, 3, { dtype: 'int32' })",
    run: () => new Conv2d(1, 2, 3, int32),
    message: notFloating('Conv2d'),
  },
  {
    name: "new Embedding(10, 4, { dtype: 'int32' })",
    run: () => new Embedding(10, 4, int32),
    message: notFloating('Embedding'),
  },
  { name: "new LSTM(4, 8, { dtype: 'int32' })", run: () => new LSTM(4, 8, int32), message: notFloating('LSTM') },
  {
    name: "new LayerNorm(4, { dtype: 'int32' })",
    run: () => new LayerNorm(4, int32),
    message: notFloating('LayerNorm'),
  },
  {
    name: "new BatchNorm1d(4, { dtype: 'int32' })",
    run: () => new BatchNorm1d(4, int32),
    message: notFloating('BatchNorm1d'),
  },
  {
    name: "new MultiHeadAttention(8, 2, { dtype: 'int32' })",
    run: () => new MultiHeadAttention(8, 2, int32),
    message: notFloating('MultiHeadAttention'),
  },
  {
    name: "new Linear(3, 4, { dtype: 'bool' })",
    run: () => new Linear(3, 4, { dtype: 'bool' }),
    message: /^Linear: 'dtype' must be a floating dtype .* got "bool"/,
  },
];

const forwardCases: BadInputCase[] = [
  {
    name: 'new Linear(3, 4).forward([[1, 2, 3]])',
    run: () => new Linear(3, 4).forward([[1, 2, 3]] as never),
    message:
      /^Linear\.forward: 'input' must be a Tensor, got \[\[1, 2, 3\]\] \(wrap arrays and numbers with tensor\(\.\.\.\)\)/,
  },
  {
    name: 'new Conv2d(1, 2, 3).forward(undefined)',
    run: () => new Conv2d(1, 2, 3).forward(undefined as never),
    message: notTensor('Conv2d.forward', 'input'),
  },
  {
    name: 'new ReLU().forward(3)',
    run: () => new ReLU().forward(3 as never),
    message: notTensor('ReLU.forward', 'input'),
  },
  {
    name: 'new Sequential(new Linear(2, 2)).forward([1, 2])',
    run: () => new Sequential(new Linear(2, 2)).forward([1, 2] as never),
    message: notTensor('Sequential.forward', 'input'),
  },
  {
    name: 'new Embedding(10, 4).forward([1, 2])',
    run: () => new Embedding(10, 4).forward([1, 2] as never),
    message: notTensor('Embedding.forward', 'ids'),
  },
  {
    name: 'MultiHeadAttention.forward(query, [[1]])',
    run: () => new MultiHeadAttention(8, 2).forward(ones([1, 3, 8]), [[1]] as never),
    message: notTensor('MultiHeadAttention.forward', 'key'),
  },
  {
    name: 'new LSTM(2, 4).forward({ input })',
    run: () => new LSTM(2, 4).forward({ input: ones([1, 2, 2]) } as never),
    message: notTensor('LSTM.forward', 'input'),
  },
  {
    name: 'new BatchNorm1d(2).forward(null)',
    run: () => new BatchNorm1d(2).forward(null as never),
    message: notTensor('BatchNorm1d.forward', 'input'),
  },
  {
    name: 'new Flatten().forward("x")',
    run: () => new Flatten().forward('x' as never),
    message: notTensor('Flatten.forward', 'input'),
  },
  {
    name: 'new AdaptiveAvgPool2d(1).forward(2)',
    run: () => new AdaptiveAvgPool2d(1).forward(2 as never),
    message: notTensor('AdaptiveAvgPool2d.forward', 'input'),
  },
  {
    name: 'Linear.forward(a disposed tensor)',
    run: () => {
      const input = ones([1, 3]);
      input.dispose();
      return new Linear(3, 4).forward(input);
    },
    message: /^Linear\.forward: 'input' is a disposed Tensor/,
  },
  {
    name: 'MultiHeadAttention.forward(x, x, x, { keyPaddingMask: [[false]] })',
    run: () =>
      new MultiHeadAttention(8, 2).forward(ones([1, 1, 8]), undefined, undefined, {
        keyPaddingMask: [[false]] as never,
      }),
    message: notTensor('MultiHeadAttention.apply', 'keyPaddingMask'),
  },
];

const layerValueCases: BadInputCase[] = [
  {
    name: 'new Linear(0, 4)',
    run: () => new Linear(0, 4),
    message: /^Linear: 'inFeatures' must be a positive integer, got 0/,
  },
  {
    name: "new Linear('3', 4)",
    run: () => new Linear('3' as never, 4),
    message: /^Linear: 'inFeatures' must be a positive integer, got "3"/,
  },
  {
    name: 'new Dropout(1.5)',
    run: () => new Dropout(1.5),
    message: /^Dropout: 'p' must be a number in \[0, 1\], got 1\.5/,
  },
  {
    name: 'new LayerNorm(4, { eps: -1 })',
    run: () => new LayerNorm(4, { eps: -1 }),
    message: /^LayerNorm: 'eps' must be a finite number > 0, got -1/,
  },
  {
    name: 'new BatchNorm1d(4, { momentum: 2 })',
    run: () => new BatchNorm1d(4, { momentum: 2 }),
    message: /^BatchNorm1d: 'momentum' must be a number in \[0, 1\], got 2/,
  },
  {
    name: 'new LSTM(4, 8, { dropout: 2 })',
    run: () => new LSTM(4, 8, { dropout: 2 }),
    message: /^LSTM: 'dropout' must be a number in \[0, 1\], got 2/,
  },
  {
    name: 'new MultiHeadAttention(8, 2, { dropout: -0.1 })',
    run: () => new MultiHeadAttention(8, 2, { dropout: -0.1 }),
    message: /^MultiHeadAttention: 'dropout' must be a number in \[0, 1\], got -0\.1/,
  },
  {
    name: "new GELU('fast')",
    run: () => new GELU('fast' as never),
    message: /^GELU: 'approximate' must be 'none' or 'tanh'/,
  },
];

const lossCases: BadInputCase[] = [
  {
    name: "mseLoss(x, y, { reduce: 'sum' })",
    run: () => mseLoss(ones([2]), ones([2]), { reduce: 'sum' } as never),
    message: unknown('mseLoss', 'reduce'),
  },
  { name: 'l1Loss([1, 2], y)', run: () => l1Loss([1, 2] as never, ones([2])), message: notTensor('l1Loss', 'input') },
  {
    name: 'huberLoss(x, y, { beta: 1 })',
    run: () => huberLoss(ones([2]), ones([2]), { beta: 1 } as never),
    message: unknown('huberLoss', 'beta'),
  },
  {
    name: 'crossEntropy(x, y, { label_smoothing: 0.1 })',
    run: () => crossEntropy(ones([1, 2]), tensor([1], { dtype: 'int32' }), { label_smoothing: 0.1 } as never),
    message: unknown('crossEntropy', 'label_smoothing'),
  },
  {
    name: 'crossEntropy(x, [1])',
    run: () => crossEntropy(ones([1, 2]), [1] as never),
    message: notTensor('crossEntropy', 'target'),
  },
  {
    name: 'nllLoss(x, y, { ignore_index: 0 })',
    run: () => nllLoss(ones([1, 2]), tensor([1], { dtype: 'int32' }), { ignore_index: 0 } as never),
    message: unknown('nllLoss', 'ignore_index'),
  },
  {
    name: 'binaryCrossEntropy(tensor([1.5]), tensor([1]))',
    run: () => binaryCrossEntropy(tensor([1.5]), tensor([1])),
    message: /^binaryCrossEntropy: every element of 'input' must be in \[0, 1\], got values in \[1\.5, 1\.5\]/,
  },
  {
    name: 'binaryCrossEntropy(tensor([-0.1, 0.5]), y)',
    run: () => binaryCrossEntropy(tensor([-0.1, 0.5]), tensor([0, 1])),
    message: /^binaryCrossEntropy: every element of 'input' must be in \[0, 1\]/,
  },
  {
    name: 'binaryCrossEntropy(tensor([NaN]), y)',
    run: () => binaryCrossEntropy(tensor([Number.NaN]), tensor([1])),
    message: /^binaryCrossEntropy: every element of 'input' must be in \[0, 1\], got values in \[NaN, NaN\]/,
  },
  {
    name: 'binaryCrossEntropy(p, tensor([2]))',
    run: () => binaryCrossEntropy(tensor([0.5]), tensor([2])),
    message: /^binaryCrossEntropy: every element of 'target' must be in \[0, 1\]/,
  },
  {
    name: 'bceWithLogits(x, y, { pos_weight })',
    run: () => bceWithLogits(ones([2]), ones([2]), { pos_weight: ones([2]) } as never),
    message: unknown('bceWithLogits', 'pos_weight'),
  },
  {
    name: 'klDiv(x, y, { log_target: true })',
    run: () => klDiv(ones([2]), ones([2]), { log_target: true } as never),
    message: unknown('klDiv', 'log_target'),
  },
  {
    name: "mseLoss(x, y, { reduction: 'avg' })",
    run: () => mseLoss(ones([2]), ones([2]), { reduction: 'avg' as never }),
    message: /^mseLoss: 'reduction' must be 'mean', 'sum' or 'none', got 'avg'/,
  },
  {
    name: 'mseLoss(x, y, 1)',
    run: () => mseLoss(ones([2]), ones([2]), 1 as never),
    message: /^mseLoss: options must be an object, got 1/,
  },
];

const initializerCases: BadInputCase[] = [
  {
    name: "kaimingUniform([2, 2], { fan: 'in' })",
    run: () => kaimingUniform([2, 2], { fan: 'in' } as never),
    message: unknown('kaimingUniform', 'fan'),
  },
  {
    name: "kaimingNormal([2, 2], { dtype: 'int32' })",
    run: () => kaimingNormal([2, 2], int32),
    message: notFloating('kaimingNormal'),
  },
  {
    name: 'xavierUniform([2, 2], { gian: 2 })',
    run: () => xavierUniform([2, 2], { gian: 2 } as never),
    message: unknown('xavierUniform', 'gian'),
  },
  {
    name: "xavierNormal([2, 2], { dtype: 'int32' })",
    run: () => xavierNormal([2, 2], int32),
    message: notFloating('xavierNormal'),
  },
  {
    name: 'orthogonal([2, 2], { seed: 1 })',
    run: () => orthogonal([2, 2], { seed: 1 } as never),
    message: unknown('orthogonal', 'seed'),
  },
  {
    name: 'uniform([2], 1, { low: 0 })',
    run: () => uniform([2], 1, { low: 0 } as never),
    message: unknown('uniform', 'low'),
  },
  {
    name: 'zeros([2], { dtyp: "float64" })',
    run: () => zeros([2], { dtyp: 'float64' } as never),
    message: unknown('zeros', 'dtyp'),
  },
];

const fitCases: BadInputCase[] = [
  {
    name: 'fit(..., { epoch: 1, loss })',
    run: () => train({ epoch: 1, loss: crossEntropy }),
    message: unknown('fit', 'epoch'),
  },
  {
    name: 'fit(model, optimizer, data)',
    run: () => train(undefined),
    message: /^fit: options must be an object with at least 'epochs' and 'loss', got undefined/,
  },
  {
    name: 'fit(model, optimizer, data, { epochs: 1, loss: "mse" })',
    run: () => train({ epochs: 1, loss: 'mse' }),
    message: /^fit: 'loss' must be a function/,
  },
  {
    name: 'fit({ forward }, ...)',
    run: () => train({ epochs: 1, loss: crossEntropy, progress: false }, { forward: () => 0 }),
    message: /^fit: 'model' must be a Module, got an object/,
  },
  {
    name: "fit(model, 'adam', ...)",
    run: () => train({ epochs: 1, loss: crossEntropy, progress: false }, new Linear(2, 2), 'adam'),
    message: /^fit: 'optimizer' must be a gradient transformation/,
  },
  {
    name: 'fit(model, optimizer, 3, ...)',
    run: () => train({ epochs: 1, loss: crossEntropy, progress: false }, new Linear(2, 2), sgd({ lr: 0.1 }), 3),
    message: /^fit: 'data' must be an iterable of \{ inputs, targets \} batches/,
  },
  {
    name: 'fit with a batch of arrays',
    run: () =>
      train({ epochs: 1, loss: crossEntropy, progress: false }, new Linear(2, 2), sgd({ lr: 0.1 }), [
        { inputs: [[1, 2]], targets: [0] },
      ]),
    message: /^fit: 'batch 0 inputs' must be a Tensor, got \[\[1, 2\]\]/,
  },
  {
    name: 'fit with a batch that is a tensor',
    run: () =>
      train({ epochs: 1, loss: crossEntropy, progress: false }, new Linear(2, 2), sgd({ lr: 0.1 }), [ones([2])]),
    message: /^fit: 'batch 0 inputs' must be a Tensor, got undefined/,
  },
  {
    name: 'fit(..., { callbacks: earlyStopping() })',
    run: () => train({ epochs: 1, loss: crossEntropy, callbacks: earlyStopping() }),
    message: /^fit: 'callbacks' must be an array/,
  },
  {
    name: 'fit(..., { metrics: [accuracy] })',
    run: () => train({ epochs: 1, loss: crossEntropy, metrics: { accuracy: 1 } }),
    message: /^fit: 'metrics' must be an object of functions/,
  },
  {
    name: 'fit(..., { validationData: 5 })',
    run: () => train({ epochs: 1, loss: crossEntropy, validationData: 5 }),
    message: /^fit: 'validationData' must be an iterable of batches/,
  },
  {
    name: 'evaluate(model, data, { lossFunction })',
    run: () => evaluate(new Linear(2, 2), loader(), { lossFunction: crossEntropy } as never),
    message: unknown('evaluate', 'lossFunction'),
  },
  {
    name: 'evaluate with a batch of arrays',
    run: () => evaluate(new Linear(2, 2), [{ inputs: [1, 2], targets: [0] }] as never),
    message: /^evaluate: 'batch 0 inputs' must be a Tensor/,
  },
  {
    name: 'earlyStopping({ patients: 3 })',
    run: () => earlyStopping({ patients: 3 } as never),
    message: unknown('earlyStopping', 'patients'),
  },
  {
    name: "earlyStopping({ mode: 'minimum' })",
    run: () => earlyStopping({ mode: 'minimum' as never }),
    message: /^earlyStopping: 'mode' must be 'min' or 'max', got "minimum"/,
  },
  {
    name: 'earlyStopping({ patience: -1 })',
    run: () => earlyStopping({ patience: -1 }),
    message: /^earlyStopping: 'patience' must be a non-negative integer, got -1/,
  },
  {
    name: 'learningRateLogger({ lr: 0.1 })',
    run: () => learningRateLogger({ lr: 0.1 } as never),
    message: unknown('learningRateLogger', 'lr'),
  },
  {
    name: "checkpointCallback('x', { every: 10 })",
    run: () => checkpointCallback('x.safetensors', { every: 10 } as never),
    message: unknown('checkpointCallback', 'every'),
  },
  {
    name: "checkpointCallback('x', { everySteps: 0 })",
    run: () => checkpointCallback('x.safetensors', { everySteps: 0 }),
    message: /^checkpointCallback: 'everySteps' must be a positive integer, got 0/,
  },
];

const dataCases: BadInputCase[] = [
  {
    name: 'new DataLoader(data, { batch_size: 10 })',
    run: () => new DataLoader(blobs(), { batchSize: 10, batch_size: 10 } as never),
    message: unknown('DataLoader', 'batch_size'),
  },
  {
    name: 'new DataLoader(data, { batchSize: 10, shufle: true })',
    run: () => new DataLoader(blobs(), { batchSize: 10, shufle: true } as never),
    message: unknown('DataLoader', 'shufle'),
  },
  {
    name: 'trainValidationSplit(data, { fraction })',
    run: () => trainValidationSplit(blobs(), { validationFraction: 0.2, seed: 0, fraction: 0.2 } as never),
    message: unknown('trainValidationSplit', 'fraction'),
  },
  {
    name: 'twoSpirals({ n: 10 })',
    run: () => twoSpirals({ count: 10, noise: 0, seed: 0, n: 10 } as never),
    message: unknown('twoSpirals', 'n'),
  },
  {
    name: 'gaussianBlobs({ nSamples })',
    run: () => gaussianBlobs({ count: 10, seed: 0, nSamples: 10 } as never),
    message: unknown('gaussianBlobs', 'nSamples'),
  },
  {
    name: 'sequenceTask({ vocab })',
    run: () => sequenceTask({ kind: 'copy', length: 4, count: 4, seed: 0, vocab: 8 } as never),
    message: unknown('sequenceTask', 'vocab'),
  },
  {
    name: 'teacherStudent({ hiddenSizes })',
    run: () => teacherStudent({ count: 4, inputSize: 2, outputSize: 1, noise: 0, seed: 0, hiddenSizes: [4] } as never),
    message: unknown('teacherStudent', 'hiddenSizes'),
  },
  {
    name: 'characterCorpus({ size })',
    run: () => characterCorpus({ size: 100 } as never),
    message: unknown('characterCorpus', 'size'),
  },
  {
    name: 'loadDigits({ normalise: true })',
    run: () => loadDigits({ normalise: true } as never),
    message: unknown('loadDigits', 'normalise'),
  },
  {
    name: 'loadMnist({ directory, train: true })',
    run: () => loadMnist({ directory: '/nonexistent', train: true } as never),
    message: unknown('loadMnist', 'train'),
  },
  {
    name: 'loadFashionMnist({ dir })',
    run: () => loadFashionMnist({ dir: '/nonexistent' } as never),
    message: unknown('loadFashionMnist', 'dir'),
  },
  {
    name: 'loadCifar10({ directory, download: true })',
    run: () => loadCifar10({ directory: '/nonexistent', download: true } as never),
    message: unknown('loadCifar10', 'download'),
  },
  {
    name: 'parseIdx(bytes, { src })',
    run: () => parseIdx(new Uint8Array(0), { src: 'x' } as never),
    message: unknown('parseIdx', 'src'),
  },
  {
    name: "loadIdx(path, { dtype: 'uint8' })",
    run: () => loadIdx('/nonexistent', { dtype: 'uint8' } as never),
    message: unknown('loadIdx', 'dtype'),
  },
];

describe('layers and losses bad-input battery', () => {
  it('gives a clear error naming the function for every bad input', async () => {
    const cases = [
      ...layerOptionCases,
      ...dtypeCases,
      ...forwardCases,
      ...layerValueCases,
      ...lossCases,
      ...initializerCases,
      ...fitCases,
      ...dataCases,
    ];
    const report = await runBadInputBattery('layers, losses, training and data', cases);
    console.log(report.summary);
    expect(report.failures).toEqual([]);
    expect(report.tried).toBeGreaterThanOrEqual(60);
  });

  it('still accepts what is valid (the checks change no result)', () => {
    const layer = new Linear(3, 2, { bias: false, dtype: 'float64' });
    expect(layer.forward(ones([1, 3], { dtype: 'float64' })).shape).toEqual([1, 2]);
    expect(binaryCrossEntropy(tensor([0, 1]), tensor([0, 1])).item()).toBe(0);
    const attention = new MultiHeadAttention(8, 2);
    expect(attention.forward(ones([1, 3, 8]), undefined, undefined, { causal: true }).shape).toEqual([1, 3, 8]);
    const empty: Tensor = zerosTensor([0]);
    expect(binaryCrossEntropy(empty, zerosTensor([0]), { reduction: 'sum' }).item()).toBe(0);
  });
});
