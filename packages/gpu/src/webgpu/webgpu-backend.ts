/**
 * The `webgpu` backend: every primitive of the tensor core as a WGSL compute shader on a
 * WebGPU device, written directly against the WebGPU API.
 *
 * Why not through gpu.js, as the `gpu` backend is: gpu.js 2.24's WebGPU kernels build
 * asynchronously on their first call and return every result in a promise, while the tensor
 * core calls its backend synchronously. WebGPU itself is synchronous for everything but
 * finding a device and mapping a buffer for reading: so the device is found once by
 * {@link initWebGpu}, kernels are dispatched as ops are called, and only reading values back is
 * asynchronous (`await tensor.data()`; `dataSync`/`item` throw, naming the fix).
 *
 * @example
 * import { initWebGpu } from '@vane/gpu';
 * import { setBackend, tensor } from '@vane/tensor';
 * const found = await initWebGpu();
 * if (found.available) setBackend('webgpu');
 * const y = tensor([1, 2, 3]).mul(2);
 * await y.data(); // Float32Array [2, 4, 6]
 */
import { checkOptionKeys, listBackends, registerBackend, setBackend, type Backend } from '@vane/tensor';
import { conv2d, conv2dTransposeInput, conv2dWeightGradient, pool2d } from './webgpu-convolution.js';
import { acquireWebGpu, type WebGpuAdapterInfo } from './webgpu-device.js';
import { copyView, where } from './webgpu-elementwise.js';
import { lazyBinary, lazyElementwise, lazyUnary } from './webgpu-fusion.js';
import { concat, gather, pad, scatterAdd } from './webgpu-indexing.js';
import { matmul } from './webgpu-matmul.js';
import { argReduce, cumulative, reduce } from './webgpu-reduction.js';
import { softmaxGradientRows, softmaxRows } from './webgpu-softmax-rows.js';
import { readStorage, releaseStorage, uploadStorage, type WebGpuStorage } from './webgpu-storage.js';

/** The name the backend registers under. */
export const WEBGPU_BACKEND_NAME = 'webgpu';

/**
 * Creates the `webgpu` backend object. Its primitives need the device that {@link initWebGpu}
 * finds; called before that, they throw, saying so.
 */
export function createWebGpuBackend(): Backend {
  return {
    name: WEBGPU_BACKEND_NAME,
    supportsSyncRead: false,
    upload: uploadStorage,
    read: (data, dtype, size) => readStorage(data as WebGpuStorage, dtype, size),
    readSync() {
      throw new Error(
        'webgpu.readSync: WebGPU reads values back only asynchronously; use `await tensor.data()`, or ' +
          "`await tensor.toAsync('cpu')` to move a tensor (dataSync, item, toArray and to() cannot run on the webgpu backend)",
      );
    },
    release: (data) => releaseStorage(data as WebGpuStorage),
    copy: copyView,
    // Float32 results are pending values, fused into the elementwise ops that read them
    // (webgpu-fusion.ts); `release` drops a pending value that never ran.
    unary: lazyUnary,
    binary: lazyBinary,
    where,
    fused: (kernel, inputs, scalars, outDtype) =>
      lazyElementwise(`fused.${kernel.name}`, kernel, inputs, scalars, outDtype),
    softmaxRows,
    softmaxGradientRows,
    reduce,
    argReduce,
    cumulative,
    matmul,
    conv2d,
    conv2dTransposeInput,
    conv2dWeightGradient,
    pool2d,
    gather,
    scatterAdd,
    concat,
    pad,
  };
}

/**
 * Looks for a WebGPU device and, where one is found, registers the `webgpu` backend (it does
 * not select it: call `setBackend('webgpu')`, or use {@link selectGpuBackend}). Resolves with
 * what was found, never rejects; later calls return the same answer.
 *
 * In a browser the device comes from `navigator.gpu` (a secure context: https or localhost;
 * headless Chromium also needs `--enable-unsafe-webgpu`); in Node from the `webgpu` package
 * (Dawn), which loads on glibc ≥ 2.38 systems.
 *
 * @example
 * const found = await initWebGpu();
 * console.log(found.available ? found.adapter : found.reason);
 */
export async function initWebGpu(): Promise<WebGpuAdapterInfo> {
  const info = await acquireWebGpu();
  if (info.available && !listBackends().includes(WEBGPU_BACKEND_NAME)) registerBackend(createWebGpuBackend());
  return info;
}

/** Options of {@link selectGpuBackend}. */
export interface SelectGpuOptions {
  /**
   * Select `webgpu` even when its adapter is a software fallback (SwiftShader in a browser
   * without a usable GPU). Off by default: on SwiftShader the gpu.js WebGL2 path measured faster
   * (docs/gpu.md, "The webgpu backend").
   */
  readonly acceptFallbackAdapter?: boolean;
}

/**
 * Selects the best GPU backend this host has: `webgpu` where {@link initWebGpu} finds a device
 * on a hardware adapter, else the gpu.js backend `gpu` (WebGL2 in browsers, headless-gl in
 * Node). Resolves with the name it selected; `gpuInfo().webGPU` says what was found.
 *
 * A software fallback adapter (SwiftShader) is passed over unless `acceptFallbackAdapter` is
 * set: on it, an MLP training step measured about 2.6× slower on `webgpu` than on `gpu`.
 *
 * @example
 * const backend = await selectGpuBackend(); // 'webgpu' in Chrome on a GPU, 'gpu' under headless-gl
 */
export async function selectGpuBackend(options: SelectGpuOptions = {}): Promise<'webgpu' | 'gpu'> {
  checkOptionKeys('selectGpuBackend', options, ['acceptFallbackAdapter']);
  const info = await initWebGpu();
  const chosen =
    info.available && (!info.isFallbackAdapter || options.acceptFallbackAdapter === true) ? 'webgpu' : 'gpu';
  setBackend(chosen);
  return chosen;
}
