/**
 * softmax, logSoftmax and their closed-form gradients along the last axis in one dispatch
 * (src/softmax-rows.ts) against the cpu: row lengths 1 to the limit, ranks 1 to 3, a strided
 * view, rows holding −∞ (a mask), a whole row of −∞, +∞ and NaN, the gradients on their own and
 * through a backward pass; one dispatch for the forward and one for the gradient, and the
 * composites (several dispatches) for rows past the limit or along another axis.
 */
import * as vane from '@vane/tensor';
import { logSoftmax, logSoftmaxGradient, softmax, softmaxGradient, tidy, type Tensor } from '@vane/tensor';
import { valueAndGrad } from '@vane/autodiff';
import { describe, expect, it } from 'vitest';
import { gpuStats, resetGpuStats } from '../src/index.js';
import { SOFTMAX_ROW_LIMIT } from '../src/softmax-rows.js';
import { gpuReady } from './gpu-availability.js';
import { expectCloseToCpu } from './support/expect-close.js';

/**
 * Float32 on both sides; the gpu's exp and log may differ from JavaScript's by a few ulps and
 * its row sums run in another order than the cpu's SIMD sums, so values of magnitude up to ~10
 * (logSoftmax of randn rows) agree to a few 1e-6.
 */
const TOLERANCE = { absolute: 1e-5, relative: 1e-5 };
const expectClose = (cpu: Tensor, gpu: Tensor, label: string) => expectCloseToCpu(cpu, gpu, label, TOLERANCE);
const random = (shape: number[], seed: number) => vane.randn(shape, { generator: vane.seed(seed) });

/** Element by element: equal where the cpu's value is not finite (NaN, ±∞), else within TOLERANCE. */
function expectSameSpecials(cpu: Tensor, gpu: Tensor, label: string): void {
  const want = cpu.dataSync();
  const got = gpu.dataSync();
  want.forEach((value, index) => {
    if (Number.isFinite(value)) expect(Math.abs(got[index]! - value), `${label}[${index}]`).toBeLessThanOrEqual(1e-5);
    else
      expect(
        Object.is(got[index], value) || (Number.isNaN(value) && Number.isNaN(got[index])),
        `${label}[${index}]: cpu ${value}, gpu ${got[index]}`,
      ).toBe(true);
  });
}

/** Dispatches `run` takes on the gpu, its inputs already uploaded. */
function dispatchesOf(run: () => Tensor): number {
  resetGpuStats();
  const out = run();
  const dispatches = gpuStats().dispatches;
  out.dispose();
  return dispatches;
}

describe.runIf(gpuReady)('softmax rows in one dispatch', () => {
  it.each([
    [[128, 10]],
    [[7]],
    [[3, 5, 7]],
    [[4, 1]],
    [[2, SOFTMAX_ROW_LIMIT]],
    [[5, SOFTMAX_ROW_LIMIT + 1]],
    [[0, 4]],
  ])('softmax and logSoftmax of %j agree with the cpu', (shape) => {
    tidy(() => {
      const x = random(shape, shape.length * 31 + shape[0]!);
      const gpuX = x.to('gpu');
      expectClose(softmax(x), softmax(gpuX), 'softmax');
      expectClose(logSoftmax(x), logSoftmax(gpuX), 'logSoftmax');
    });
  });

  it('reads a strided view (the rows of a transpose) and a view with an offset', () => {
    tidy(() => {
      const x = random([10, 6], 3);
      const gpuX = x.to('gpu');
      expectClose(logSoftmax(x.transpose()), logSoftmax(gpuX.transpose()), 'logSoftmax of xᵀ');
      expectClose(
        softmax(x.slice([{ start: 2, stop: 7 }])),
        softmax(gpuX.slice([{ start: 2, stop: 7 }])),
        'softmax of rows 2…6',
      );
    });
  });

  it('keeps the composites’ special values: a −∞ mask, rows of −∞, +∞ and NaN', () => {
    tidy(() => {
      const rows = [
        [1, -Infinity, 2, 0.5],
        [-Infinity, -Infinity, -Infinity, -Infinity],
        [1, Infinity, 2, 3],
        [1, NaN, 2, 3],
        [-1e30, 3e38, -3e38, 0],
      ];
      const x = vane.tensor(rows);
      const gpuX = x.to('gpu');
      expectSameSpecials(softmax(x), softmax(gpuX), 'softmax');
      expectSameSpecials(logSoftmax(x), logSoftmax(gpuX), 'logSoftmax');
    });
  });

  it.each([[[128, 10]], [[3, 4, 9]], [[6, SOFTMAX_ROW_LIMIT + 3]]])(
    'the closed-form gradients of %j agree with the cpu',
    (shape) => {
      tidy(() => {
        const x = random(shape, 11);
        const g = random(shape, 12);
        const gpuX = x.to('gpu');
        const gpuG = g.to('gpu');
        expectClose(softmaxGradient(g, softmax(x)), softmaxGradient(gpuG, softmax(gpuX)), 'softmaxGradient');
        expectClose(
          logSoftmaxGradient(g, logSoftmax(x)),
          logSoftmaxGradient(gpuG, logSoftmax(gpuX)),
          'logSoftmaxGradient',
        );
      });
    },
  );

  it('gives the cross-entropy gradient of a backward pass as the cpu does', () => {
    tidy(() => {
      const logits = random([32, 10], 21);
      const labels = vane.randint(0, 10, [32, 1], { generator: vane.seed(22) });
      const loss = (z: Tensor, y: Tensor) => vane.neg(vane.mean(vane.gather(logSoftmax(z, -1), 1, y)));
      const [cpuValue, cpuGradient] = valueAndGrad(loss)(logits, labels);
      const [gpuValue, gpuGradient] = valueAndGrad(loss)(logits.to('gpu'), labels.to('gpu'));
      expectClose(cpuValue, gpuValue, 'loss');
      expectClose(cpuGradient, gpuGradient, 'd loss / d logits');
    });
  });

  it('takes one dispatch per op for rows up to the limit, the composites past it or along another axis', () => {
    tidy(() => {
      const short = random([128, 10], 5).to('gpu');
      const long = random([4, SOFTMAX_ROW_LIMIT + 1], 6).to('gpu');
      const g = random([128, 10], 7).to('gpu');
      const y = logSoftmax(short);
      void y.dataSync();
      expect(dispatchesOf(() => logSoftmax(short))).toBe(1);
      expect(dispatchesOf(() => softmax(short))).toBe(1);
      expect(dispatchesOf(() => logSoftmaxGradient(g, y))).toBe(1);
      expect(dispatchesOf(() => softmax(long))).toBeGreaterThan(1);
      expect(dispatchesOf(() => softmax(short, 0))).toBeGreaterThan(1);
    });
  });
});
