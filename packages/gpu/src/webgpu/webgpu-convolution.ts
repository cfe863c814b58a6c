/**
 * PLACEHOLDER (to be written): convolutions and pooling of the `webgpu` backend.
 */
import type { DType, TensorView, Window2d } from '@vane/tensor';
import type { WebGpuStorage } from './webgpu-storage.js';

/** 2-D convolution (NCHW input, [out, in/groups, kh, kw] weight). */
export function conv2d(
  x: TensorView,
  weight: TensorView,
  window: Window2d,
  groups: number,
  outDtype: DType,
): WebGpuStorage {
  throw new Error(`webgpu.conv2d: not written yet (${x.shape}, ${weight.shape}, ${window}, ${groups}, ${outDtype})`);
}

/** The gradient of conv2d with respect to its input. */
export function conv2dTransposeInput(
  dy: TensorView,
  weight: TensorView,
  window: Window2d,
  groups: number,
  inputHeight: number,
  inputWidth: number,
  outDtype: DType,
): WebGpuStorage {
  throw new Error(
    `webgpu.conv2dTransposeInput: not written yet (${dy.shape}, ${weight.shape}, ${window}, ${groups}, ${inputHeight}, ${inputWidth}, ${outDtype})`,
  );
}

/** The gradient of conv2d with respect to its weight. */
export function conv2dWeightGradient(
  x: TensorView,
  dy: TensorView,
  window: Window2d,
  groups: number,
  outDtype: DType,
): WebGpuStorage {
  throw new Error(
    `webgpu.conv2dWeightGradient: not written yet (${x.shape}, ${dy.shape}, ${window}, ${groups}, ${outDtype})`,
  );
}

/** Max or average pooling; max pooling also returns the int32 flat position of each maximum. */
export function pool2d(
  kind: 'max' | 'avg',
  x: TensorView,
  window: Window2d,
  countIncludePad: boolean,
): { values: WebGpuStorage; indices?: WebGpuStorage } {
  throw new Error(`webgpu.pool2d: not written yet (${kind}, ${x.shape}, ${window}, ${countIncludePad})`);
}
