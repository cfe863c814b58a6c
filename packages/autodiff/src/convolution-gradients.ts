/**
 * The pieces of convolution gradients that the tensor core does not record itself: a
 * convolution with a given window, and a differentiable conv2d weight gradient.
 *
 * With them every convolution gradient is again recorded Tensor code, so second derivatives
 * (`grad(grad(f))`, Hessian-vector products) flow through conv2d and convTranspose2d.
 */
import { conv2d, conv2dInputGradient, conv2dWeightGradient, slice, type Tensor, type Window2d } from '@vane/tensor';
import { recordNode } from './recorder';

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

/**
 * ∂L/∂weight of `y = conv2d(x, weight)` given `dy` = ∂L/∂y: Σₙ dy ⋆ x, recorded so that it
 * can itself be differentiated.
 *
 * It is bilinear in (x, dy): with G the gradient flowing into it,
 * ⟨G, W(x, dy)⟩ = ⟨conv2d(x, G), dy⟩ = ⟨x, conv2dᵀ(dy, G)⟩, which gives both rules.
 */
export function weightGradient(x: Tensor, dy: Tensor, window: Window2d, groups: number): Tensor {
  const out = conv2dWeightGradient(x, dy, window, groups);
  const [inputHeight, inputWidth] = [x.shape[2]!, x.shape[3]!];
  recordNode('conv2dWeightGradient', [x, dy], out, (g, needsGradient) => [
    needsGradient[0] ? conv2dInputGradient(dy, g, window, groups, inputHeight, inputWidth) : null,
    needsGradient[1] ? convolveWithWindow(x, g, window, groups) : null,
  ]);
  return out;
}
