/**
 * Gradient rules of conv2d and of its adjoint, the transposed convolution.
 */
import { conv2dInputGradient } from '@vane/tensor';
import { convolveWithWindow, weightGradient } from '../convolution-gradients';
import type { GradientRule } from '../gradient-rule';

type ConvolutionName = 'conv2d' | 'conv2dTransposeInput';

/** Rules of conv2d and conv2dTransposeInput (convTranspose2d, conv1d and bias build on them). */
export const convolutionRules: { readonly [K in ConvolutionName]: GradientRule<K> } = {
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
};
