/**
 * The concurrency stress test of the threaded kernels: random-shape products (plain and
 * transposed operands), convolutions (forward, weight and input gradient, random stride, padding,
 * dilation and groups), elementwise fusedMap calls and reductions (sum, max, min, prod, argmax,
 * cumsum, cumprod over a random axis) on the threaded SIMD kernels, each
 * checked against the scalar kernel (the JavaScript loop for fusedMap, bit for bit),
 * while several asynchronous tasks interleave their kernels (add, exp, matmul, conv2d) between
 * each other's calls — the pattern that broke the earlier two-thread matmul. `npm test` runs it
 * for a few seconds (kernel-stress.test.ts); `npm run stress -w benchmarks` runs it at length.
 */
import { tidy } from './engine.js';
import * as e from './kernels/expression/builder.js';
import { defineKernel } from './kernels/expression/define-kernel.js';
import { fusedMap } from './ops/fused.js';
import { randn } from './ops/creation.js';
import { conv2d, conv2dInputGradient, conv2dWeightGradient } from './ops/convolution.js';
import { add, mul } from './ops/elementwise.js';
import { matmul } from './ops/linalg.js';
import { transpose } from './ops/movement.js';
import { argmax, cumprod, cumsum, max, min, prod, sum } from './ops/reduction.js';
import { abs, exp } from './ops/unary-ops.js';
import { seed } from './random.js';
import type { Tensor } from './tensor.js';
import { kernelInfo, kernelThreadsReady, setKernelMode } from './wasm/kernel-runtime.js';
import { setThreadCount } from './wasm/thread-pool.js';

/** What {@link runKernelStress} found. */
export interface StressReport {
  /** Products checked against the scalar kernel. */
  products: number;
  /** Convolutions (forward and weight gradient) checked against the scalar kernel. */
  convolutions: number;
  /** Elementwise fusedMap calls (an Adam-like update) checked against the JavaScript loop, bit for bit. */
  fusedMaps: number;
  /** Reductions checked against the scalar kernel (bit for bit, except sums along rows: within the float32 bound). */
  reductions: number;
  /** Kernel calls (gemm_tiles, fusedMap, reductions) split over more than one thread during the run. */
  parallelCalls: number;
  /** Threads the kernels used. */
  threads: number;
  /** One line per result outside the float32 accumulation bound (empty when all agree). */
  failures: string[];
}

const EPSILON_32 = 2 ** -23;

/** Runs `body` on the scalar kernels, then back on SIMD. */
function scalar<T>(body: () => T): T {
  setKernelMode('scalar');
  try {
    return body();
  } finally {
    setKernelMode('simd');
  }
}

/**
 * Compares `actual` with the scalar `reference` within 2·depth·ε₃₂·`magnitude` (+ a tiny
 * absolute slack), where `magnitude` is the same computation on |operands|: the float32
 * accumulation bound, which holds for mul+add and for fused multiply-adds alike.
 */
function mismatch(
  label: string,
  actual: Tensor,
  reference: Tensor,
  magnitude: Tensor,
  depth: number,
): string | undefined {
  const values = actual.dataSync();
  const expected = reference.dataSync();
  const bound = magnitude.dataSync();
  if (values.length !== expected.length) return `${label}: ${values.length} values, expected ${expected.length}`;
  for (let index = 0; index < values.length; index++) {
    const limit = 2 * depth * EPSILON_32 * Number(bound[index]) + 1e-30;
    if (!(Math.abs(Number(values[index]) - Number(expected[index])) <= limit)) {
      return `${label}: element ${index} is ${values[index]}, the scalar kernel gives ${expected[index]} (bound ${limit.toExponential(2)})`;
    }
  }
  return undefined;
}

/** A pseudo-random integer in [low, high] from a xorshift state (deterministic per seed). */
function integers(seedValue: number): (low: number, high: number) => number {
  let state = seedValue >>> 0 || 1;
  return (low, high) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return low + ((state >>> 0) % (high - low + 1));
  };
}

function checkProduct(
  next: (low: number, high: number) => number,
  generator: ReturnType<typeof seed>,
): string | undefined {
  // Sizes up to 320 cross the 4×8 tile, the 256-deep k-block and the threading threshold.
  const [m, k, n] = [next(1, 320), next(1, 320), next(1, 320)];
  const transposeA = next(0, 1) === 1;
  const transposeB = next(0, 1) === 1;
  const a = transposeA ? transpose(randn([k, m], { generator })) : randn([m, k], { generator });
  const b = transposeB ? transpose(randn([n, k], { generator })) : randn([k, n], { generator });
  const product = matmul(a, b);
  const [reference, magnitude] = scalar(() => [matmul(a, b), matmul(abs(a), abs(b))]);
  const label = `matmul [${m},${k}]${transposeA ? 'ᵀ' : ''} · [${k},${n}]${transposeB ? 'ᵀ' : ''}`;
  return mismatch(label, product, reference!, magnitude!, k);
}

