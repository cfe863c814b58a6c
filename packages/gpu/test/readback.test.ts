/**
 * The readback path in Node: headless-gl is WebGL 1 (no fence sync objects, no pixel pack
 * buffers), so `await data()` takes the synchronous read, and `gpuInfo().readback` says so and
 * why. The values are checked against the host's, for every dtype, odd sizes and views. The
 * asynchronous path runs in Chromium (browser-readback.test.ts); here its order of calls and its
 * errors are checked against a scripted WebGL2 context.
 */
import * as vane from '@vane/tensor';
import { describe, expect, it } from 'vitest';
import { asynchronousReadbackCount, gpuInfo } from '../src/index.js';
import { readbackSupport, readStorageAsync } from '../src/readback.js';
import { gpuReady } from './gpu-availability.js';

describe('readbackSupport', () => {
  it('picks the fence path only for a context with WebGL2 sync objects and pack buffers', () => {
    const webgl1 = { readPixels: () => undefined };
    expect(readbackSupport(webgl1).mode).toBe('sync');
    expect(readbackSupport(webgl1).reason).toMatch(/WebGL 1/);
    expect(readbackSupport(undefined)).toEqual({ mode: 'sync', reason: expect.stringMatching(/no GL context/) });
    const webgl2 = {
      ...webgl1,
      PIXEL_PACK_BUFFER: 0x88eb,
      fenceSync: () => ({}),
      clientWaitSync: () => 0,
      getBufferSubData: () => undefined,
    };
    expect(readbackSupport(webgl2).mode).toBe('async-fence');
  });
});

// The fence statuses the scripted context answers with (its own constants).
const TIMEOUT_EXPIRED = 12;
const WAIT_FAILED = 13;
const ALREADY_SIGNALED = 14;

/**
 * A scripted WebGL2 context: records every call, answers the fence with `statuses` in turn, and
 * fills the pack buffer with texel t's red channel = t + 0.5 (the other channels −1).
 */
function scriptedContext(statuses: readonly number[], readFormat: 'RED' | 'RGBA', lost = false) {
  const calls: string[] = [];
  const constants = {
    PIXEL_PACK_BUFFER: 1,
    STREAM_READ: 2,
    FRAMEBUFFER: 3,
    COLOR_ATTACHMENT0: 4,
    TEXTURE_2D: 5,
    RGBA: 6,
    RED: 7,
    FLOAT: 8,
    IMPLEMENTATION_COLOR_READ_FORMAT: 9,
    IMPLEMENTATION_COLOR_READ_TYPE: 10,
    SYNC_GPU_COMMANDS_COMPLETE: 11,
    TIMEOUT_EXPIRED,
    WAIT_FAILED,
    ALREADY_SIGNALED,
  };
  let statusIndex = 0;
  let format = 0;
  const context = {
    ...constants,
    createBuffer: () => (calls.push('createBuffer'), { buffer: true }),
    bindBuffer: (_: number, buffer: unknown) => calls.push(buffer ? 'bindBuffer' : 'unbindBuffer'),
    bufferData: (_: number, bytes: number) => calls.push(`bufferData ${bytes}`),
    deleteBuffer: () => calls.push('deleteBuffer'),
    bindFramebuffer: () => calls.push('bindFramebuffer'),
    framebufferTexture2D: () => calls.push('framebufferTexture2D'),
    getParameter: (name: number) =>
      name === constants.IMPLEMENTATION_COLOR_READ_FORMAT
        ? constants[readFormat]
        : name === constants.IMPLEMENTATION_COLOR_READ_TYPE
          ? constants.FLOAT
          : undefined,
    readPixels: (x: number, y: number, width: number, height: number, readAs: number) => {
      format = readAs;
      calls.push(`readPixels ${width}x${height} ${readAs === constants.RED ? 'RED' : 'RGBA'}`);
    },
    fenceSync: () => (calls.push('fenceSync'), { sync: true }),
    flush: () => calls.push('flush'),
    clientWaitSync: () => {
      const status = statuses[Math.min(statusIndex++, statuses.length - 1)]!;
      calls.push(`clientWaitSync ${status}`);
      return status;
    },
    deleteSync: () => calls.push('deleteSync'),
    getBufferSubData: (_: number, __: number, destination: Float32Array) => {
      calls.push('getBufferSubData');
      const channels = format === constants.RED ? 1 : 4;
      for (let index = 0; index < destination.length; index++)
        destination[index] = index % channels === 0 ? index / channels + 0.5 : -1;
    },
    isContextLost: () => lost,
  };
  return { context, calls, constants };
}

/** A storage of `size` values in a `width × height` R32F texture of `context`. */
const scriptedStorage = (context: unknown, size: number, width: number, height: number) => ({
  size,
  texture: {
    type: 'ArrayTexture(1)',
    internalFormat: 0x822e,
    context,
    texture: {},
    size: [width, height] as const,
    framebuffer: () => ({}),
    toArray: () => {
      throw new Error('the synchronous read must not run');
    },
  },
});

