import { matmul, memory, randn, seed, setBackend, sum, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuTextureCount } from '../src/index.js';
import { gpuReady } from './gpu-availability.js';

describe.skipIf(!gpuReady)('gpu memory', () => {
  it('a 1,000-step training loop keeps the live texture count constant', () => {
    setBackend('gpu');
    try {
      // Linear regression by hand-written gradient descent: forward, gradient, update, all on the GPU.
      const inputs = randn([16, 4], { generator: seed(1) });
      const target = matmul(inputs, randn([4, 1], { generator: seed(2) }));
      let weights: Tensor = randn([4, 1], { generator: seed(3) });
      const texturesBefore = gpuTextureCount();
      const tensorsBefore = memory().backends.gpu!.tensors;
      let firstLoss = 0;
      let lastLoss = 0;
      for (let step = 0; step < 1000; step++) {
        const [next, loss] = tidy(() => {
          const error = matmul(inputs, weights).sub(target);
          const gradient = matmul(inputs.transpose(), error).mul(2 / 16);
          return [weights.sub(gradient.mul(0.05)), sum(error.square()).div(16)] as const;
        });
        if (step === 0) firstLoss = loss.item();
        if (step === 999) lastLoss = loss.item();
        loss.dispose();
        weights.dispose();
        weights = next;
        expect(gpuTextureCount()).toBe(texturesBefore);
      }
      expect(memory().backends.gpu!.tensors).toBe(tensorsBefore);
      expect(lastLoss).toBeLessThan(firstLoss * 1e-3);
      weights.dispose();
      inputs.dispose();
      target.dispose();
    } finally {
      setBackend('cpu');
    }
  });

  it('using declarations free textures at the end of the block', () => {
    const before = gpuTextureCount();
    {
      using x = randn([8], { backend: 'gpu', generator: seed(4) });
      using y = x.mul(3);
      expect(gpuTextureCount()).toBe(before + 2);
      expect(y.shape).toEqual([8]);
    }
    expect(gpuTextureCount()).toBe(before);
  });
});
