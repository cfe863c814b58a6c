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
import { createGpuBackend } from './gpu-backend';

export { createGpuBackend } from './gpu-backend';
export { gpuTextureCount, type GpuStorage } from './storage';
export { gpuStats, resetGpuStats, type GpuStats } from './gpu-stats';
export {
  configureGpu,
  gpuInfo,
  isGpuAvailable,
  gpuUnavailableReason,
  kernelClassOf,
  isGraphicsClass,
  type GpuInfo,
  type GpuOptions,
  type GpuKernelClass,
} from './gpu-device';
export { functionSource } from './function-source';
export { gpuExpressionFunction } from './expression-source';

// Registering twice (two copies of the module in one bundle) would replace the live backend.
if (!listBackends().includes('gpu')) registerBackend(createGpuBackend());
