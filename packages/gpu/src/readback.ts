/**
 * Reading a storage's values back to the host, synchronously (`dataSync`) or asynchronously
 * (`await data()`).
 *
 * A storage is a gpu.js pipeline texture of one float32 value per texel (in the red channel:
 * R32F textures on WebGL2, RGBA float on headless-gl's WebGL 1), row after row, `size` values in
 * row-major order from texel (0, 0). gpu.js reads one with `toArray()`: a blocking `readPixels`
 * (RGBA, four floats per texel) that waits for every queued draw.
 *
 * On WebGL2 the asynchronous read does not block: `readPixels` into a PIXEL_PACK_BUFFER is
 * queued like a draw, a fence is queued after it, and the fence is polled from timer tasks
 * until the device signals it; then `getBufferSubData` is a plain copy. Where the
 * implementation reads the texture's format as RED, one float per texel travels, not four.
 * WebGL2 lets a fence signal only between tasks, which is why the poll is a timer and not a
 * loop. The main thread runs other work meanwhile. (Browsers throttle timers in hidden tabs, to
 * one a second or less often: there a read settles that late.) Where there are no fences
 * (headless-gl is WebGL 1, gpu.js's fallbacks have no GL context) the read is the synchronous
 * one; {@link readbackSupport} says which path a context gets, and `gpuInfo().readback`
 * reports it for the device.
 */
import { countReadback } from './gpu-stats.js';
import type { GpuStorage } from './storage.js';

let asynchronousReads = 0;

/**
 * Reads since the process started that waited on a fence instead of blocking (`await data()`
 * on WebGL2); `gpuStats().readbacks` counts them too. Always 0 on headless-gl.
 *
 * @example
 * await x.data(); asynchronousReadbackCount() // 1 in a browser with WebGL2, 0 in Node
 */
export function asynchronousReadbackCount(): number {
  return asynchronousReads;
}

/** Which read path `await tensor.data()` takes on the gpu backend, and why. */
export interface ReadbackInfo {
  /**
   * `async-fence`: a pixel-pack-buffer read polled through a fence (WebGL2); the main thread
   * stays free until the values arrive. `sync`: the blocking read, wrapped in a promise.
   */
  readonly mode: 'async-fence' | 'sync';
  /** Why this mode, in words. */
  readonly reason: string;
}

/** The WebGL2 calls the asynchronous read uses (a subset of WebGL2RenderingContext). */
interface FenceContext {
  readonly PIXEL_PACK_BUFFER: number;
  readonly STREAM_READ: number;
  readonly FRAMEBUFFER: number;
  readonly COLOR_ATTACHMENT0: number;
  readonly TEXTURE_2D: number;
  readonly RGBA: number;
  readonly RED: number;
  readonly FLOAT: number;
  readonly IMPLEMENTATION_COLOR_READ_FORMAT: number;
  readonly IMPLEMENTATION_COLOR_READ_TYPE: number;
  readonly SYNC_GPU_COMMANDS_COMPLETE: number;
  readonly TIMEOUT_EXPIRED: number;
  readonly WAIT_FAILED: number;
  createBuffer(): unknown;
  bindBuffer(target: number, buffer: unknown): void;
  bufferData(target: number, size: number, usage: number): void;
  deleteBuffer(buffer: unknown): void;
  bindFramebuffer(target: number, framebuffer: unknown): void;
  framebufferTexture2D(target: number, attachment: number, textarget: number, texture: unknown, level: number): void;
  readPixels(x: number, y: number, width: number, height: number, format: number, type: number, offset: number): void;
  fenceSync(condition: number, flags: number): unknown;
  clientWaitSync(sync: unknown, flags: number, timeout: number): number;
  deleteSync(sync: unknown): void;
  flush(): void;
  getBufferSubData(target: number, offset: number, destination: Float32Array): void;
  getParameter(name: number): unknown;
  isContextLost?(): boolean;
}

/** The parts of a gpu.js float texture the read uses. */
interface FloatTexture {
  readonly type: string;
  readonly internalFormat: number;
  readonly context: unknown;
  readonly texture: unknown;
  readonly size: readonly [number, number];
  framebuffer(): unknown;
  toArray(): ArrayLike<number>;
}

const hasFences = (context: unknown): context is FenceContext => {
  const gl = context as Partial<FenceContext> | undefined;
  return (
    typeof gl?.fenceSync === 'function' &&
    typeof gl.clientWaitSync === 'function' &&
    typeof gl.getBufferSubData === 'function' &&
    typeof gl.PIXEL_PACK_BUFFER === 'number'
  );
};

/** Which read path textures of a gpu.js kernel whose GL context is `context` get. */
export function readbackSupport(context: unknown): ReadbackInfo {
  if (hasFences(context))
    return { mode: 'async-fence', reason: 'WebGL2: readPixels into a pixel pack buffer, polled through a fence' };
  if (
    context === undefined ||
    context === null ||
    typeof (context as { readPixels?: unknown }).readPixels !== 'function'
  )
    return { mode: 'sync', reason: 'no GL context (a gpu.js fallback kernel): the values are read synchronously' };
  return {
    mode: 'sync',
    reason:
      'WebGL 1 (headless-gl in Node) has no fence sync objects or pixel pack buffers, so the read blocks until the device is done',
  };
}

