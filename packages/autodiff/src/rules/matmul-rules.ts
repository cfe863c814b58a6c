/**
 * Gradient rule of matmul.
 */
import { matmul, transpose, type Tensor } from '@vane/tensor';
import type { GradientRule } from '../gradient-rule.js';

const swapLastAxes = (x: Tensor) => transpose(x, -1, -2);

/** The rule of matmul (batched, with broadcast batch axes). */
export const matmulRules: { readonly matmul: GradientRule<'matmul'> } = {
  // C = AB: dA = dC Bᵀ, dB = Aᵀ dC. matmul records its batch-expanded operands, so the shapes
  // match exactly here and the expand rule sums broadcast batch axes afterwards.
  matmul: ({ inputs: [a, b], outputGradient: g, needsGradient }) => [
    needsGradient[0] ? matmul(g, swapLastAxes(b!)) : null,
    needsGradient[1] ? matmul(swapLastAxes(a!), g) : null,
  ],
};