function checkConvolution(
  next: (low: number, high: number) => number,
  generator: ReturnType<typeof seed>,
): string | undefined {
  const groups = next(1, 2);
  const [inChannels, outChannels] = [groups * next(1, 6), groups * next(1, 12)];
  const [kernelHeight, kernelWidth] = [next(1, 4), next(1, 4)];
  const [stride, dilation, padding] = [next(1, 2), next(1, 2), next(0, 2)];
  const [height, width] = [next(dilation * (kernelHeight - 1) + 1, 30), next(dilation * (kernelWidth - 1) + 1, 30)];
  const images = next(1, 6);
  const x = randn([images, inChannels, height, width], { generator });
  const weight = randn([outChannels, inChannels / groups, kernelHeight, kernelWidth], { generator });
  const options = { stride, padding, dilation, groups };
  const label = `conv2d x [${images},${inChannels},${height},${width}] w [${outChannels},${inChannels / groups},${kernelHeight},${kernelWidth}] ${JSON.stringify(options)}`;
  const y = conv2d(x, weight, options);
  const [reference, magnitude] = scalar(() => [conv2d(x, weight, options), conv2d(abs(x), abs(weight), options)]);
  const forward = mismatch(label, y, reference!, magnitude!, (inChannels / groups) * kernelHeight * kernelWidth);
  if (forward) return forward;
  // The weight gradient with dy = y: a k of images × output positions.
  const [outputHeight, outputWidth] = [y.shape[2]!, y.shape[3]!];
  const window = {
    kernelHeight,
    kernelWidth,
    strideHeight: stride,
    strideWidth: stride,
    padTop: padding,
    padBottom: padding,
    padLeft: padding,
    padRight: padding,
    dilationHeight: dilation,
    dilationWidth: dilation,
    outputHeight,
    outputWidth,
  };
  const gradient = conv2dWeightGradient(x, y, window, groups);
  const [gradientReference, gradientMagnitude] = scalar(() => [
    conv2dWeightGradient(x, y, window, groups),
    conv2dWeightGradient(abs(x), abs(y), window, groups),
  ]);
  const weightMismatch = mismatch(
    `${label} weight gradient`,
    gradient,
    gradientReference!,
    gradientMagnitude!,
    images * outputHeight * outputWidth,
  );
  if (weightMismatch) return weightMismatch;
  // The input gradient with dy = y: the grid's dot products run over (O/groups)·kh·kw, and the
  // im2col path's col2im adds kh·kw more float32 terms.
  const inputGradient = conv2dInputGradient(y, weight, window, groups, height, width);
  const [inputReference, inputMagnitude] = scalar(() => [
    conv2dInputGradient(y, weight, window, groups, height, width),
    conv2dInputGradient(abs(y), abs(weight), window, groups, height, width),
  ]);
  return mismatch(
    `${label} input gradient`,
    inputGradient,
    inputReference!,
    inputMagnitude!,
    (outChannels / groups + 1) * kernelHeight * kernelWidth,
  );
}

/** An Adam-like affine update: three inputs, four scalars, a square root and a division. */
const adamLike = defineKernel(
  'kernelStress.adamLike',
  { inputs: ['m', 'v', 'p'], scalars: ['c1', 'c2', 'eps', 'decay'] },
  ({ m, v, p, c1, c2, eps, decay }) => e.add(e.div(e.mul(m, c1), e.add(e.sqrt(e.mul(v, c2)), eps)), e.mul(decay, p)),
);

function checkFusedMap(
  next: (low: number, high: number) => number,
  generator: ReturnType<typeof seed>,
): string | undefined {
  // Up to 2^19 elements: above the threading threshold (2^17) about three times in four.
  const size = next(1, 1 << 19);
  const inputs = [randn([size], { generator }), abs(randn([size], { generator })), randn([size], { generator })];
  const scalars = [1.1, 0.9, 1e-8, 0.01];
  const threaded = fusedMap(adamLike, inputs, scalars).dataSync();
  const reference = scalar(() => fusedMap(adamLike, inputs, scalars).dataSync());
  // The SIMD kernel computes in float64 lanes like the JavaScript loop: equal bit for bit.
  for (let index = 0; index < size; index++) {
    if (!Object.is(threaded[index], reference[index]))
      return `fusedMap(adamLike) of ${size} elements: element ${index} is ${threaded[index]}, the JavaScript loop gives ${reference[index]}`;
  }
  return undefined;
}

