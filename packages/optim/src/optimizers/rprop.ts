import { namedChain } from '../combinators/named-chain.js';
import { withInputChecks } from '../input-checks.js';
import { maximizeStage } from '../maximize-stage.js';
import { scale } from '../transforms/scale.js';
import { checkEtas, checkStepSizes, scaleByRprop } from '../transforms/scale-by-rprop.js';
import { checkBoolean, checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link rprop} (PyTorch's names and defaults). */
export interface RpropOptions {
  /** The initial step size η₀ > 0 (default 1e-2). Rprop has no other learning rate. */
  lr?: number;
  /** (η⁻, η⁺) with 0 < η⁻ < 1 < η⁺ (default [0.5, 1.2]). */
  etas?: readonly [number, number];
  /** (Δ_min, Δ_max) (default [1e-6, 50]). */
  stepSizes?: readonly [number, number];
  /** Ascend the objective: the gradient is negated before everything else, weight decay included (PyTorch's `maximize`; default false). */
  maximize?: boolean;
}

/**
 * Rprop, step for step as PyTorch's `torch.optim.Rprop`.
 *
 * Update: a = g_t·g_{t−1}; Δ_t = clamp(Δ_{t−1}·(η⁺ | η⁻ | 1 as a > 0 | a < 0 | a = 0), Δ_min, Δ_max);
 * g_t ← 0 where a < 0; θ ← θ − sign(g_t)·Δ_t. Δ₀ = η₀.
 *
 * Chain: (`maximize: scale(−1)` when `maximize`) → `rprop: scaleByRprop` → `flipSign: scale(−1)`.
 *
 * @param options - `lr` (1e-2), `etas` ([0.5, 1.2]), `stepSizes` ([1e-6, 50]), `maximize` (false).
 * @example
 * const optimizer = rprop({ lr: 0.01, etas: [0.5, 1.2] });
 * @see Riedmiller & Braun, "A Direct Adaptive Method for Faster Backpropagation Learning: The RPROP Algorithm" (ICNN 1993).
 */
export function rprop(options: RpropOptions = {}) {
  const owner = 'rprop';
  checkOptionKeys(owner, options, ['lr', 'etas', 'stepSizes', 'maximize']);
  const maximize = checkBoolean(owner, 'maximize', options.maximize ?? false);
  const lr = checkPositive(owner, 'lr', options.lr ?? 1e-2);
  const etas = checkEtas(owner, 'etas', options.etas ?? [0.5, 1.2]);
  const stepSizes = checkStepSizes(owner, 'stepSizes', options.stepSizes ?? [1e-6, 50]);
  return withInputChecks(
    owner,
    namedChain({
      ...maximizeStage(maximize),
      rprop: scaleByRprop({ learningRate: lr, etas, stepSizes }),
      flipSign: scale(-1),
    }),
  );
}
