/**
 * PLACEHOLDER (to be written): reductions, arg-reductions and cumulative scans of the `webgpu` backend.
 */
import type { DType, ReductionKind, TensorView } from '@vane/tensor';
import type { WebGpuStorage } from './webgpu-storage.js';

/** Reduces `x` over `axes` (sorted or not) with `kind`, keeping no reduced axes. */
export function reduce(kind: ReductionKind, x: TensorView, axes: readonly number[], outDtype: DType): WebGpuStorage {
  throw new Error(`webgpu.reduce: not written yet (${kind}, ${x.shape}, ${axes}, ${outDtype})`);
}

/** The int32 position of the largest (argmax) or smallest (argmin) value along `axis`. */
export function argReduce(kind: 'argmax' | 'argmin', x: TensorView, axis: number): WebGpuStorage {
  throw new Error(`webgpu.argReduce: not written yet (${kind}, ${x.shape}, ${axis})`);
}

/** Running sums or products along `axis`. */
export function cumulative(kind: 'cumsum' | 'cumprod', x: TensorView, axis: number, outDtype: DType): WebGpuStorage {
  throw new Error(`webgpu.cumulative: not written yet (${kind}, ${x.shape}, ${axis}, ${outDtype})`);
}
