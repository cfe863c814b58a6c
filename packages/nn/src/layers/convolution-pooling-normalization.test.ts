import { describe, expect, it } from 'vitest';
import { ones, randn, seed, zeros } from '@vane/tensor';
import { Conv1d, Conv2d, ConvTranspose2d } from './convolution.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from './pooling.js';
import { BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, RMSNorm } from './normalization.js';
import {
  checkLayerAgainstTorch,
  expectClose,
  fixtureParameters,
  toTensor,
  torchCase,
  type StoredTensor,
} from '../test-support/torch-fixtures.js';

// float64 on both sides; convolutions and normalisations sum up to a few hundred terms in a
// different order than PyTorch, so allow 1e-9 (still ~6 orders above float64 rounding).
const TOLERANCE = { absolute: 1e-9, relative: 1e-9 };
const f64 = { dtype: 'float64' as const };

describe('convolution layers against torch', () => {
  it('Conv1d', () =>
    checkLayerAgainstTorch(new Conv1d(3, 4, 3, { stride: 2, padding: 1, ...f64 }), torchCase('conv1d'), TOLERANCE));
  it('Conv2d', () =>
    checkLayerAgainstTorch(new Conv2d(3, 4, 3, { padding: 1, ...f64 }), torchCase('conv2d'), TOLERANCE));
  it('Conv2d with groups, dilation and rectangular kernels', () => {
    checkLayerAgainstTorch(
      new Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, ...f64 }),
      torchCase('conv2d-groups'),
      TOLERANCE,
    );
  });
  it('ConvTranspose2d', () => {
    checkLayerAgainstTorch(
      new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1, ...f64 }),
      torchCase('conv-transpose2d'),
      TOLERANCE,
    );
  });
  it('errors name the layer and shapes', () => {
    expect(() => new Conv2d(3, 4, 3).forward(zeros([1, 2, 5, 5]))).toThrow(
      "Conv2d.apply: 'input' has shape [1,2,5,5], expected [N, 3, H, W]",
    );
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(
      "Conv2d: 'groups' 2 must divide inChannels 3 and outChannels 4",
    );
  });
  it('initialises weights within ±1/√fanIn as PyTorch', () => {
    const weight = new Conv2d(8, 4, 3, { generator: seed(1) }).parameters().weight as ReturnType<typeof ones>;
    const bound = 1 / Math.sqrt(8 * 9);
    expect(Math.max(...Array.from(weight.dataSync(), Math.abs))).toBeLessThanOrEqual(bound);
  });
});

describe('pooling layers against torch', () => {
  it('MaxPool2d', () => checkLayerAgainstTorch(new MaxPool2d(2), torchCase('max-pool2d'), TOLERANCE));
  it('MaxPool2d with stride and padding', () =>
    checkLayerAgainstTorch(
      new MaxPool2d(3, { stride: 2, padding: 1 }),
      torchCase('max-pool2d-stride-padding'),
      TOLERANCE,
    ));
  it('AvgPool2d', () => checkLayerAgainstTorch(new AvgPool2d(2), torchCase('avg-pool2d'), TOLERANCE));
  it('AdaptiveAvgPool2d with uneven, overlapping bins', () =>
    checkLayerAgainstTorch(new AdaptiveAvgPool2d([4, 3]), torchCase('adaptive-avg-pool2d'), TOLERANCE));
  it('AdaptiveAvgPool2d to 1×1', () =>
    checkLayerAgainstTorch(new AdaptiveAvgPool2d(1), torchCase('adaptive-avg-pool2d-1'), TOLERANCE));
});

describe('normalisation layers against torch', () => {
  for (const [name, make] of [
    ['batch-norm1d-train', () => new BatchNorm1d(4, f64)],
    ['batch-norm2d-train', () => new BatchNorm2d(3, f64)],
  ] as const) {
    it(`${name}: output, gradients and running statistics`, () => {
      const fixture = torchCase(name);
      checkLayerAgainstTorch(make(), fixture, TOLERANCE);
      const fresh = make();
      fresh.loadParameters(fixtureParameters(fixture));
      fresh.forward(toTensor(fixture.inputs[0]!));
      const buffers = fresh.buffers();
      expectClose(buffers.runningMean as never, fixture.runningMean as StoredTensor, TOLERANCE, 'runningMean');
      expectClose(buffers.runningVar as never, fixture.runningVar as StoredTensor, TOLERANCE, 'runningVar');
    });
  }
  it('batch-norm2d-eval uses the running statistics', () => {
    const fixture = torchCase('batch-norm2d-eval');
    const layer = new BatchNorm2d(3, f64).eval();
    layer.loadBuffers({
      runningMean: toTensor(fixture.runningMean as StoredTensor),
      runningVar: toTensor(fixture.runningVar as StoredTensor),
    });
    checkLayerAgainstTorch(layer, fixture, TOLERANCE);
  });
  it('LayerNorm', () => checkLayerAgainstTorch(new LayerNorm(6, f64), torchCase('layer-norm'), TOLERANCE));
  it('RMSNorm (reference module in the generator; torch 1.13 has none)', () =>
    checkLayerAgainstTorch(new RMSNorm(6, { eps: 1e-6, ...f64 }), torchCase('rms-norm'), TOLERANCE));
  it('GroupNorm', () => checkLayerAgainstTorch(new GroupNorm(2, 6, f64), torchCase('group-norm'), TOLERANCE));
  it('BatchNorm refuses a single value per channel in training', () => {
    expect(() => new BatchNorm1d(3).forward(randn([1, 3]))).toThrow(
      "BatchNorm1d.apply: expected more than 1 value per channel in training mode, got 'input' of shape [1,3]",
    );
  });
});
