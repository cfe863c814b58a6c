/**
 * Gradient rules of softmax and logSoftmax, in their closed forms (the tensor core records
 * each as one op rather than as its stabilised primitives).
 *
 * Each is a sum along the axis and an elementwise expression of (g, y, that sum broadcast).
 * When nothing records the backward pass (first-order gradients, the common case) the tensor
 * core's `softmaxGradient` / `logSoftmaxGradient` compute it: the sum, then one fused kernel
 * over the three operands (on the CPU, for small float32 rows, in one call without the
 * intermediate tensors: the MLP step's [128, 10] logSoftmax gradient 24 → 18 µs, one thread,
 * load 5; most of what remains is the kernel's float64 exp). The fused pass
 * replaced three or four elementwise ops whose broadcast operand ([batch, 1]) took the slow
 * strided path (a softmax cross-entropy's backward over [128, 10]: 135 µs → 48 µs, load 12).
 * While recording (higher-order gradients) the rule is written with tensor ops instead, so that
 * the gradient can be differentiated again.
 */
import { exp, isRecording, logSoftmaxGradient, mul, softmaxGradient, sub, sum } from '@vane/tensor';
import type { GradientRule } from '../gradient-rule.js';

type SoftmaxName = 'softmax' | 'logSoftmax';

/** Rules of softmax and logSoftmax. */
export const softmaxRules: { readonly [K in SoftmaxName]: GradientRule<K> } = {
  // J = diag(y) − y yᵀ, so Jᵀg = y ⊙ (g − Σ g⊙y).
  softmax: ({ output: y, outputGradient: g, attributes: { axis }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    if (!isRecording()) return [softmaxGradient(g, y, axis)];
    const s = sum(mul(g, y), axis, true);
    return [mul(y, sub(g, s))];
  },
  // y = x − logsumexp(x), so Jᵀg = g − softmax(x)·Σg = g − e^y Σg.
  logSoftmax: ({ output: y, outputGradient: g, attributes: { axis }, needsGradient }) => {
    if (!needsGradient[0]) return [null];
    if (!isRecording()) return [logSoftmaxGradient(g, y, axis)];
    const s = sum(g, axis, true);
    return [sub(g, mul(exp(y), s))];
  },
};
