/**
 * The flush after every dispatch (kernel-runner.ts's submitDraw): on by default on headless-gl
 * only, one `gl.flush()` per dispatch when on and none when off, and the same results bit for
 * bit either way (a flush only hands queued draws to the renderer earlier).
 */
import * as vane from '@vane/tensor';
import { matmul, relu, tidy, type Tensor } from '@vane/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { gpuInfo, gpuStats, overrideFlushAfterDispatch, resetGpuStats } from '../src/index.js';
import { gpuDevice } from '../src/gpu-device.js';
import { gpuReady } from './gpu-availability.js';

/** A small two-layer forward pass and its loss on the gpu, read back. */
function forward(): Float32Array {
  return tidy(() => {
    const generator = vane.seed(3);
    const x = vane.randn([64, 40], { generator }).to('gpu');
    const w1 = vane.randn([40, 32], { generator }).to('gpu');
    const w2 = vane.randn([32, 10], { generator }).to('gpu');
    const h: Tensor = relu(matmul(x, w1));
    return vane.logSoftmax(matmul(h, w2)).dataSync() as Float32Array;
  });
}

/** Dispatches and `gl.flush()` calls of one {@link forward}. */
function flushesOf(): { dispatches: number; flushes: number } {
  const context = gpuDevice().gpu.context as { flush: () => void };
  const flush = context.flush;
  let flushes = 0;
  context.flush = () => {
    flushes++;
    flush.call(context);
  };
  try {
    resetGpuStats();
    forward();
    return { dispatches: gpuStats().dispatches, flushes };
  } finally {
    context.flush = flush;
  }
}

describe.runIf(gpuReady)('flush after every dispatch', () => {
  afterEach(() => overrideFlushAfterDispatch(undefined));

  it('flushes once per dispatch when on, never when off, by default only on headless-gl', () => {
    forward();
    overrideFlushAfterDispatch(true);
    const on = flushesOf();
    overrideFlushAfterDispatch(false);
    const off = flushesOf();
    expect(on.dispatches).toBeGreaterThan(3);
    expect(off.dispatches).toBe(on.dispatches);
    // The flushes gpu.js makes itself (a readback's) plus one per dispatch.
    expect(on.flushes).toBe(off.flushes + on.dispatches);
    overrideFlushAfterDispatch(undefined);
    const byDefault = flushesOf();
    expect(byDefault.flushes >= byDefault.dispatches).toBe(gpuInfo().kernelClass === 'HeadlessGLKernel');
  });

  it('gives the same results bit for bit with and without the flush', () => {
    overrideFlushAfterDispatch(true);
    const flushed = forward();
    overrideFlushAfterDispatch(false);
    const unflushed = forward();
    expect(Array.from(flushed)).toEqual(Array.from(unflushed));
  });
});