// Per context, per internal format of the texture read.
const channelsRead = new WeakMap<object, Map<number, 1 | 4>>();

/**
 * Floats per texel the read transfers: 1 where the implementation reads the bound texture's
 * format as RED/FLOAT (gpu.js's single-precision WebGL2 storages are R32F, and Chromium's ANGLE
 * reads those as RED), 4 (RGBA/FLOAT, which WebGL2 always accepts) otherwise. Asked once per
 * context and texture format, with the texture's framebuffer bound: the query may wait for the
 * device, on the first read only.
 */
function readChannels(gl: FenceContext, internalFormat: number): 1 | 4 {
  let formats = channelsRead.get(gl);
  if (formats === undefined) channelsRead.set(gl, (formats = new Map()));
  let channels = formats.get(internalFormat);
  if (channels === undefined) {
    const tight =
      gl.getParameter(gl.IMPLEMENTATION_COLOR_READ_FORMAT) === gl.RED &&
      gl.getParameter(gl.IMPLEMENTATION_COLOR_READ_TYPE) === gl.FLOAT;
    channels = tight ? 1 : 4;
    formats.set(internalFormat, channels);
  }
  return channels;
}

/**
 * Floats per texel the asynchronous reads on `context` transferred, per texture format
 * (1: RED, 4: RGBA); empty before the first one.
 */
export function readbackChannels(context: unknown): ReadonlyMap<number, 1 | 4> {
  return (typeof context === 'object' && context !== null && channelsRead.get(context)) || new Map();
}

/** The first `storage.size` values of a storage, read synchronously. */
export function readStorageSync(storage: GpuStorage): Float32Array {
  if (storage.size === 0) return new Float32Array(0);
  countReadback();
  const texture = storage.texture;
  const values = typeof texture?.toArray === 'function' ? texture.toArray() : texture;
  return values instanceof Float32Array
    ? values.subarray(0, storage.size)
    : Float32Array.from(values as ArrayLike<number>).subarray(0, storage.size);
}

/**
 * The first `storage.size` values of a storage. On WebGL2 the read is queued behind the
 * device's pending work and the promise settles when a fence after it signals; elsewhere this
 * is {@link readStorageSync}. The read is issued before this returns, so disposing the tensor
 * while the promise is pending does not change what it reads.
 */
export function readStorageAsync(storage: GpuStorage): Promise<Float32Array> {
  if (storage.size === 0) return Promise.resolve(new Float32Array(0));
  // Runs a pending elementwise chain first, as the synchronous read does.
  const texture = storage.texture as FloatTexture | undefined;
  const gl = texture?.context;
  // Only one-value-per-texel textures (the backend's storages) are read texel by texel here;
  // anything else keeps gpu.js's own conversion in the synchronous read.
  if (!hasFences(gl) || typeof texture?.framebuffer !== 'function' || texture.type !== 'ArrayTexture(1)') {
    try {
      return Promise.resolve(readStorageSync(storage));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  countReadback();
  asynchronousReads++;
  const size = storage.size;
  const width = texture.size[0];
  gl.bindFramebuffer(gl.FRAMEBUFFER, texture.framebuffer());
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture.texture, 0);
  const channels = readChannels(gl, texture.internalFormat);
  // Only the rows that hold the storage's values.
  const rows = Math.ceil(size / width);
  const texels = new Float32Array(width * rows * channels);
  const buffer = gl.createBuffer();
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
  gl.bufferData(gl.PIXEL_PACK_BUFFER, texels.byteLength, gl.STREAM_READ);
  gl.readPixels(0, 0, width, rows, channels === 1 ? gl.RED : gl.RGBA, gl.FLOAT, 0);
  // gpu.js's own (synchronous) reads pass an array to readPixels, which a bound pack buffer forbids.
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
  // A fence is only queued; without a flush the driver may never submit it, and the poll would wait forever.
  gl.flush();
  return new Promise<Float32Array>((resolve, reject) => {
    const finish = (error?: Error) => {
      gl.deleteSync(sync);
      if (error === undefined) {
        gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buffer);
        gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, texels);
        gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      }
      gl.deleteBuffer(buffer);
      if (error !== undefined) {
        reject(error);
        return;
      }
      if (channels === 1) {
        resolve(texels.length === size ? texels : texels.slice(0, size));
        return;
      }
      const values = new Float32Array(size);
      for (let index = 0; index < size; index++) values[index] = texels[index * 4]!;
      resolve(values);
    };
    const poll = () => {
      if (gl.isContextLost?.()) {
        finish(new Error(`gpu.read: the WebGL context was lost while reading ${size} values back`));
        return;
      }
      const status = gl.clientWaitSync(sync, 0, 0);
      if (status === gl.WAIT_FAILED) finish(new Error(`gpu.read: waiting on the fence of a ${size}-value read failed`));
      else if (status === gl.TIMEOUT_EXPIRED) setTimeout(poll, 0);
      else finish();
    };
    // The first check is a task later too: a WebGL2 fence cannot signal within the task that made it.
    setTimeout(poll, 0);
  });
}
