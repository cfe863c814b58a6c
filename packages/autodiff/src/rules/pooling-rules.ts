/**
 * Gradient rules of max and average pooling.
 */
import { conv2dInputGradient, div, full, ones, reshape, scatterAdd, zeros } from '@vane/tensor';
import { convolveWithWindow } from '../convolution-gradients.js';
import type { GradientRule } from '../gradient-rule.js';

type PoolingName = 'maxPool2d' | 'avgPool2d';

/** Rules of maxPool2d and avgPool2d. */
export const poolingRules: { readonly [K in PoolingName]: GradientRule<K> } = {
  // Each output came from one input element (the recorded index within its plane): add the
  // output gradient back there.
  maxPool2d: ({ inputs: [x], outputGradient: g, attributes: { indices }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    const [batch, channels, height, width] = x!.shape as [number, number, number, number];
    const outputs = g.shape[2]! * g.shape[3]!;
    const planes = zeros([batch, channels, height * width], { dtype: g.dtype, backend: g.backend.name });
    const spread = scatterAdd(
      planes,
      2,
      reshape(indices, [batch, channels, outputs]),
      reshape(g, [batch, channels, outputs]),
    );
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
