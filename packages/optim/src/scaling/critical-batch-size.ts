/**
 * Kaplan et al.'s power law for the critical batch size as a function of the loss, a cheap
 * stand-in for B_noise (Surge §3.2 suggests it) once the law's constants fit the task.
 */
import { checkOptionKeys, checkPositive } from '../validation.js';

/** Options of {@link criticalBatchSize}. */
export interface CriticalBatchSizeOptions {
  /** L > 0: the loss reached, in nats (Kaplan's per-token cross-entropy). */
  loss: number;
  /** B_* > 0: the critical batch size at L = 1 (default 2e8 tokens, Kaplan et al.'s fit). */
  bStar?: number;
  /** α_B > 0: the exponent (default 0.21, Kaplan et al.'s fit). */
  alphaB?: number;
}

/**
 * The critical batch size at loss L: B_crit(L) = B_* / L^(1/α_B) (Kaplan et al. 2020, §1.2 and §5.1;
 * fitted on WebText2 language models: B_* ≈ 2·10⁸ tokens, α_B ≈ 0.21). It grows as the loss
 * falls (halving L multiplies it by 2^(1/0.21) ≈ 27). The defaults are Kaplan's constants, in
 * tokens and for their loss; other tasks need their own B_* and α_B.
 *
 * @param options - `loss`, `bStar` (2e8), `alphaB` (0.21).
 * @returns B_crit, in the unit of `bStar` (tokens by default).
 * @example
 * criticalBatchSize({ loss: 2 }); // 2e8 / 2^(1/0.21) ≈ 7.37e6 tokens
 * @see Kaplan et al., "Scaling Laws for Neural Language Models" (arXiv 2001.08361);
 *   Li et al., "Surge Phenomenon in Optimal Learning Rate and Batch Size Scaling" (arXiv 2405.14578), §3.2.
 */
export function criticalBatchSize(options: CriticalBatchSizeOptions): number {
  const owner = 'criticalBatchSize';
  checkOptionKeys(owner, options, ['loss', 'bStar', 'alphaB']);
  const loss = checkPositive(owner, 'loss', options.loss);
  const bStar = checkPositive(owner, 'bStar', options.bStar ?? 2e8);
  const alphaB = checkPositive(owner, 'alphaB', options.alphaB ?? 0.21);
  return bStar / Math.pow(loss, 1 / alphaB);
}
