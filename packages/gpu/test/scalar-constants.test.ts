/**
 * Only new data is uploaded: scalar constants (learning rates, mean's divisor, the gradient
 * seed) stay on the device, so a steady-state training step uploads its new batch and nothing
 * else, and a shared constant survives the disposal of any one tensor that uses it.
 */
import { valueAndGrad } from '@vane/autodiff';
import {
  add,
  dispose,
  full,
  gather,
  logSoftmax,
  matmul,
  mean,
  neg,
  randint,
  randn,
  relu,
  seed,
  tensor,
  tidy,
  type Tensor,
} from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuConstantCount, gpuStats, gpuTextureCount, resetGpuStats, SCALAR_CONSTANT_LIMIT } from '../src/index.js';
import { gpuReady } from './gpu-availability.js';

interface Layer {
  weight: Tensor;
  bias: Tensor;
}

const SIZES = [12, 16, 16, 5];
const BATCH = 8;

function loss(layers: Layer[], x: Tensor, labels: Tensor): Tensor {
  let activation = x;
  layers.forEach((layer, index) => {
    const linear = add(matmul(activation, layer.weight), layer.bias);
    activation = index < layers.length - 1 ? relu(linear) : linear;
  });
  return neg(mean(gather(logSoftmax(activation, -1), 1, labels)));
}

describe.runIf(gpuReady)('scalar constants on the device', () => {
  it('an MLP SGD step uploads only its new batch (x and labels), no scalar constant', () => {
    const generator = seed(11);
    let layers: Layer[] = SIZES.slice(1).map((size, index) => ({
      weight: randn([SIZES[index]!, size], { generator, std: 0.3, backend: 'gpu' }),
      bias: randn([size], { generator, std: 0.01, backend: 'gpu' }),
    }));
    const lossAndGradients = valueAndGrad(loss);
    const perStep: { uploads: number; readbacks: number }[] = [];
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      resetGpuStats();
      // A new batch every step: the two uploads a training loop cannot avoid.
      const x = randn([BATCH, SIZES[0]!], { generator, backend: 'gpu' });
      const labels = randint(0, SIZES[SIZES.length - 1]!, [BATCH, 1], { generator, backend: 'gpu' });
      const [value, gradients] = lossAndGradients(layers, x, labels);
      const next = tidy(() =>
        layers.map((layer, index) => ({
          weight: layer.weight.sub(gradients[index]!.weight.mul(0.05)),
          bias: layer.bias.sub(gradients[index]!.bias.mul(0.05)),
        })),
      );
      dispose([layers, gradients, x, labels]);
      layers = next;
      losses.push(value.item());
      const { uploads, readbacks } = gpuStats();
      perStep.push({ uploads, readbacks });
      value.dispose();
    }
    // The first step uploads its constants once (lr, mean's divisor, the seed of the backward).
    expect(perStep[0]!.uploads).toBeGreaterThan(2);
    // From then on: the batch's two tensors and nothing else; one readback, the loss's item().
    expect(perStep.slice(1)).toEqual([
      { uploads: 2, readbacks: 1 },
      { uploads: 2, readbacks: 1 },
      { uploads: 2, readbacks: 1 },
    ]);
    expect(losses.every(Number.isFinite)).toBe(true);
    dispose(layers);
  });

  it('a constant shared by several tensors survives the disposal of any of them', () => {
    const first = tensor(0.375, { backend: 'gpu' });
    resetGpuStats();
    const second = tensor(0.375, { backend: 'gpu' });
    const third = tensor([0.375], { backend: 'gpu' });
    expect(gpuStats().uploads).toBe(0);
    first.dispose();
    expect(second.item()).toBe(0.375);
    second.dispose();
    expect(Array.from(third.dataSync())).toEqual([0.375]);
    const product = third.mul(2);
    third.dispose();
    expect(product.item()).toBe(0.75);
    product.dispose();
  });

  it('keeps -0, +0 and NaN apart, and holds at most SCALAR_CONSTANT_LIMIT constants without freeing one in use', () => {
    const negativeZero = tensor(-0, { backend: 'gpu' });
    const positiveZero = tensor(0, { backend: 'gpu' });
    expect(Object.is(negativeZero.item(), -0)).toBe(true);
    expect(Object.is(positiveZero.item(), 0)).toBe(true);
    const held = tensor(1234.5, { backend: 'gpu' });
    const texturesBefore = gpuTextureCount();
    // Enough new constants to evict 1234.5's cache entry: `held` keeps its own reference.
    for (let index = 0; index < SCALAR_CONSTANT_LIMIT + 10; index++) tensor(index + 0.25, { backend: 'gpu' }).dispose();
    expect(gpuConstantCount()).toBe(SCALAR_CONSTANT_LIMIT);
    expect(gpuTextureCount()).toBe(texturesBefore);
    expect(held.item()).toBe(1234.5);
    resetGpuStats();
    const again = tensor(1234.5, { backend: 'gpu' });
    expect(gpuStats().uploads).toBe(1);
    expect(again.item()).toBe(1234.5);
    dispose([negativeZero, positiveZero, held, again]);
  });

  it('a constant fill (zeros, ones, full) is drawn on the device: one dispatch, no upload', () => {
    resetGpuStats();
    const filled = full([3, 700], 2.5, { backend: 'gpu' });
    expect(gpuStats()).toEqual({ dispatches: 1, uploads: 0, readbacks: 0 });
    expect(Array.from(filled.dataSync()).every((value) => value === 2.5)).toBe(true);
    const mixed = tensor([2.5, 2.5, 3], { backend: 'gpu' });
    expect(gpuStats().uploads).toBe(1);
    expect(Array.from(mixed.dataSync())).toEqual([2.5, 2.5, 3]);
    const negativeZeros = tensor([-0, -0], { backend: 'gpu' });
    expect(Array.from(negativeZeros.dataSync()).map((value) => Object.is(value, -0))).toEqual([true, true]);
    dispose([filled, mixed, negativeZeros]);
  });
});
