/**
 * jax-js (`@jax-js/jax`) as a peer column: every cell runs a `jit`-compiled function on jax-js's
 * Wasm device, so jax-js fuses what it can, as its users would write it.
 *
 * jax-js owns its arrays by reference count: a function (a jitted one included) consumes its
 * arguments, and `x.ref` passes `x` while keeping it. The cells below pass `.ref` of the
 * inputs they reuse, carry the training state from one step to the next, and dispose what they
 * read, so that memory stays flat over the timed runs.
 *
 * In Node, jax-js's Wasm device runs on one thread: its worker pool needs a global `Worker`,
 * which Node does not have (it has `worker_threads`). `jaxDescription` says so in the bench.
 */
import { CONV2D_TIMING, measure, TRAINING_STEP_TIMING, type Runner, type Timing } from './harness.js';

/** The jax-js module, as loaded at run time. */
export type Jax = typeof import('@jax-js/jax');
type JaxArray = import('@jax-js/jax').Array;

/** jax-js with its Wasm device initialised and made the default, or why it is unavailable. */
export async function loadJax(): Promise<{ jax: Jax; description: string } | { unavailable: string }> {
  try {
    const jax = await import('@jax-js/jax');
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm'))
      return { unavailable: `jax-js's wasm device did not start (devices: ${devices.join(', ')})` };
    jax.defaultDevice('wasm');
    const threads =
      typeof SharedArrayBuffer !== 'undefined' && typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined'
        ? 'multi-threaded'
        : 'one thread (no global Worker in Node)';
    // The package's exports map hides package.json, so it is read beside the resolved entry.
    const { createRequire } = await import('node:module');
    const { readFileSync } = await import('node:fs');
    const entry = createRequire(import.meta.url).resolve('@jax-js/jax');
    const version = (
      JSON.parse(readFileSync(new URL('../package.json', `file://${entry}`), 'utf8')) as { version: string }
    ).version;
    return { jax, description: `@jax-js/jax ${version}, wasm device, jit, ${threads}` };
  } catch (error) {
    return { unavailable: `@jax-js/jax failed to load: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The name of jax-js's column in every table. */
export const JAX_COLUMN = 'jax-js';

/** A runner that says why jax-js is missing, or none where the row has no jax-js cell. */
function unavailableRunner(reason: string): Runner {
  return {
    name: JAX_COLUMN,
    run: () => Promise.reject(new Error(reason)),
  };
}

/** What `loadJax` returns: jax-js, or why it is unavailable (each jax-js cell then says so). */
export type LoadedJax = Awaited<ReturnType<typeof loadJax>>;
type Loaded = LoadedJax;

/**
 * A runner that times `call` (a jitted call whose results it reads back, which frees them) after
 * building the inputs with `setup`, disposing them with `teardown` afterwards.
 */
function jaxRunner<State>(
  loaded: Loaded,
  what: string,
  expected: Float32Array,
  setup: (jax: Jax) => State,
  call: (state: State) => JaxArray,
  teardown: (state: State) => void,
  options: Parameters<typeof measure>[1] = {},
): Runner {
  if ('unavailable' in loaded) return unavailableRunner(loaded.unavailable);
  return {
    name: JAX_COLUMN,
    run: async (): Promise<Timing> => {
      const state = setup(loaded.jax);
      try {
        checkAgainstVane(what, call(state).dataSync() as Float32Array, expected);
        return await measure(() => {
          const result = call(state);
          // dataSync forces the computation to finish inside the timed region, as for tfjs; in
          // jax-js it also consumes (frees) the array it reads.
          result.dataSync();
        }, options);
      } finally {
        teardown(state);
      }
    },
  };
}

/**
 * Throws (so the cell reads 'skipped: …' with the reason) unless jax-js's result matches
 * Vane's on the same inputs within `tolerance`·(1 + |Vane's value|): a peer column is only
 * worth its ratio if both compute the same thing.
 */
function checkAgainstVane(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance = 1e-3,
): void {
  if (actual.length !== expected.length)
    throw new Error(`jax-js's ${what} has ${actual.length} values, Vane's ${expected.length}`);
  for (let index = 0; index < expected.length; index++) {
    if (!(Math.abs(actual[index]! - expected[index]!) <= tolerance * (1 + Math.abs(expected[index]!)))) {
      throw new Error(
        `jax-js's ${what} differs from Vane's: element ${index} is ${actual[index]}, Vane gives ${expected[index]}`,
      );
    }
  }
}

/** `a @ b` for two square float32 matrices of `size`; `expected` is Vane's product. */
export function jaxMatmulRunner(
  loaded: Loaded,
  size: number,
  aValues: Float32Array,
  bValues: Float32Array,
  expected: Float32Array,
): Runner {
  return jaxRunner(
    loaded,
    `matmul ${size}`,
    expected,
    (jax) => ({
      a: jax.numpy.array(aValues).reshape([size, size]),
      b: jax.numpy.array(bValues).reshape([size, size]),
      product: jax.jit((a: JaxArray, b: JaxArray) => jax.numpy.matmul(a, b)),
    }),
    ({ a, b, product }) => product(a.ref, b.ref),
    ({ a, b, product }) => {
      a.dispose();
      b.dispose();
      product.dispose();
    },
    { maximumRuns: 50 },
  );
}

/** Elementwise `x + y` or `exp(x)` on float32 vectors; `expected` is Vane's result. */
export function jaxElementwiseRunner(
  loaded: Loaded,
  operation: 'add' | 'exp',
  xValues: Float32Array,
  yValues: Float32Array,
  expected: Float32Array,
): Runner {
  return jaxRunner(
    loaded,
    operation,
    expected,
    (jax) => ({
      x: jax.numpy.array(xValues),
      y: jax.numpy.array(yValues),
      kernel: jax.jit((x: JaxArray, y: JaxArray) =>
        operation === 'add' ? jax.numpy.add(x, y) : (y.dispose(), jax.numpy.exp(x)),
      ),
    }),
    ({ x, y, kernel }) => kernel(x.ref, y.ref),
    ({ x, y, kernel }) => {
      x.dispose();
      y.dispose();
      kernel.dispose();
    },
  );
}

/** A 'same'-padded stride-1 conv2d forward pass, NCHW input and OIHW weights (Vane's layout); `expected` is Vane's output. */
export function jaxConv2dRunner(
  loaded: Loaded,
  inputShape: number[],
  inputValues: Float32Array,
  weightShape: number[],
  weightValues: Float32Array,
  expected: Float32Array,
): Runner {
  return jaxRunner(
    loaded,
    'conv2d',
    expected,
    (jax) => ({
      input: jax.numpy.array(inputValues).reshape(inputShape),
      weight: jax.numpy.array(weightValues).reshape(weightShape),
      convolve: jax.jit((input: JaxArray, weight: JaxArray) => jax.lax.conv(input, weight, [1, 1], 'SAME')),
    }),
    ({ input, weight, convolve }) => convolve(input.ref, weight.ref),
    ({ input, weight, convolve }) => {
      input.dispose();
      weight.dispose();
      convolve.dispose();
    },
    CONV2D_TIMING,
  );
}

/** AdamW hyperparameters shared by the jax-js training cells (the same as Vane's and tfjs's rows). */
const ADAM = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

/**
 * One Adam(W) update of one parameter, written in jax-js: returns the new parameter and moments.
 * `correction1` is 1/(1-β1^t) and `correction2` 1/(1-β2^t), passed as arrays so that the jitted
 * step is traced once, not once per step count.
 */
function adamLeaf(
  jax: Jax,
  weightDecay: number,
  parameter: JaxArray,
  gradient: JaxArray,
  firstMoment: JaxArray,
  secondMoment: JaxArray,
  correction1: JaxArray,
  correction2: JaxArray,
): [JaxArray, JaxArray, JaxArray] {
  const first = firstMoment.mul(ADAM.beta1).add(gradient.ref.mul(1 - ADAM.beta1));
  const second = secondMoment.mul(ADAM.beta2).add(gradient.ref.mul(gradient).mul(1 - ADAM.beta2));
  let update = first.ref.mul(correction1).div(jax.numpy.sqrt(second.ref.mul(correction2)).add(ADAM.eps));
  if (weightDecay !== 0) update = update.add(parameter.ref.mul(weightDecay));
  return [parameter.sub(update.mul(ADAM.lr)), first, second];
}

/** Bias corrections for step `count` as two float32 scalars. */
function corrections(jax: Jax, count: number): [JaxArray, JaxArray] {
  return [
    jax.numpy.array(new Float32Array([1 / (1 - ADAM.beta1 ** count)])).reshape([]),
    jax.numpy.array(new Float32Array([1 / (1 - ADAM.beta2 ** count)])).reshape([]),
  ];
}

/** What a training-step cell needs: initial parameters, the batch, and the loss in jax-js. */
export interface JaxStepDefinition {
  parameters: { values: Float32Array; shape: number[] }[];
  batch: { values: Float32Array; shape: number[] }[];
  /** The loss; consumes `parameters` and `batch` (jax-js's ownership rule). */
  loss: (jax: Jax, parameters: JaxArray[], batch: JaxArray[]) => JaxArray;
  /** Vane's loss at the initial parameters: the first step's loss must match it. */
  expectedInitialLoss: number;
}

/** One jax-js training step at a time, for callers that interleave it with other work. */
export interface JaxTrainingStepper {
  /** Runs one step and reads its loss back (the synchronisation point, as for Vane and tfjs). */
  step(): number;
  /** Frees the parameters, moments, batch and the jitted function. */
  dispose(): void;
}

/**
 * A full training step in one jitted function: `valueAndGrad` of the loss, then Adam on every
 * parameter. State (parameters, moments) is carried from step to step. The first step's loss
 * is checked against Vane's (`expectedInitialLoss`).
 */
export function jaxTrainingStepper(jax: Jax, definition: JaxStepDefinition): JaxTrainingStepper {
  const fromValues = ({ values, shape }: { values: Float32Array; shape: number[] }) =>
    jax.numpy.array(values).reshape(shape);
  const parameterCount = definition.parameters.length;
  const jitted = jax.jit(
    (
      parameters: JaxArray[],
      firstMoments: JaxArray[],
      secondMoments: JaxArray[],
      batch: JaxArray[],
      correction1: JaxArray,
      correction2: JaxArray,
    ) => {
      const [loss, gradients] = jax.valueAndGrad((trained: JaxArray[]) => definition.loss(jax, trained, batch))(
        parameters.map((parameter) => parameter.ref),
      );
      const next = parameters.map((parameter, index) =>
        adamLeaf(
          jax,
          ADAM.weightDecay,
          parameter,
          gradients[index]!,
          firstMoments[index]!,
          secondMoments[index]!,
          index < parameterCount - 1 ? correction1.ref : correction1,
          index < parameterCount - 1 ? correction2.ref : correction2,
        ),
      );
      return [loss, next.map((entry) => entry[0]), next.map((entry) => entry[1]), next.map((entry) => entry[2])] as [
        JaxArray,
        JaxArray[],
        JaxArray[],
        JaxArray[],
      ];
    },
  );
  let parameters = definition.parameters.map(fromValues);
  let firstMoments = definition.parameters.map(({ shape }) => jax.numpy.zeros(shape));
  let secondMoments = definition.parameters.map(({ shape }) => jax.numpy.zeros(shape));
  const batch = definition.batch.map(fromValues);
  let count = 0;
  return {
    step: () => {
      count++;
      const [loss, nextParameters, nextFirst, nextSecond] = jitted(
        parameters,
        firstMoments,
        secondMoments,
        batch.map((array) => array.ref),
        ...corrections(jax, count),
      );
      // dataSync consumes the loss array. The first step's loss is at the initial parameters,
      // as Vane's definition computes it.
      const value = loss.dataSync();
      if (count === 1) checkAgainstVane('initial loss', value, [definition.expectedInitialLoss]);
      parameters = nextParameters;
      firstMoments = nextFirst;
      secondMoments = nextSecond;
      return value[0]!;
    },
    dispose: () => {
      for (const array of [...parameters, ...firstMoments, ...secondMoments, ...batch]) array.dispose();
      jitted.dispose();
    },
  };
}

/** The training-step cell of jax-js: {@link jaxTrainingStepper}'s steps, timed. */
export function jaxTrainingStepRunner(loaded: Loaded, definition: JaxStepDefinition): Runner {
  if ('unavailable' in loaded) return unavailableRunner(loaded.unavailable);
  return {
    name: JAX_COLUMN,
    run: async () => {
      const stepper = jaxTrainingStepper(loaded.jax, definition);
      try {
        return await measure(() => stepper.step(), TRAINING_STEP_TIMING);
      } finally {
        stepper.dispose();
      }
    },
  };
}

/** AdamW alone on parameters of `shapes` with fixed gradients, one jitted update per leaf. */
export function jaxAdamwRunner(loaded: Loaded, shapes: number[][]): Runner {
  if ('unavailable' in loaded) return unavailableRunner(loaded.unavailable);
  const { jax } = loaded;
  return {
    name: JAX_COLUMN,
    run: async () => {
      const update = jax.jit(
        (
          parameter: JaxArray,
          gradient: JaxArray,
          first: JaxArray,
          second: JaxArray,
          correction1: JaxArray,
          correction2: JaxArray,
        ) => adamLeaf(jax, 1e-2, parameter, gradient, first, second, correction1, correction2),
      );
      const random = (shape: number[]) =>
        jax.numpy
          .array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.random() - 0.5))
          .reshape(shape);
      let leaves = shapes.map((shape) => ({
        parameter: random(shape),
        gradient: random(shape),
        first: jax.numpy.zeros(shape),
        second: jax.numpy.zeros(shape),
      }));
      let count = 0;
      try {
        return await measure(
          () => {
            count++;
            leaves = leaves.map(({ parameter, gradient, first, second }) => {
              const [nextParameter, nextFirst, nextSecond] = update(
                parameter,
                gradient.ref,
                first,
                second,
                ...corrections(jax, count),
              );
              return { parameter: nextParameter, gradient, first: nextFirst, second: nextSecond };
            });
            // Block on every leaf: jax-js dispatches lazily.
            for (const leaf of leaves) void leaf.parameter.ref.dataSync();
          },
          { maximumRuns: 10, minimumMilliseconds: 1000 },
        );
      } finally {
        for (const leaf of leaves) for (const array of Object.values(leaf)) array.dispose();
        update.dispose();
      }
    },
  };
}
