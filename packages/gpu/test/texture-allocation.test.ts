/**
 * A steady-state training step allocates no textures: every kernel renders into an output
 * texture it recycles (kernel-runner.ts: per-size instances, a second one per size where the
 * previous output is still alive). Before, a kernel serving several sizes (matmul's pack, the
 * product, an update chain) resized on nearly every call, and a weight update's output, alive
 * into the next update, forced a new texture each step: the MLP bench step allocated 45.
 */
import { matmul, randn, seed, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { gpuDevice } from '../src/gpu-device.js';
import { gpuReady } from './gpu-availability.js';

describe.runIf(gpuReady)('texture allocation in a training step', () => {
  it('a two-layer network trained by hand allocates no texture after its first steps', () => {
    const context = gpuDevice().gpu.context as { createTexture(): unknown };
    const create = context.createTexture.bind(context);
    let created = 0;
    context.createTexture = () => {
      created++;
      return create();
    };
    const generator = seed(5);
    const options = { generator, backend: 'gpu' } as const;
    // 24 examples: the first layer's product, the hidden gradient and the first layer's weight
    // gradient are all three rows of 8×4 blocks, and the first two are still alive when the
    // third runs (kernel-runner.ts's third instance per size).
    const inputs = randn([24, 20], options);
    const targets = randn([24, 3], options);
    let first: Tensor = randn([20, 16], { ...options, std: 0.2 });
    let second: Tensor = randn([16, 3], { ...options, std: 0.2 });
    const allocations: number[] = [];
    const losses: number[] = [];
    try {
      for (let step = 0; step < 8; step++) {
        created = 0;
        const [nextFirst, nextSecond, loss] = tidy(() => {
          // Shapes differ per layer, so each kernel (pack, product, update) serves several sizes.
          const hidden = matmul(inputs, first).relu();
          const error = matmul(hidden, second).sub(targets);
          const secondGradient = matmul(hidden.transpose(), error);
          const hiddenGradient = matmul(error, second.transpose()).mul(hidden.greater(0));
          const firstGradient = matmul(inputs.transpose(), hiddenGradient);
          return [
            first.sub(firstGradient.mul(0.002)),
            second.sub(secondGradient.mul(0.002)),
            error.square().mean(),
          ] as const;
        });
        losses.push(loss.item());
        loss.dispose();
        first.dispose();
        second.dispose();
        first = nextFirst;
        second = nextSecond;
        allocations.push(created);
      }
    } finally {
      context.createTexture = create;
      first.dispose();
      second.dispose();
      inputs.dispose();
      targets.dispose();
    }
    // The first steps compile kernels and meet each size for the first times. The first
    // update reads the uploaded weight (one value per texel), later ones the previous update's
    // four-values-per-texel result (quad-chain.ts): a second kernel, met from step 1 on, whose
    // second instance (the previous weight is alive during the update) comes at step 4.
    expect(allocations.slice(5)).toEqual([0, 0, 0]);
    expect(losses[7]).toBeLessThan(losses[0]!);
  });
});
