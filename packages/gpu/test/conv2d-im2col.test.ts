/**
 * conv2d with groups = 1 runs as im2col + the packed matmul + a strided copy (6 dispatches);
 * grouped convolutions keep the direct kernel (1 dispatch). Both against the CPU on strides,
 * padding, dilation, rectangular kernels, strided/offset inputs and a transposed weight.
 */
import * as vane from '@vane/tensor';
import { conv2d, tidy, type Tensor } from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { gpuStats, gpuTextureCount, resetGpuStats } from '../src/index.js';
import { gpuReady } from './gpu-availability.js';

const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

function expectClose(cpu: Tensor, gpu: Tensor, label: string): void {
  expect(gpu.shape, label).toEqual(cpu.shape);
  const want = cpu.dataSync();
  const got = gpu.dataSync();
  for (let index = 0; index < want.length; index++) {
    const difference = Math.abs(got[index]! - want[index]!);
    if (!(difference <= 1e-4 * (1 + Math.abs(want[index]!))))
      throw new Error(`${label}[${index}]: cpu ${want[index]}, gpu ${got[index]}`);
  }
}

describe.runIf(gpuReady)('conv2d on the packed matmul', () => {
  it.each([
    ['3x3, padding 1', [2, 3, 9, 8], [5, 3, 3, 3], { padding: 1 }],
    ['stride 2, no padding', [2, 2, 11, 10], [4, 2, 3, 3], { stride: 2 }],
    ['dilation 2, padding same', [1, 3, 9, 9], [2, 3, 3, 3], { dilation: 2, padding: 'same' }],
    ['rectangular kernel, asymmetric padding', [3, 1, 7, 12], [6, 1, 2, 5], { padding: [1, 0, 2, 1] }],
    ['1x1 kernel', [2, 7, 5, 5], [3, 7, 1, 1], {}],
  ] as const)('%s agrees with the cpu', (label, xShape, wShape, options) => {
    tidy(() => {
      const x = random([...xShape], 1);
      const w = random([...wShape], 2);
      expectClose(conv2d(x, w, options), conv2d(x.to('gpu'), w.to('gpu'), options), label);
    });
  });

  it('a sliced input and a transposed weight agree with the cpu', () => {
    tidy(() => {
      const x = random([3, 2, 9, 9], 3);
      const sliced = (t: Tensor) => vane.slice(t, [{ start: 1, stop: 3 }, {}, { start: 1, stop: 8 }]);
      const w = random([4, 2, 3, 3], 4);
      expectClose(conv2d(sliced(x), w), conv2d(sliced(x.to('gpu')), w.to('gpu')), 'sliced input');
      const wt = random([3, 3, 2, 4], 5).transpose([3, 2, 0, 1]);
      expectClose(conv2d(x, wt), conv2d(x.to('gpu'), wt.to('gpu')), 'transposed weight');
    });
  });

  it('is 6 dispatches with groups = 1 and 1 with groups = 2, and leaves no texture behind', () => {
    tidy(() => {
      const x = random([2, 4, 6, 6], 6).to('gpu');
      const w = random([4, 4, 3, 3], 7).to('gpu');
      const grouped = random([4, 2, 3, 3], 8).to('gpu');
      const textures = gpuTextureCount();
      resetGpuStats();
      const y = conv2d(x, w);
      expect(gpuStats().dispatches).toBe(6);
      expect(gpuTextureCount()).toBe(textures + 1);
      resetGpuStats();
      conv2d(x, grouped, { groups: 2 });
      expect(gpuStats().dispatches).toBe(1);
      y.dispose();
    });
  });

  it.each([
    ['3x3, padding 1', [2, 3, 9, 8], [5, 3, 3, 3], { padding: 1 }],
    ['stride 2, dilation 2', [3, 2, 13, 11], [4, 2, 3, 3], { stride: 2, dilation: 2 }],
    ['rectangular kernel, asymmetric padding', [2, 1, 7, 12], [6, 1, 2, 5], { padding: [1, 0, 2, 1] }],
  ] as const)(
    'the weight gradient (batched matmul on im2col, summed over the batch) agrees with the cpu: %s',
    (label, xShape, wShape, options) => {
      tidy(() => {
        const x = random([...xShape], 11);
        const window = vane.makeWindow('conv2d', xShape[2], xShape[3], [wShape[2], wShape[3]], options);
        const dy = random([xShape[0], wShape[0], window.outputHeight, window.outputWidth], 12);
        expectClose(
          vane.conv2dWeightGradient(x, dy, window, 1),
          vane.conv2dWeightGradient(x.to('gpu'), dy.to('gpu'), window, 1),
          label,
        );
      });
    },
  );

  it.each([
    ['3x3, padding 1', [2, 3, 9, 8], [5, 3, 3, 3], { padding: 1 }],
    ['stride 2, dilation 2', [3, 2, 13, 11], [4, 2, 3, 3], { stride: 2, dilation: 2 }],
    ['stride 3 over a 2x2 kernel (uncovered pixels)', [2, 2, 10, 10], [3, 2, 2, 2], { stride: 3 }],
    ['rectangular kernel, asymmetric padding', [2, 1, 7, 12], [6, 1, 2, 5], { padding: [1, 0, 2, 1] }],
  ] as const)('the input gradient (matmul, then col2im) agrees with the cpu: %s', (label, xShape, wShape, options) => {
    tidy(() => {
      const w = random([...wShape], 13);
      const window = vane.makeWindow('conv2d', xShape[2], xShape[3], [wShape[2], wShape[3]], options);
      const dy = random([xShape[0], wShape[0], window.outputHeight, window.outputWidth], 14);
      expectClose(
        vane.conv2dInputGradient(dy, w, window, 1, xShape[2], xShape[3]),
        vane.conv2dInputGradient(dy.to('gpu'), w.to('gpu'), window, 1, xShape[2], xShape[3]),
        label,
      );
    });
  });

  it('keeps the direct kernel where the im2col matrix would pass 2^24 values (float index arithmetic is exact only that far)', () => {
    tidy(() => {
      // 130x130 output pixels times 128·3·3 = 1,152 values per row: 19.5M > 2^24.
      const x = random([1, 128, 130, 130], 15);
      const w = random([1, 128, 3, 3], 16);
      const gx = x.to('gpu');
      const gw = w.to('gpu');
      resetGpuStats();
      const gpu = conv2d(gx, gw, { padding: 1 });
      expect(gpuStats().dispatches).toBe(1);
      expectClose(conv2d(x, w, { padding: 1 }), gpu, 'large conv2d');
    });
  });
});
