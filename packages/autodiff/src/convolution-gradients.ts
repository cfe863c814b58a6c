/**
 * The piece of convolution gradients that the tensor core has no op for: a convolution with a
 * given window. The conv2d, conv2dTransposeInput and conv2dWeightGradient rules (and the
 * average-pool rule) are built from it and from recorded ops, so every convolution gradient is
 * again recorded Tensor code, and second derivatives (`grad(grad(f))`, Hessian-vector
 * products) flow through conv2d and convTranspose2d.
 */
import { conv2d, slice, type Tensor, type Window2d } from '@vane/tensor';

/**
 * conv2d of `x` with `weight` over exactly `window` (its stride, padding, dilation and output
 * size). Used for the adjoint of a transposed convolution, whose input can carry
 * `outputPadding` rows/columns that the window's output size leaves out.
 */
export function convolveWithWindow(x: Tensor, weight: Tensor, window: Window2d, groups: number): Tensor {
  const out = conv2d(x, weight, {
    stride: [window.strideHeight, window.strideWidth],
    padding: [window.padTop, window.padBottom, window.padLeft, window.padRight],
    dilation: [window.dilationHeight, window.dilationWidth],
    groups,
  });
  if (out.shape[2] === window.outputHeight && out.shape[3] === window.outputWidth) return out;
  return slice(out, [null, null, { stop: window.outputHeight }, { stop: window.outputWidth }]);
}
