import type { Dataset } from '../dataset.js';
import { createRandom } from '../random.js';
import { requireInteger, requireNonNegative, requireSeed, requireOptions } from '../validation.js';

/** Options of {@link twoSpirals}. */
export interface TwoSpiralsOptions {
  /** Number of points (classes alternate, so class 0 gets `⌈count/2⌉`). */
  count: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (0 for exact spirals). */
  noise: number;
  /** How many full turns each arm makes between radius 0 and 1. Default 1.5. */
  turns?: number;
  /** Seed of the random stream; the same options always give the same points. */
  seed: number;
}

/** A two-spirals classification problem: 2-D points and their arm (0 or 1). */
export interface TwoSpirals extends Dataset {
  inputs: Float32Array;
  targets: Int32Array;
  /** Number of classes: 2. */
  classes: number;
}

/**
 * Generates the two-spirals problem: two interleaved Archimedean spiral arms in the plane.
 *
 * Example `i` belongs to class `c = i mod 2`. With `t ~ U[0, 1)` its point is
 * `r·(cos θ, sin θ) + noise·(ε₁, ε₂)` where `r = t`, `θ = 2π·turns·t + π·c` and
 * `εₖ ~ N(0, 1)`: arm 1 is arm 0 rotated by half a turn, so neighbouring windings of the two
 * classes are `1/(2·turns)` apart radially. The problem is not linearly separable and is a
 * classic test of a small MLP's capacity.
 *
 * @example
 * const spirals = twoSpirals({ count: 400, noise: 0.05, seed: 1 });
 * spirals.inputShape; // [2]
 * spirals.targets[0]; // 0, then 1, 0, 1, ...
 *
 * Source: K. J. Lang, M. J. Witbrock, "Learning to Tell Two Spirals Apart", Proceedings of
 * the 1988 Connectionist Models Summer School.
 */
export function twoSpirals(options: TwoSpiralsOptions): TwoSpirals {
  requireOptions('twoSpirals', options, ['count', 'noise', 'turns', 'seed']);
  const count = requireInteger('twoSpirals', 'count', options.count);
  const noise = requireNonNegative('twoSpirals', 'noise', options.noise);
  const turns = requireNonNegative('twoSpirals', 'turns', options.turns ?? 1.5);
  const seedValue = requireSeed('twoSpirals', 'seed', options.seed);
  const random = createRandom(seedValue);
  const inputs = new Float32Array(count * 2);
  const targets = new Int32Array(count);
  for (let index = 0; index < count; index += 1) {
    const arm = index % 2;
    const t = random.uniform();
    const angle = 2 * Math.PI * turns * t + Math.PI * arm;
    // Draw the noise unconditionally so the positions along the arms do not depend on `noise`.
    const noiseX = random.normal();
    const noiseY = random.normal();
    inputs[2 * index] = t * Math.cos(angle) + noise * noiseX;
    inputs[2 * index + 1] = t * Math.sin(angle) + noise * noiseY;
    targets[index] = arm;
  }
  return { inputs, inputShape: [2], targets, targetShape: [], count, classes: 2 };
}
