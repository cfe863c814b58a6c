import type { Schedule } from './schedule.js';
import { requireFinite, requireOptions, requirePositiveInteger, requireStep } from './validation.js';

/** Options of {@link sgdr}. */
export interface SgdrOptions {
  /** Value at the start of every period (PyTorch's base lr). */
  init: number;
  /** Length of the first period in steps (PyTorch's `T_0`); a positive integer. */
  period: number;
  /** Each period is this many times longer than the previous (PyTorch's `T_mult`, default 1); a positive integer. */
  periodMultiplier?: number;
  /** Value approached at the end of every period (PyTorch's `eta_min`, default 0). */
  minLr?: number;
}

const SGDR_KEYS = ['init', 'period', 'periodMultiplier', 'minLr'] as const;

/**
 * Cosine annealing with warm restarts (SGDR), matching PyTorch's `CosineAnnealingWarmRestarts`
 * stepped once per update.
 *
 * Math: periods have lengths T_i = period · periodMultiplier^i and start at the cumulative sums
 * S_i = T_0 + … + T_{i−1}. For the period i with S_i ≤ t < S_i + T_i, let τ = t − S_i; then
 * η(t) = minLr + (init − minLr) · ½ · (1 + cos(π · τ / T_i)).
 * The value jumps back to `init` at every restart t = S_i and never reaches `minLr` exactly.
 *
 * Reference: Loshchilov & Hutter, 2017, "SGDR: Stochastic Gradient Descent with Warm Restarts";
 * torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (PyTorch 1.13).
 *
 * @example
 * const schedule = sgdr({ init: 0.1, period: 10, periodMultiplier: 2 });
 * schedule(5); // 0.05 (up to rounding), half-way through the first period
 * schedule(10); // 0.1, first restart
 * schedule(30); // 0.1, second restart after a period of 20 steps
 */
export function sgdr(options: SgdrOptions): Schedule {
  const owner = 'sgdr';
  requireOptions(owner, options, SGDR_KEYS);
  const init = requireFinite(owner, 'init', options.init);
  const period = requirePositiveInteger(owner, 'period', options.period);
  const periodMultiplier = requirePositiveInteger(owner, 'periodMultiplier', options.periodMultiplier ?? 1);
  const minLr = requireFinite(owner, 'minLr', options.minLr ?? 0);
  return (step) => {
    requireStep(owner, step);
    let periodStart = 0;
    let periodLength = period;
    if (periodMultiplier === 1) {
      periodStart = step - (step % period);
    } else {
      // Integer arithmetic instead of torch's log-based closed form (used only for explicit
      // epochs), so restarts land exactly on integer steps; the loop runs O(log step) times.
      while (step >= periodStart + periodLength) {
        periodStart += periodLength;
        periodLength *= periodMultiplier;
      }
    }
    const position = step - periodStart;
    return minLr + ((init - minLr) * (1 + Math.cos((Math.PI * position) / periodLength))) / 2;
  };
}
