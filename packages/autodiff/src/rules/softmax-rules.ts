/**
 * Gradient rules of softmax and logSoftmax, in their closed forms (the tensor core records
 * each as one op rather than as its stabilised primitives).
 */
import { exp, mul, sub, sum } from '@vane/tensor';
import type { GradientRule } from '../gradient-rule.js';

type SoftmaxName = 'softmax' | 'logSoftmax';

/** Rules of softmax and logSoftmax. */
export const softmaxRules: { readonly [K in SoftmaxName]: GradientRule<K> } = {
  // J = diag(y) − y yᵀ, so Jᵀg = y ⊙ (g − Σ g⊙y).
  softmax: ({ output: y, outputGradient: g, attributes: { axis }, needsGradient }) => [
    needsGradient[0] ? mul(y, sub(g, sum(mul(g, y), axis, true))) : null,
  ],
  // y = x − logsumexp(x), so Jᵀg = g − softmax(x)·Σg = g − e^y Σg.
  logSoftmax: ({ output: y, outputGradient: g, attributes: { axis }, needsGradient }) => [
    needsGradient[0] ? sub(g, mul(exp(y), sum(g, axis, true))) : null,
  ],
};
