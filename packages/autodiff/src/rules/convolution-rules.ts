/**
 * Gradient rules of conv2d, of its adjoint (the transposed convolution) and of its weight
 * gradient.
 */
import { conv2dInputGradient, conv2dWeightGradient } from '@vane/tensor';
import { convolveWithWindow } from '../convolution-gradients.js';
import type { GradientRule } from '../gradient-rule.js';

type ConvolutionName = 'conv2d' | 'conv2dTransposeInput' | 'conv2dWeightGradient';

/** Rules of conv2d, conv2dTransposeInput and conv2dWeightGradient (convTranspose2d, conv1d and bias build on them). */
export const convolutionRules: { readonly [K in ConvolutionName]: GradientRule<K> } = {
  conv2d: ({ inputs: [x, weight], outputGradient: g, attributes: { window, groups }, needsGradient }) => [
    needsGradient[0] ? conv2dInputGradient(g, weight!, window, groups, x!.shape[2]!, x!.shape[3]!) : null,
    needsGradient[1] ? conv2dWeightGradient(x!, g, window, groups) : null,
  ],
  // out = Aᵀ(dy; w), the adjoint of conv2d. With G = ∂L/∂out: ∂L/∂dy = conv2d(G, w) and
  // ∂L/∂w = W(G, dy), the conv2d weight gradient with G in the input's place.
  conv2dTransposeInput: ({
    inputs: [dy, weight],
    outputGradient: g,
    attributes: { window, groups },
    needsGradient,
  }) => [
    needsGradient[0] ? convolveWithWindow(g, weight!, window, groups) : null,
    needsGradient[1] ? conv2dWeightGradient(g, dy!, window, groups) : null,
  ],
  // out = W(x, dy) = Σₙ dy ⋆ x is bilinear in (x, dy): with G = ∂L/∂out,
  // ⟨G, W(x, dy)⟩ = ⟨conv2d(x, G), dy⟩ = ⟨x, Aᵀ(dy; G)⟩, which gives both gradients.
  conv2dWeightGradient: ({ inputs: [x, dy], outputGradient: g, attributes: { window, groups }, needsGradient }) => [
    needsGradient[0] ? conv2dInputGradient(dy!, g, window, groups, x!.shape[2]!, x!.shape[3]!) : null,
    needsGradient[1] ? convolveWithWindow(x!, g, window, groups) : null,
  ],
};
