import type { Schedule } from './schedule.js';
import {
  failArgument,
  requireChoice,
  requireOptions,
  requirePositive,
  requirePositiveInteger,
  requireStep,
} from './validation.js';

/** Options of {@link oneCycle}. */
export interface OneCycleOptions {
  /** Peak learning rate, reached at the end of the warm-up phase. */
  maxLr: number;
  /** Length of the cycle in steps; a positive integer. Later steps hold the final value. */
  totalSteps: number;
  /** Fraction of `totalSteps` spent increasing (default 0.3); `pctStart · totalSteps` must exceed 1. */
  pctStart?: number;
  /** The cycle starts at `maxLr / divFactor` (default 25). */
  divFactor?: number;
  /** The cycle ends at `maxLr / (divFactor · finalDivFactor)` (default 1e4). */
  finalDivFactor?: number;
  /** Interpolation between the phase endpoints (default 'cos'). */
  annealStrategy?: 'cos' | 'linear';
}

const ONE_CYCLE_KEYS = ['maxLr', 'totalSteps', 'pctStart', 'divFactor', 'finalDivFactor', 'annealStrategy'] as const;
const ANNEAL_STRATEGIES = ['cos', 'linear'] as const;

/**
 * The 1cycle learning-rate policy: up from `maxLr / divFactor` to `maxLr`, then down to
 * `maxLr / (divFactor · finalDivFactor)`, matching PyTorch's `OneCycleLR` learning rate
 * (two phases, `three_phase=False`; momentum cycling is not part of a learning-rate schedule).
 *
 * Math: with a = maxLr / divFactor, m = maxLr, z = a / finalDivFactor, N = totalSteps and
 * the warm-up end e = pctStart · N − 1 (not rounded, as in torch):
 * for t ≤ e, η(t) = anneal(a, m, t / e); for e < t ≤ N − 1, η(t) = anneal(m, z, (t − e) / (N − 1 − e));
 * for t > N − 1, η(t) = z. anneal is either
 * cos: anneal(x, y, p) = y + (x − y) / 2 · (cos(π · p) + 1), or
 * linear: anneal(x, y, p) = (y − x) · p + x.
 *
 * Reference: Smith & Topin, 2019, "Super-Convergence: Very Fast Training of Neural Networks
 * Using Large Learning Rates"; torch.optim.lr_scheduler.OneCycleLR (PyTorch 1.13).
 *
 * @example
 * const schedule = oneCycle({ maxLr: 0.1, totalSteps: 60 });
 * schedule(0); // 0.004 = 0.1 / 25 (up to rounding)
 * schedule(17); // 0.1, end of the warm-up: 0.3 · 60 − 1 = 17
 * schedule(59); // 4e-7 = 0.004 / 1e4 (up to rounding)
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const owner = 'oneCycle';
  requireOptions(owner, options, ONE_CYCLE_KEYS);
  const maxLr = requirePositive(owner, 'maxLr', options.maxLr);
  const totalSteps = requirePositiveInteger(owner, 'totalSteps', options.totalSteps);
  const pctStart = requirePositive(owner, 'pctStart', options.pctStart ?? 0.3);
  const divFactor = requirePositive(owner, 'divFactor', options.divFactor ?? 25);
  const finalDivFactor = requirePositive(owner, 'finalDivFactor', options.finalDivFactor ?? 1e4);
  const annealStrategy = requireChoice(owner, 'annealStrategy', options.annealStrategy ?? 'cos', ANNEAL_STRATEGIES);
  const warmupEnd = pctStart * totalSteps - 1;
  const lastStep = totalSteps - 1;
  // torch divides by the phase lengths e and N − 1 − e; a zero or negative length there is a
  // division by zero or a cycle that starts half-way down, so reject it up front.
  if (!(warmupEnd > 0 && warmupEnd < lastStep)) {
    failArgument(
      owner,
      'pctStart',
      `greater than 1 / totalSteps (${1 / totalSteps}) and less than 1, so both phases have positive length`,
      pctStart,
    );
  }
  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  const anneal = annealStrategy === 'cos' ? annealCosine : annealLinear;
  return (step) => {
    requireStep(owner, step);
    if (step <= warmupEnd) return anneal(initialLr, maxLr, step / warmupEnd);
    const position = Math.min(step, lastStep);
    return anneal(maxLr, minLr, (position - warmupEnd) / (lastStep - warmupEnd));
  };
}

/** Cosine interpolation from `start` (fraction 0) to `end` (fraction 1), as torch writes it. */
function annealCosine(start: number, end: number, fraction: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * fraction) + 1);
}

/** Linear interpolation from `start` (fraction 0) to `end` (fraction 1), as torch writes it. */
function annealLinear(start: number, end: number, fraction: number): number {
  return (end - start) * fraction + start;
}
