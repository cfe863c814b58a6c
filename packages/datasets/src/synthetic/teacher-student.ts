import type { Dataset } from '../dataset.js';
import { createRandom } from '../random.js';
import { describeValue, requireInteger, requireNonNegative, requireSeed, requireOptions } from '../validation.js';

/** Options of {@link teacherStudent}. */
export interface TeacherStudentOptions {
  /** Number of examples. */
  count: number;
  /** Features per input. */
  inputSize: number;
  /** Regression targets per example. */
  outputSize: number;
  /** Hidden layer widths of the teacher; a number means one layer. Default `[16]`; `[]` makes it linear. */
  hidden?: number | readonly number[];
  /** Standard deviation of the Gaussian noise added to every target (0 for exact teacher outputs). */
  noise: number;
  /** Seed of the random streams (teacher weights, inputs and noise are separate streams). */
  seed: number;
}

/** The fixed random network that produced the targets. */
export interface Teacher {
  /** `[inputSize, ...hidden, outputSize]`. */
  layerSizes: number[];
  /** Per layer, an `out × in` row-major weight matrix. */
  weights: Float32Array[];
  /** Per layer, `out` biases. */
  biases: Float32Array[];
  /** Activation after every layer except the last. */
  activation: 'tanh';
}

/** A teacher–student regression problem. */
export interface TeacherStudent extends Dataset {
  inputs: Float32Array;
  targets: Float32Array;
  /** The network that generated the targets. */
  teacher: Teacher;
}

/**
 * Generates a regression problem whose targets come from a fixed random "teacher" MLP.
 *
 * Inputs are `x ~ N(0, I)`. The teacher has layers `h₀ = x`, `hₗ = tanh(Wₗ hₗ₋₁ + bₗ)` and
 * a linear last layer `f(x) = W_L h_{L−1} + b_L`, with `Wₗ ~ N(0, 1/fan_in)` (keeps
 * pre-activations of order 1) and `bₗ ~ N(0, 0.1²)`. Targets are `y = f(x) + noise·ε`,
 * `ε ~ N(0, I)`. A student network of the same architecture can reach the noise floor
 * (mean squared error `noise²`), which makes this a good test of an optimiser. Weights,
 * inputs and noise use separate random streams of the seed: changing `noise` or `count` keeps
 * the teacher, and changing `noise` keeps the inputs.
 *
 * @example
 * const problem = teacherStudent({ count: 1000, inputSize: 8, outputSize: 2, hidden: [32], noise: 0.1, seed: 3 });
 * problem.targetShape; // [2]
 * problem.teacher.layerSizes; // [8, 32, 2]
 *
 * Source: the teacher–student setting of H. S. Seung, H. Sompolinsky, N. Tishby, "Statistical
 * mechanics of learning from examples", Phys. Rev. A 45 (1992); initialisation variance
 * 1/fan_in from Y. LeCun et al., "Efficient BackProp" (1998).
 */
export function teacherStudent(options: TeacherStudentOptions): TeacherStudent {
  requireOptions('teacherStudent', options, ['count', 'inputSize', 'outputSize', 'hidden', 'noise', 'seed']);
  const count = requireInteger('teacherStudent', 'count', options.count);
  const inputSize = requireInteger('teacherStudent', 'inputSize', options.inputSize);
  const outputSize = requireInteger('teacherStudent', 'outputSize', options.outputSize);
  const noise = requireNonNegative('teacherStudent', 'noise', options.noise);
  const seedValue = requireSeed('teacherStudent', 'seed', options.seed);
  const hidden = resolveHidden(options.hidden ?? [16]);

  const layerSizes = [inputSize, ...hidden, outputSize];
  const weightRandom = createRandom(seedValue, 0);
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let layer = 1; layer < layerSizes.length; layer += 1) {
    const fanIn = layerSizes[layer - 1];
    const scale = 1 / Math.sqrt(fanIn);
    weights.push(Float32Array.from({ length: layerSizes[layer] * fanIn }, () => scale * weightRandom.normal()));
    biases.push(Float32Array.from({ length: layerSizes[layer] }, () => 0.1 * weightRandom.normal()));
  }
  const teacher: Teacher = { layerSizes, weights, biases, activation: 'tanh' };

  const inputRandom = createRandom(seedValue, 1);
  const inputs = Float32Array.from({ length: count * inputSize }, () => inputRandom.normal());
  const noiseRandom = createRandom(seedValue, 2);
  const targets = new Float32Array(count * outputSize);
  for (let example = 0; example < count; example += 1) {
    // The teacher sees the float32 inputs the student will see, evaluated in double precision.
    const output = forward(teacher, inputs.subarray(example * inputSize, (example + 1) * inputSize));
    for (let unit = 0; unit < outputSize; unit += 1) {
      targets[example * outputSize + unit] = output[unit] + noise * noiseRandom.normal();
    }
  }
  return { inputs, inputShape: [inputSize], targets, targetShape: [outputSize], count, teacher };
}

function forward(teacher: Teacher, input: Float32Array): Float64Array {
  let activations = Float64Array.from(input);
  const lastLayer = teacher.weights.length - 1;
  teacher.weights.forEach((weight, layer) => {
    const inSize = teacher.layerSizes[layer];
    const outSize = teacher.layerSizes[layer + 1];
    const next = new Float64Array(outSize);
    for (let row = 0; row < outSize; row += 1) {
      let sum = teacher.biases[layer][row];
      for (let column = 0; column < inSize; column += 1) sum += weight[row * inSize + column] * activations[column];
      next[row] = layer === lastLayer ? sum : Math.tanh(sum);
    }
    activations = next;
  });
  return activations;
}

function resolveHidden(hidden: number | readonly number[]): number[] {
  const sizes = typeof hidden === 'number' ? [hidden] : hidden;
  if (!Array.isArray(sizes)) {
    throw new Error(
      `teacherStudent: hidden must be a number or an array of layer widths, got ${describeValue(hidden)}`,
    );
  }
  return sizes.map((size, index) => requireInteger('teacherStudent', `hidden[${index}]`, size));
}
