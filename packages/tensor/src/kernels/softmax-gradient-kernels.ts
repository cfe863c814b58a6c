/**
 * The fused kernels of softmax's and logSoftmax's closed-form gradients, shared by the tensor op
 * (ops/softmax.ts, which runs them after a row sum) and the CPU backend's one-call form
 * (cpu/softmax-rows.ts through `softmaxGradientRows`), so that both evaluate the same expression.
 */
import * as e from './expression/builder.js';
import { defineKernel } from './expression/define-kernel.js';

/** softmax's closed-form gradient: y ⊙ (g − s) with s = Σ g⊙y along the axis. */
export const SOFTMAX_GRADIENT = defineKernel('softmaxGradient', { inputs: ['g', 'y', 's'] }, ({ g, y, s }) =>
  e.mul(y, e.sub(g, s)),
);

/** logSoftmax's closed-form gradient: g − e^y · s with s = Σ g along the axis. */
export const LOG_SOFTMAX_GRADIENT = defineKernel('logSoftmaxGradient', { inputs: ['g', 'y', 's'] }, ({ g, y, s }) =>
  e.sub(g, e.mul(e.exp(y), s)),
);
