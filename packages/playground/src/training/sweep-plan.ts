/**
 * The learning-rate sweep of the Sweep tab: AdamW against active(AdamW) on the digits MLP over
 * a grid of learning rates, and the per-point summary the page plots.
 */
import { DEFAULT_RUN_CONFIGURATION, type RunConfiguration } from './run-configuration.js';

/** The learning rates swept: half-decades from 1e-4 to 0.3. */
export const SWEEP_LEARNING_RATES: readonly number[] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1];

/** The two optimizers compared. */
export const SWEEP_OPTIMIZERS = ['adamw', 'active(adamw)'] as const;

/**
 * Every run of a sweep, the learning rates interleaved so that the plot fills in across the
 * whole axis rather than from the left.
 *
 * @example
 * sweepPlan({ epochs: 5, seeds: 1 }).length; // 16
 */
export function sweepPlan(options: { epochs: number; seeds: number }): RunConfiguration[] {
  const order = [...SWEEP_LEARNING_RATES.keys()].sort((a, b) => (a % 2) - (b % 2) || a - b);
  const runs: RunConfiguration[] = [];
  for (let seed = 0; seed < options.seeds; seed++) {
    for (const index of order) {
      for (const optimizer of SWEEP_OPTIMIZERS)
        runs.push({
          ...DEFAULT_RUN_CONFIGURATION,
          optimizer,
          lr: SWEEP_LEARNING_RATES[index]!,
          epochs: options.epochs,
          seed,
        });
    }
  }
  return runs;
}

/** A finished run of a sweep. */
export interface SweepResult {
  optimizer: string;
  lr: number;
  seed: number;
  /** Final validation accuracy; chance (0.1) for a run whose loss diverged. */
  accuracy: number;
}

/**
 * The mean accuracy of the finished runs of `optimizer` at `lr`, or null when none finished.
 *
 * @example
 * meanAccuracy(results, 'adamw', 1e-3);
 */
export function meanAccuracy(results: readonly SweepResult[], optimizer: string, lr: number): number | null {
  const matching = results.filter((result) => result.optimizer === optimizer && result.lr === lr);
  return matching.length === 0
    ? null
    : matching.reduce((total, result) => total + result.accuracy, 0) / matching.length;
}
