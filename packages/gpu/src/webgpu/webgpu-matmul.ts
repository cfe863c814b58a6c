/**
 * PLACEHOLDER (to be written): the matrix product of the `webgpu` backend.
 */
import type { DType, TensorView } from '@vane/tensor';
import type { WebGpuStorage } from './webgpu-storage.js';

/** The (batched) product of `a` [..., m, k] and `b` [..., k, n], batch axes already broadcast. */
export function matmul(a: TensorView, b: TensorView, outDtype: DType): WebGpuStorage {
  throw new Error(`webgpu.matmul: not written yet (${a.shape}, ${b.shape}, ${outDtype})`);
}
