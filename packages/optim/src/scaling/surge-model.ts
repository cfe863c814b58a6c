/**
 * Surge's quadratic model of sign-like (Adam-style) descent (Li et al. 2024, §3): the exact
 * optimal learning rate of a sign step on a local quadratic with Gaussian per-example gradients,
 * and the B_noise and ε_max it implies for the Surge law.
 */
import { vaneErf } from '@vane/tensor';
import { checkPositive, failOption } from '../validation.js';

/**
 * A local quadratic model: per-coordinate per-example gradients ~ N(μᵢ, σᵢ²), independent
 * across coordinates, and the Hessian H (symmetric).
 */
export interface SignDescentProblem {
  /** μ: the true gradient, one entry per coordinate. */
  mean: readonly number[];
  /** σ > 0: the per-example gradient standard deviations. */
  std: readonly number[];
  /** H: the Hessian, a symmetric d×d matrix. */
  hessian: readonly (readonly number[])[];
}

/** Options of {@link signDescentOptimalLearningRate}. */
export interface SignDescentOptions {
  /** Use Eq. 10's closed-form 𝓔ᵢ instead of the exact erf (default false). */
  approximate?: boolean;
}

function checkProblem(owner: string, problem: SignDescentProblem): number {
  if (problem === null || typeof problem !== 'object')
    failOption(owner, 'problem', 'an object { mean, std, hessian }', problem);
  const { mean, std, hessian } = problem;
  if (!Array.isArray(mean) || mean.length === 0) failOption(owner, 'mean', 'a non-empty array of numbers', mean);
  const size = mean.length;
  if (!Array.isArray(std) || std.length !== size) failOption(owner, 'std', `an array of ${size} numbers`, std);
  std.forEach((value, index) => checkPositive(owner, `std[${index}]`, value));
  mean.forEach((value, index) => {
    if (typeof value !== 'number' || !Number.isFinite(value))
      failOption(owner, `mean[${index}]`, 'a finite number', value);
  });
  if (
    !Array.isArray(hessian) ||
    hessian.length !== size ||
    hessian.some((row) => !Array.isArray(row) || row.length !== size)
  ) {
    failOption(owner, 'hessian', `a ${size}×${size} array of arrays`, hessian);
  }
  return size;
}

/**
 * The optimal learning rate of one sign step, θ ← θ − ε·sign(G_est), on the quadratic model at
 * batch size B (Surge Theorem 2, Eq. 9):
 *
 *   ε_opt(B) = Σᵢ 𝓔ᵢμᵢ / (Σᵢ (1 − 𝓔ᵢ²)Hᵢᵢ + Σᵢⱼ 𝓔ᵢ𝓔ⱼHᵢⱼ),  𝓔ᵢ = erf(√(B/2)·μᵢ/σᵢ)
 *
 * (Lemma 1's ε = GᵀE[V]/(tr(H·cov V) + E[V]ᵀHE[V]) with V = sign(G_est)). With `approximate`,
 * 𝓔ᵢ ≈ (μᵢ/σᵢ)/√(π/(2B) + (μᵢ/σᵢ)²) (Eq. 10).
 *
 * @param problem - `{ mean, std, hessian }`.
 * @param batchSize - B > 0.
 * @param options - `approximate` (false).
 * @example
 * signDescentOptimalLearningRate({ mean: [0.1], std: [1], hessian: [[2]] }, 16); // 𝓔·μ/((1 − 𝓔²)H + 𝓔²H) = 𝓔·0.1/2
 * @see Li et al., "Surge Phenomenon in Optimal Learning Rate and Batch Size Scaling" (arXiv 2405.14578), Lemma 1, Theorem 2.
 */
export function signDescentOptimalLearningRate(
  problem: SignDescentProblem,
  batchSize: number,
  options: SignDescentOptions = {},
): number {
  const owner = 'signDescentOptimalLearningRate';
  const size = checkProblem(owner, problem);
  checkPositive(owner, 'batchSize', batchSize);
  const expectation = problem.mean.map((mu, index) => {
    const ratio = mu / problem.std[index]!;
    return options.approximate
      ? ratio / Math.sqrt(Math.PI / (2 * batchSize) + ratio * ratio)
      : vaneErf(Math.sqrt(batchSize / 2) * ratio);
  });
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < size; i++) {
    numerator += expectation[i]! * problem.mean[i]!;
    denominator += (1 - expectation[i]! ** 2) * problem.hessian[i]![i]!;
    for (let j = 0; j < size; j++) denominator += expectation[i]! * expectation[j]! * problem.hessian[i]![j]!;
  }
  return numerator / denominator;
}

/**
 * B_noise and ε_max of the Surge law for the quadratic model (Surge Eq. 14 and 16), valid for
 * B ≪ πσᵢ²/(2μᵢ²):
 *
 * - B_noise = π Σᵢ Hᵢᵢ / (2 Σ_{i≠j} (μᵢμⱼ/(σᵢσⱼ)) Hᵢⱼ)
 * - ε_max = √(B_noise/(2π)) · Σᵢ(μᵢ²/σᵢ) / Σᵢ Hᵢᵢ
 *
 * so that `optimalLearningRate({ kind: 'adam', batchSize, bNoise, epsMax })` is the small-batch
 * form of {@link signDescentOptimalLearningRate}. B_noise is infinite (no peak) when the
 * off-diagonal sum is ≤ 0.
 *
 * @param problem - `{ mean, std, hessian }`.
 * @returns `{ bNoise, epsMax }`.
 * @example
 * surgeNoiseScale({ mean: [0.1, 0.1], std: [1, 1], hessian: [[1, 0.5], [0.5, 1]] }); // bNoise = π·2/(2·(0.005 + 0.005)) = 100π
 * @see Li et al., "Surge Phenomenon in Optimal Learning Rate and Batch Size Scaling" (arXiv 2405.14578), Theorem 3.
 */
export function surgeNoiseScale(problem: SignDescentProblem): { bNoise: number; epsMax: number } {
  const owner = 'surgeNoiseScale';
  const size = checkProblem(owner, problem);
  let trace = 0;
  let offDiagonal = 0;
  let signal = 0;
  for (let i = 0; i < size; i++) {
    trace += problem.hessian[i]![i]!;
    signal += problem.mean[i]! ** 2 / problem.std[i]!;
    for (let j = 0; j < size; j++) {
      if (i !== j)
        offDiagonal +=
          ((problem.mean[i]! * problem.mean[j]!) / (problem.std[i]! * problem.std[j]!)) * problem.hessian[i]![j]!;
    }
  }
  const bNoise = offDiagonal > 0 ? (Math.PI * trace) / (2 * offDiagonal) : Number.POSITIVE_INFINITY;
  return { bNoise, epsMax: (Math.sqrt(bNoise / (2 * Math.PI)) * signal) / trace };
}
