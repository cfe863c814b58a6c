import type { Dataset } from '../dataset.js';
import { createRandom } from '../random.js';
import { describeValue, requireInteger, requireSeed, requireOptions } from '../validation.js';

/** The synthetic sequence problems of {@link sequenceTask}. */
export type SequenceTaskKind = 'copy' | 'sum' | 'parity';

/** Options of {@link sequenceTask}. */
export interface SequenceTaskOptions {
  /** Which problem to generate. */
  kind: SequenceTaskKind;
  /** Length of the sequence to remember, add over, or take the parity of. */
  length: number;
  /** Number of sequences. */
  count: number;
  /** Seed of the random stream. */
  seed: number;
  /** `copy` only: alphabet size. Default 8. */
  symbols?: number;
}

/** Sequences of `steps × features` inputs with their targets. */
export interface SequenceTask extends Dataset {
  inputs: Float32Array;
  /** The kind that was generated. */
  kind: SequenceTaskKind;
  /** Number of time steps per sequence (`inputShape[0]`). */
  steps: number;
  /** Number of output classes for the classification kinds (`copy`, `parity`); absent for `sum`. */
  classes?: number;
}

/**
 * Generates a synthetic sequence task that needs memory, for testing recurrent networks.
 *
 * All inputs are `Float32Array` with `inputShape = [steps, features]`:
 *
 * - `copy` (`steps = 2·length + 1`, `features = symbols + 1`): the first `length` steps show
 *   one-hot symbols drawn uniformly from `symbols`, step `length` raises the delimiter feature
 *   (index `symbols`), and the remaining steps are all zero. Targets are `Int32Array` class
 *   indices of shape `[steps]`: the blank class `symbols` for the first `length + 1` steps, then
 *   the remembered symbols in order. Chance accuracy on the recall steps is `1/symbols`.
 * - `sum` (the "adding problem", `steps = length ≥ 2`, `features = 2`): feature 0 holds values
 *   `~ U[0, 1)`, feature 1 marks exactly two steps, one in each half of the sequence. The target
 *   (`Float32Array`, shape `[1]`) is the sum of the two marked values; always predicting 1 gives
 *   a mean squared error of 1/6 (the variance of a sum of two uniforms).
 * - `parity` (`steps = length`, `features = 1`): bits 0/1 drawn uniformly; the target
 *   (`Int32Array`, shape `[]`) is their sum mod 2 (2 classes).
 *
 * @example
 * const copy = sequenceTask({ kind: 'copy', length: 5, count: 256, seed: 1 });
 * copy.inputShape; // [11, 9]
 * const adding = sequenceTask({ kind: 'sum', length: 50, count: 1000, seed: 2 });
 * adding.targetShape; // [1]
 *
 * Source: the adding problem is experiment 4 of S. Hochreiter, J. Schmidhuber, "Long
 * Short-Term Memory", Neural Computation 9(8) (1997) (with the one-marker-per-half variant of
 * later work); the copy problem follows the copying-memory task of M. Arjovsky, A. Shah,
 * Y. Bengio, "Unitary Evolution Recurrent Neural Networks", ICML 2016, without its waiting
 * period; parity is the classic hard case of M. Minsky, S. Papert, "Perceptrons" (1969).
 */
export function sequenceTask(options: SequenceTaskOptions): SequenceTask {
  requireOptions('sequenceTask', options, ['kind', 'length', 'count', 'seed', 'symbols']);
  const count = requireInteger('sequenceTask', 'count', options.count);
  const seedValue = requireSeed('sequenceTask', 'seed', options.seed);
  const random = createRandom(seedValue);
  switch (options.kind) {
    case 'copy': {
      const length = requireInteger('sequenceTask', 'length', options.length);
      const symbols = requireInteger('sequenceTask', 'symbols', options.symbols ?? 8);
      const steps = 2 * length + 1;
      const features = symbols + 1;
      const inputs = new Float32Array(count * steps * features);
      const targets = new Int32Array(count * steps).fill(symbols);
      for (let example = 0; example < count; example += 1) {
        const inputBase = example * steps * features;
        const targetBase = example * steps;
        for (let step = 0; step < length; step += 1) {
          const symbol = random.integer(symbols);
          inputs[inputBase + step * features + symbol] = 1;
          targets[targetBase + length + 1 + step] = symbol;
        }
        inputs[inputBase + length * features + symbols] = 1;
      }
      return {
        inputs,
        inputShape: [steps, features],
        targets,
        targetShape: [steps],
        count,
        kind: 'copy',
        steps,
        classes: features,
      };
    }
    case 'sum': {
      const length = requireInteger('sequenceTask', 'length', options.length, 2);
      const firstHalf = Math.floor(length / 2);
      const inputs = new Float32Array(count * length * 2);
      const targets = new Float32Array(count);
      for (let example = 0; example < count; example += 1) {
        const base = example * length * 2;
        for (let step = 0; step < length; step += 1) inputs[base + step * 2] = random.uniform();
        const first = random.integer(firstHalf);
        const second = firstHalf + random.integer(length - firstHalf);
        inputs[base + first * 2 + 1] = 1;
        inputs[base + second * 2 + 1] = 1;
        // Sum the stored float32 values so the target is exactly what the network sees.
        targets[example] = inputs[base + first * 2] + inputs[base + second * 2];
      }
      return { inputs, inputShape: [length, 2], targets, targetShape: [1], count, kind: 'sum', steps: length };
    }
    case 'parity': {
      const length = requireInteger('sequenceTask', 'length', options.length);
      const inputs = new Float32Array(count * length);
      const targets = new Int32Array(count);
      for (let example = 0; example < count; example += 1) {
        let parity = 0;
        for (let step = 0; step < length; step += 1) {
          const bit = random.integer(2);
          inputs[example * length + step] = bit;
          parity ^= bit;
        }
        targets[example] = parity;
      }
      return {
        inputs,
        inputShape: [length, 1],
        targets,
        targetShape: [],
        count,
        kind: 'parity',
        steps: length,
        classes: 2,
      };
    }
    default:
      throw new Error(
        `sequenceTask: kind must be 'copy', 'sum' or 'parity', got ${describeValue((options as { kind: unknown }).kind)}`,
      );
  }
}
