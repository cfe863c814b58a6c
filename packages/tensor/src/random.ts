/**
 * Seeded, reproducible random numbers.
 *
 * The generator is xoshiro128** (Blackman & Vigna, 2018) seeded through splitmix32, using only
 * 32-bit integer arithmetic (`Math.imul`, shifts), so the same seed gives the same stream on
 * every JavaScript engine. Random tensors are always drawn here, on the host, and uploaded, so
 * every backend sees identical numbers.
 */

/** A seeded stream of random numbers. */
export interface RandomGenerator {
  /** A double uniformly distributed in [0, 1), with 53 random bits. */
  uniform(): number;
  /** A standard normal sample (Box–Muller). */
  normal(): number;
  /** An integer uniformly distributed in [0, maxExclusive). */
  integer(maxExclusive: number): number;
  /** The next raw 32-bit unsigned output. */
  nextUint32(): number;
  /** The complete state, as plain numbers (for checkpoints). */
  state(): number[];
  /** Restores a state captured by {@link RandomGenerator.state}. */
  setState(state: readonly number[]): void;
  /** An independent generator derived from this one's next outputs. */
  split(): RandomGenerator;
}

function splitmix32(seedValue: number): () => number {
  let state = seedValue >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements RandomGenerator {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seedValue: number, high = 0) {
    const mix = splitmix32((seedValue ^ Math.imul(high, 0x27d4eb2d)) >>> 0);
    this.s0 = mix();
    this.s1 = mix();
    this.s2 = mix();
    this.s3 = mix();
    // An all-zero state would stay zero forever.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    // 1 - uniform() is in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  integer(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) {
      throw new Error(`RandomGenerator.integer: 'maxExclusive' must be a positive integer, got ${maxExclusive}`);
    }
    return Math.floor(this.uniform() * maxExclusive);
  }

  state(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.spareNormal ?? Number.NaN];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 5 || state.slice(0, 4).some((word) => !Number.isInteger(word))) {
      throw new Error(
        `RandomGenerator.setState: 'state' must be 4 integers and a spare normal, got [${state.join(',')}]`,
      );
    }
    [this.s0, this.s1, this.s2, this.s3] = state.slice(0, 4).map((word) => word | 0) as [
      number,
      number,
      number,
      number,
    ];
    this.spareNormal = Number.isNaN(state[4]) ? undefined : state[4];
  }

  split(): RandomGenerator {
    return new Xoshiro128(this.nextUint32(), this.nextUint32());
  }
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/**
 * A new generator seeded with an integer.
 *
 * @example
 * const rng = seed(42);
 * const x = randn([2, 3], { generator: rng });
 */
export function seed(value: number): RandomGenerator {
  if (!Number.isFinite(value) || !Number.isInteger(value)) {
    throw new Error(`seed: 'value' must be a finite integer, got ${value}`);
  }
  // Seeds beyond 32 bits keep their high part instead of being silently truncated.
  const high = Math.floor(value / 4294967296);
  return new Xoshiro128(value >>> 0, high >>> 0);
}

let globalGenerator: RandomGenerator = seed(0);

/** Reseeds the generator used when a random function gets no `generator` option. */
export function manualSeed(value: number): void {
  globalGenerator = seed(value);
}

/** The generator used when a random function gets no `generator` option. */
export function defaultGenerator(): RandomGenerator {
  return globalGenerator;
}
