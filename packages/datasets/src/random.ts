/**
 * Seeded random streams for the dataset generators, built on the generator of `@vane/tensor`.
 *
 * Generators and the {@link DataLoader} often need several independent streams derived from
 * one user seed (one per epoch, one for the teacher weights and one for the inputs, ...).
 * {@link mixSeed} derives such a stream seed by hashing the user seed together with stream
 * indices, so neighbouring seeds or epochs do not produce visibly correlated sequences.
 *
 * @module
 */
import { seed as createGenerator } from '@vane/tensor';

/**
 * The part of `@vane/tensor`'s `RandomGenerator` that this package uses.
 *
 * Declared structurally so that any generator with these three methods can drive the
 * dataset functions (e.g. a counting stub in tests).
 */
export interface RandomSource {
  /** A double uniformly distributed in [0, 1). */
  uniform(): number;
  /** A standard normal sample (mean 0, variance 1). */
  normal(): number;
  /** An integer uniformly distributed in [0, maxExclusive). */
  integer(maxExclusive: number): number;
}

/**
 * Hashes a seed and any number of stream indices into one unsigned 32-bit seed.
 *
 * Each part is folded in with the 32-bit finaliser of MurmurHash3 (xor-shift / multiply
 * rounds), which has full avalanche: flipping one input bit flips each output bit with
 * probability ≈ 1/2, so `mixSeed(s, 0)` and `mixSeed(s, 1)` are unrelated.
 *
 * @example
 * const epochSeed = mixSeed(42, epoch); // a different, reproducible seed per epoch
 *
 * Source: A. Appleby, MurmurHash3 `fmix32` (public domain).
 */
export function mixSeed(seedValue: number, ...streams: number[]): number {
  // Split into two 32-bit halves so seeds above 2^32 still influence the result.
  let hash = finalize32((seedValue >>> 0) ^ 0x9e3779b9);
  hash = finalize32(hash ^ (Math.floor(seedValue / 0x100000000) >>> 0));
  for (const stream of streams) {
    hash = finalize32((hash + 0x9e3779b9 + (stream >>> 0)) >>> 0);
    hash = finalize32(hash ^ (Math.floor(stream / 0x100000000) >>> 0));
  }
  return hash;
}

function finalize32(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * Creates a `@vane/tensor` random generator for the stream `(seedValue, ...streams)`.
 *
 * @example
 * const random = createRandom(7, 1); // stream 1 of seed 7
 * random.normal();
 */
export function createRandom(seedValue: number, ...streams: number[]): RandomSource {
  return createGenerator(mixSeed(seedValue, ...streams));
}

/**
 * Shuffles `values` in place with the Fisher–Yates algorithm and returns it.
 *
 * Every permutation is equally likely provided `random.integer(k)` is uniform on [0, k).
 *
 * @example
 * shuffleInPlace(Int32Array.from([0, 1, 2, 3]), createRandom(1));
 *
 * Source: R. A. Fisher, F. Yates (1938); D. E. Knuth, TAOCP vol. 2, Algorithm 3.4.2P.
 */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(
  values: T,
  random: RandomSource,
): T {
  for (let index = values.length - 1; index > 0; index -= 1) {
    const other = random.integer(index + 1);
    const held = values[index];
    values[index] = values[other];
    values[other] = held;
  }
  return values;
}