describe('readStorageAsync against a scripted WebGL2 context', () => {
  it.each(['RED', 'RGBA'] as const)(
    'issues the read before returning, polls the fence from timer tasks, then copies (%s)',
    async (readFormat) => {
      const { context, calls, constants } = scriptedContext(
        [TIMEOUT_EXPIRED, TIMEOUT_EXPIRED, ALREADY_SIGNALED],
        readFormat,
      );
      // 7 values in a 3-wide texture: 3 rows read, the last one partly.
      const pending = readStorageAsync(scriptedStorage(context, 7, 3, 4));
      const channels = readFormat === 'RED' ? 1 : 4;
      expect(calls).toEqual([
        'bindFramebuffer',
        'framebufferTexture2D',
        'createBuffer',
        'bindBuffer',
        `bufferData ${3 * 3 * channels * 4}`,
        `readPixels 3x3 ${readFormat}`,
        'unbindBuffer',
        'fenceSync',
        'flush',
      ]);
      // Nothing is polled within the task that made the fence.
      await Promise.resolve();
      expect(calls.filter((call) => call.startsWith('clientWaitSync'))).toEqual([]);
      const values = await pending;
      expect(Array.from(values)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
      expect(calls.slice(9)).toEqual([
        `clientWaitSync ${constants.TIMEOUT_EXPIRED}`,
        `clientWaitSync ${constants.TIMEOUT_EXPIRED}`,
        `clientWaitSync ${constants.ALREADY_SIGNALED}`,
        'deleteSync',
        'bindBuffer',
        'getBufferSubData',
        'unbindBuffer',
        'deleteBuffer',
      ]);
    },
  );

  it('rejects, naming gpu.read, when the fence wait fails or the context is lost, and frees the buffer', async () => {
    const failing = scriptedContext([TIMEOUT_EXPIRED, WAIT_FAILED], 'RED');
    await expect(readStorageAsync(scriptedStorage(failing.context, 5, 5, 1))).rejects.toThrow(
      /gpu\.read: waiting on the fence of a 5-value read failed/,
    );
    expect(failing.calls.slice(-2)).toEqual(['deleteSync', 'deleteBuffer']);
    const lost = scriptedContext([TIMEOUT_EXPIRED], 'RED', true);
    await expect(readStorageAsync(scriptedStorage(lost.context, 5, 5, 1))).rejects.toThrow(
      /gpu\.read: the WebGL context was lost while reading 5 values back/,
    );
    expect(lost.calls).not.toContain('getBufferSubData');
  });
});

describe.runIf(gpuReady)('readback on headless-gl', () => {
  it('reports the synchronous fallback and why', () => {
    const info = gpuInfo();
    expect(info.kernelClass).toBe('HeadlessGLKernel');
    expect(info.readback.mode).toBe('sync');
    expect(info.readback.reason).toMatch(/WebGL 1 \(headless-gl in Node\) has no fence sync objects/);
  });

  it('await data() returns the host values for float32, int32, bool, odd sizes and views', async () => {
    const readsBefore = asynchronousReadbackCount();
    const floats = Float32Array.from({ length: 1001 }, (_, index) => Math.sin(index * 1.7) * 1000);
    floats[0] = NaN;
    floats[7] = Infinity;
    floats[14] = -0;
    const integers = Int32Array.from({ length: 999 }, (_, index) => ((index * 7919) % 20001) - 10000);
    const bools = Uint8Array.from({ length: 513 }, (_, index) => (index % 3 === 0 ? 1 : 0));
    const matrix = Float32Array.from({ length: 37 * 53 }, (_, index) => index * 0.25 - 100);
    const transposed: number[] = [];
    for (let column = 0; column < 53; column++)
      for (let row = 0; row < 37; row++) transposed.push(matrix[row * 53 + column]!);
    const cases: [vane.Tensor, ArrayLike<number>][] = [
      [vane.tensor(floats, { backend: 'gpu' }), floats],
      [vane.tensor(floats.subarray(0, 3), { backend: 'gpu' }), floats.subarray(0, 3)],
      [vane.tensor(integers, { dtype: 'int32', backend: 'gpu' }), integers],
      [vane.tensor(bools, { dtype: 'bool', backend: 'gpu' }), bools],
      [vane.transpose(vane.tensor(matrix, { shape: [37, 53], backend: 'gpu' })), transposed],
    ];
    for (const [x, expected] of cases) {
      const values = await x.data();
      expect(values.length).toBe(expected.length);
      for (let index = 0; index < expected.length; index++)
        expect(Object.is(values[index], expected[index])).toBe(true);
      expect(values.constructor).toBe(x.dataSync().constructor);
      x.dispose();
    }
    expect(asynchronousReadbackCount()).toBe(readsBefore);
  });
});
