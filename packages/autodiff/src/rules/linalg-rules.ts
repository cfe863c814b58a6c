/**
 * Gradient rules of matmul, the convolutions and pooling.
 */
import { conv2dInputGradient, div, full, matmul, ones, reshape, scatterAdd, transpose, zeros, type Tensor } from '@vane/tensor';
import { convolveWithWindow, weightGradient } from '../convolution-gradients';
import type { GradientRule } from '../gradient-rule';

type LinalgName = 'matmul' | 'conv2d' | 'conv2dTransposeInput' | 'maxPool2d' | 'avgPool2d';

const swapLastAxes = (x: Tensor) => transpose(x, -1, -2);

/** Rules of matmul, convolutions and pooling. */
export const linalgRules: { readonly [K in LinalgName]: GradientRule<K> } = {
  // C = AB: dA = dC Bᵀ, dB = Aᵀ dC. matmul records its batch-expanded operands, so the shapes
  // match exactly here and the expand rule sums broadcast batch axes afterwards.
  matmul: ({ inputs: [a, b], outputGradient: g, needsGradient }) => [
    needsGradient[0] ? matmul(g, swapLastAxes(b!)) : null,
    needsGradient[1] ? matmul(swapLastAxes(a!), g) : null,
  ],
  conv2d: ({ inputs: [x, weight], outputGradient: g, attributes: { window, groups }, needsGradient }) => [
    needsGradient[0] ? conv2dInputGradient(g, weight!, window, groups, x!.shape[2]!, x!.shape[3]!) : null,
    needsGradient[1] ? weightGradient(x!, g, window, groups) : null,
  ],
  // out = Aᵀ(dy; w), the adjoint of conv2d. With G = ∂L/∂out: ∂L/∂dy = conv2d(G, w) and
  // ∂L/∂w = W(G, dy), the conv2d weight gradient with G in the input's place.
  conv2dTransposeInput: ({ inputs: [dy, weight], outputGradient: g, attributes: { window, groups }, needsGradient }) => [
    needsGradient[0] ? convolveWithWindow(g, weight!, window, groups) : null,
    needsGradient[1] ? weightGradient(g, dy!, window, groups) : null,
  ],
  // Each output came from one input element (the recorded index within its plane): add the
  // output gradient back there.
  maxPool2d: ({ inputs: [x], outputGradient: g, attributes: { indices }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const [batch, channels, height, width] = x!.shape as [number, number, number, number];
    const outputs = g.shape[2]! * g.shape[3]!;
    const planes = zeros([batch, channels, height * width], { dtype: g.dtype, backend: g.backend.name });
    const spread = scatterAdd(planes, 2, reshape(indices, [batch, channels, outputs]), reshape(g, [batch, channels, outputs]));
    return [reshape(spread, x!.shape)];
  },
  // Average pooling is a depthwise convolution with a constant kernel, divided per output by
  // the window size (or, without countIncludePad, by the number of real elements in it); its
  // adjoint is the transposed convolution with the same kernel.
  avgPool2d: ({ inputs: [x], outputGradient: g, attributes: { window, countIncludePad }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const [, channels, height, width] = x!.shape as [number, number, number, number];
    const options = { dtype: g.dtype, backend: g.backend.name };
    const kernel = [window.kernelHeight, window.kernelWidth];
    const divisor = countIncludePad
      ? full([], window.kernelHeight * window.kernelWidth, options)
      : convolveWithWindow(ones([1, 1, height, width], options), ones([1, 1, ...kernel], options), window, 1);
    const scaled = div(g, divisor);
    return [conv2dInputGradient(scaled, ones([channels, 1, ...kernel], options), window, channels, height, width)];
  },
};
