/**
 * PLACEHOLDER (to be written): gather, scatterAdd, concat and pad of the `webgpu` backend.
 */
import type { DType, Shape, TensorView } from '@vane/tensor';
import type { WebGpuStorage } from './webgpu-storage.js';

/** Values of `x` at `index` along `axis`. */
export function gather(x: TensorView, axis: number, index: TensorView): WebGpuStorage {
  throw new Error(`webgpu.gather: not written yet (${x.shape}, ${axis}, ${index.shape})`);
}

/** `target` with `source` added at `index` along `axis`. */
export function scatterAdd(target: TensorView, axis: number, index: TensorView, source: TensorView): WebGpuStorage {
  throw new Error(`webgpu.scatterAdd: not written yet (${target.shape}, ${axis}, ${index.shape}, ${source.shape})`);
}

/** `inputs` joined along `axis`. */
export function concat(inputs: readonly TensorView[], axis: number, outShape: Shape, outDtype: DType): WebGpuStorage {
  throw new Error(`webgpu.concat: not written yet (${inputs.length}, ${axis}, ${outShape}, ${outDtype})`);
}

/** `x` padded with `value`. */
export function pad(
  x: TensorView,
  pads: readonly (readonly [number, number])[],
  value: number,
  outDtype: DType,
): WebGpuStorage {
  throw new Error(`webgpu.pad: not written yet (${x.shape}, ${pads}, ${value}, ${outDtype})`);
}