const REDUCTIONS = { sum, max, min, prod, argmax, cumsum, cumprod } as const;

function checkReduction(
  next: (low: number, high: number) => number,
  generator: ReturnType<typeof seed>,
): string | undefined {
  // Up to 2^21 values: above the threading threshold (2^20) about one time in four; factors
  // near 1 so that products of thousands of them stay finite.
  const shape = [next(1, 1024), next(1, 2048)];
  const x = add(mul(randn(shape, { generator }), 0.01), 1);
  const names = Object.keys(REDUCTIONS) as (keyof typeof REDUCTIONS)[];
  const name = names[next(0, names.length - 1)]!;
  const axisChoice = next(0, 2);
  const axis = name === 'cumsum' || name === 'cumprod' ? next(0, 1) : axisChoice === 2 ? undefined : axisChoice;
  const reduce = REDUCTIONS[name] as (x: Tensor, axis?: number) => Tensor;
  const label = `${name}(x [${shape.join(',')}], ${String(axis)})`;
  const actual = reduce(x, axis);
  const reference = scalar(() => reduce(x, axis));
  if (name === 'sum' && axis !== 0) {
    // Row sums add in eight float64 lanes (simd-reductions.ts), not in the loop's order.
    const magnitude = sum(abs(x), axis);
    return mismatch(label, actual, reference, magnitude, axis === undefined ? x.size : shape[1]!);
  }
  const values = actual.dataSync();
  const expected = reference.dataSync();
  if (values.length !== expected.length) return `${label}: ${values.length} values, expected ${expected.length}`;
  for (let index = 0; index < values.length; index++) {
    if (!Object.is(values[index], expected[index]))
      return `${label}: element ${index} is ${values[index]}, the JavaScript loop gives ${expected[index]}`;
  }
  return undefined;
}

/**
 * Runs `tasks` asynchronous tasks for about `durationMilliseconds`, each alternating random
 * products or convolutions (checked against the scalar kernel) with unrelated kernels, and
 * yielding to the others between calls. Uses `threads` kernel threads (default 2, so that the
 * threaded path runs even on one core) and restores the previous count. With `minimumEach`, it
 * runs past the deadline until each kind (products, convolutions, fusedMaps, reductions) has been checked at
 * least that many times, so that a loaded machine still gives a check of every kind.
 *
 * @example
 * const report = await runKernelStress({ durationMilliseconds: 3000 });
 * if (report.failures.length) throw new Error(report.failures.join('\n'));
 */
export async function runKernelStress(options: {
  durationMilliseconds: number;
  seed?: number;
  threads?: number;
  tasks?: number;
  minimumEach?: number;
}): Promise<StressReport> {
  const { durationMilliseconds, seed: seedValue = 1, threads = 2, tasks = 3, minimumEach = 0 } = options;
  const previous = kernelInfo().threads.requested;
  setThreadCount(threads);
  const ready = await kernelThreadsReady();
  const parallelBefore = ready.parallelCalls;
  const report: StressReport = {
    products: 0,
    convolutions: 0,
    fusedMaps: 0,
    reductions: 0,
    parallelCalls: 0,
    threads: ready.active,
    failures: [],
  };
  const deadline = performance.now() + durationMilliseconds;
  const task = async (index: number) => {
    const next = integers(seedValue * 7919 + index);
    const generator = seed(seedValue * 31 + index);
    const noise = randn([1 << 14], { generator });
    const enough = () =>
      report.products >= minimumEach &&
      report.convolutions >= minimumEach &&
      report.fusedMaps >= minimumEach &&
      report.reductions >= minimumEach;
    while ((performance.now() < deadline || !enough()) && report.failures.length < 10) {
      const choice = next(0, 6);
      const failure = tidy(() =>
        choice === 0
          ? (report.convolutions++, checkConvolution(next, generator))
          : choice === 1
            ? (report.fusedMaps++, checkFusedMap(next, generator))
            : choice === 2
              ? (report.reductions++, checkReduction(next, generator))
              : (report.products++, checkProduct(next, generator)),
      );
      if (failure) report.failures.push(failure);
      // Another kernel on the same memory, then let the other tasks run theirs.
      tidy(() => exp(add(noise, noise)).dataSync());
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    noise.dispose();
  };
  try {
    await Promise.all(Array.from({ length: tasks }, (_, index) => task(index)));
  } finally {
    report.parallelCalls = kernelInfo().threads.parallelCalls - parallelBefore;
    setThreadCount(previous);
  }
  return report;
}
