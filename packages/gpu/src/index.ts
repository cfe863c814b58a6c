/**
 * `@vane/gpu`: the gpu.js backend of Vane. Importing this package registers a backend named
 * `gpu` (WebGL2 in browsers, headless-gl in Node); select it with `setBackend('gpu')`, a
 * `{ backend: 'gpu' }` factory option or `tensor.to('gpu')`.
 *
 * @example
 * import '@vane/gpu';
 * import { setBackend, tensor } from '@vane/tensor';
 * setBackend('gpu');
 * const y = tensor([1, 2, 3]).mul(2); // computed in a float32 texture
 * await y.data(); // explicit read back: Float32Array [2, 4, 6]
 */
import { listBackends, registerBackend } from '@vane/tensor';
import { createGpuBackend } from './gpu-backend.js';

export { createGpuBackend } from './gpu-backend.js';
export { gpuTextureCount, type GpuStorage } from './storage.js';
export { gpuConstantCount, SCALAR_CONSTANT_LIMIT } from './scalar-constants.js';
export { gpuStats, resetGpuStats, type GpuStats } from './gpu-stats.js';
export {
  configureGpu,
  gpuInfo,
  isGpuAvailable,
  gpuUnavailableReason,
  kernelClassOf,
  isGraphicsClass,
  type GpuInfo,
  type GpuPath,
  type WebGpuStatus,
  webGpuStatus,
  type GpuOptions,
  type GpuKernelClass,
} from './gpu-device.js';
export { asynchronousReadbackCount, type ReadbackInfo } from './readback.js';
export { eightRowBlocksAvailable, overrideEightRowBlocks, overrideProductBands } from './texel-fetch.js';
export { overrideFlushAfterDispatch } from './kernel-runner.js';
export { functionSource } from './function-source.js';
export { gpuExpressionFunction } from './expression-source.js';
export {
  createWebGpuBackend,
  initWebGpu,
  selectGpuBackend,
  WEBGPU_BACKEND_NAME,
  type SelectGpuOptions,
} from './webgpu/webgpu-backend.js';
export { webGpuAdapterInfo, type WebGpuAdapterInfo } from './webgpu/webgpu-device.js';
export { webGpuBufferCount } from './webgpu/webgpu-storage.js';
export { webGpuDispatchCount } from './webgpu/webgpu-dispatch.js';
export { setWebGpuFusion, webGpuFusionSourceCount } from './webgpu/webgpu-fusion.js';
export {
  overrideMatmulTiling,
  DEFAULT_MATMUL_TILING,
  SOFTWARE_ADAPTER_MATMUL_TILING,
  type MatmulTiling,
} from './webgpu/webgpu-matmul.js';
export { wgslExpressionFunction, wgslNumber } from './webgpu/wgsl-expression.js';

// Registering twice (two copies of the module in one bundle) would replace the live backend.
if (!listBackends().includes('gpu')) registerBackend(createGpuBackend());
