import { defineKernel, expression as e } from '@vane/tensor';
import { finalKernelProducer } from '../combinators/final-kernel-producer.js';
import type { FinalKernel, GradientTransformation, TensorTree } from '../transform.js';
import { checkStructure, zerosTree } from '../tree-utilities.js';
import { checkBetas, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link scaleByAdamax}. */
export interface ScaleByAdamaxOptions {
  /** (β₁, β₂) in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε > 0 inside the maximum (default 1e-8). */
  eps?: number;
}

/** State of {@link scaleByAdamax}. */
export interface ScaleByAdamaxState {
  count: number;
  /** m: moving average of the gradients. */
  firstMoment: TensorTree;
  /** u: exponentially weighted infinity norm of the gradients. */
  infinityNorm: TensorTree;
}

/**
 * Adamax's two state updates over (m, u, g), one kernel each with the same signature, so that
 * both run in one pass with the direction (`FreshInputs`): m′ = β₁·m + (1 − β₁)·g (the
 * expression of `MOVING_AVERAGE`) and u′ = max(β₂·u, |g| + ε).
 */
const STATE_SIGNATURE = { inputs: ['m', 'u', 'g'], scalars: ['beta1', 'beta2', 'eps'] } as const;
const FIRST_MOMENT = defineKernel('optim.adamax.firstMoment', STATE_SIGNATURE, ({ m, g, beta1 }) =>
  e.add(e.mul(beta1, m), e.mul(e.sub(1, beta1), g)),
);
const INFINITY_NORM = defineKernel('optim.adamax.infinityNorm', STATE_SIGNATURE, ({ u, g, beta2, eps }) => {
  const decayed = e.mul(beta2, u);
  const current = e.add(e.abs(g), eps);
  return e.select(e.greater(decayed, current), decayed, current);
});

const ADAMAX_DIRECTION = defineKernel(
  'optim.adamax.direction',
  { inputs: ['m', 'u'], scalars: ['correction'] },
  ({ m, u, correction }) => e.div(e.mul(m, correction), u),
);

/**
 * Adamax: Adam with the infinity norm in place of the second moment.
 *
 * Update (t from 1): m_t = β₁·m_{t−1} + (1 − β₁)·g; u_t = max(β₂·u_{t−1}, |g| + ε);
 * out = (m_t / (1 − β₁ᵗ)) / u_t. ε sits inside the maximum, as in PyTorch.
 *
 * @param options - `betas` ([0.9, 0.999]), `eps` (1e-8).
 * @example
 * const tx = chain(scaleByAdamax(), scaleByLearningRate(2e-3));
 * @see Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), section 7.1.
 */
export function scaleByAdamax(options: ScaleByAdamaxOptions = {}): GradientTransformation<ScaleByAdamaxState> {
  const owner = 'scaleByAdamax';
  checkOptionKeys(owner, options, ['betas', 'eps']);
  const [beta1, beta2] = checkBetas(owner, options.betas ?? [0.9, 0.999]);
  const eps = checkPositive(owner, 'eps', options.eps ?? 1e-8);
  return finalKernelProducer(
    (params) => ({ count: 0, firstMoment: zerosTree(params), infinityNorm: zerosTree(params) }),
    (updates, state): FinalKernel<ScaleByAdamaxState> => {
      checkStructure('scaleByAdamax.update', state.firstMoment, updates, ['state.firstMoment', 'updates']);
      const count = state.count + 1;
      const correction = 1 / (1 - beta1 ** count);
      // m and u are fresh inputs: both and the direction in one pass where it runs as one.
      return {
        owner,
        kernel: ADAMAX_DIRECTION,
        fresh: {
          kernels: [FIRST_MOMENT, INFINITY_NORM],
          sources: [state.firstMoment, state.infinityNorm, updates],
          scalars: [beta1, beta2, eps],
          selected: [{ output: 0 }, { output: 1 }],
          state: ([firstMoment, infinityNorm]) => ({ count, firstMoment: firstMoment!, infinityNorm: infinityNorm! }),
        },
        scalars: [correction],
        roundsOutput: true,
      };
    },
  );
}
