/**
 * McCandlish et al.'s trade-off between the optimizer steps and the training examples needed to
 * reach a fixed loss: the predictions at one batch size, given the fitted B_noise and S_min or
 * E_min (see {@link fitBNoise}).
 */
import { checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link predictedSteps}. */
export interface PredictedStepsOptions {
  /** B > 0, in the unit the loss is averaged over. */
  batchSize: number;
  /** B_noise > 0 (≈ B_crit = E_min/S_min), in the same unit. */
  bNoise: number;
  /** S_min > 0: the steps needed with an infinitely large batch. */
  sMin: number;
}

/** Options of {@link predictedExamples}. */
export interface PredictedExamplesOptions {
  /** B > 0, in the unit the loss is averaged over. */
  batchSize: number;
  /** B_noise > 0 (≈ B_crit = E_min/S_min), in the same unit. */
  bNoise: number;
  /** E_min > 0: the examples needed with a batch of one (B → 0), in the same unit as B. */
  eMin: number;
}

/**
 * The optimizer steps needed to reach the target loss at batch size B, each batch size at its
 * own optimal learning rate: S = S_min·(1 + B_noise/B) (McCandlish et al. 2018, Eq. 2.11 solved
 * for S; Surge Eq. 20). At B = B_noise it is 2·S_min; for B ≫ B_noise it tends to S_min.
 *
 * @param options - `batchSize`, `bNoise`, `sMin`.
 * @returns S, in steps.
 * @example
 * predictedSteps({ batchSize: 500, bNoise: 500, sMin: 1000 }); // 2000
 * @see McCandlish, Kaplan, Amodei, "An Empirical Model of Large-Batch Training" (arXiv 1812.06162), §2.3.
 */
export function predictedSteps(options: PredictedStepsOptions): number {
  const owner = 'predictedSteps';
  checkOptionKeys(owner, options, ['batchSize', 'bNoise', 'sMin']);
  const batchSize = checkPositive(owner, 'batchSize', options.batchSize);
  const bNoise = checkPositive(owner, 'bNoise', options.bNoise);
  const sMin = checkPositive(owner, 'sMin', options.sMin);
  return sMin * (1 + bNoise / batchSize);
}

/**
 * The training examples needed to reach the target loss at batch size B, each batch size at
 * its own optimal learning rate: E = E_min·(1 + B/B_noise) (McCandlish et al. 2018, Eq. 2.11
 * solved for E). At B = B_noise it is 2·E_min; for B ≪ B_noise it tends to E_min. With
 * E_min = B_noise·S_min it equals B·S of {@link predictedSteps}.
 *
 * @param options - `batchSize`, `bNoise`, `eMin`.
 * @returns E, in the unit of B.
 * @example
 * predictedExamples({ batchSize: 500, bNoise: 500, eMin: 5e5 }); // 1e6
 * @see McCandlish, Kaplan, Amodei, "An Empirical Model of Large-Batch Training" (arXiv 1812.06162), §2.3.
 */
export function predictedExamples(options: PredictedExamplesOptions): number {
  const owner = 'predictedExamples';
  checkOptionKeys(owner, options, ['batchSize', 'bNoise', 'eMin']);
  const batchSize = checkPositive(owner, 'batchSize', options.batchSize);
  const bNoise = checkPositive(owner, 'bNoise', options.bNoise);
  const eMin = checkPositive(owner, 'eMin', options.eMin);
  return eMin * (1 + batchSize / bNoise);
}
