/**
 * Benchmark: one AdamW step over 10M float32 parameters.
 *
 * Compares `@vane/optim`'s `adamw` (update + applyUpdates, the pure functional API: new
 * parameter and state tensors every step) with
 *   1. a hand-fused Float32Array loop that updates parameters and moments in place (the floor),
 *   2. the same loop writing fresh arrays (the same purity contract as Vane),
 *   3. TensorFlow.js's `tf.train.adam` on its pure-JS cpu backend (no weight decay: tfjs has
 *      none, so it does slightly less work).
 * All compute AdamW with lr 1e-3, betas (0.9, 0.999), eps 1e-8 (weight decay 0.01 where it
 * exists). Each timing is one full step, after warm-up; the table shows the median and the
 * spread (min–max) over the repetitions.
 *
 * Run: npx tsx benchmarks/src/optim-step.ts [--size 10000000] [--repetitions 9]
 */
import { dispose, memory, randn, seed, type Tensor } from '@vane/tensor';
import { adamw, applyUpdates, disposeReplaced, type TensorTree } from '@vane/optim';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const SIZE = argument('size', 10_000_000);
const REPETITIONS = argument('repetitions', 9);
const WARMUP = 2;
// Three leaves, as a model has several parameter tensors.
const SHAPES = [[Math.floor(SIZE * 0.4)], [Math.floor(SIZE * 0.4)], [SIZE - 2 * Math.floor(SIZE * 0.4)]];
const [LR, BETA1, BETA2, EPS, WEIGHT_DECAY] = [1e-3, 0.9, 0.999, 1e-8, 0.01];

interface Timing {
  name: string;
  times: number[];
}

function measure(name: string, step: () => void): Timing {
  for (let index = 0; index < WARMUP; index++) step();
  const times: number[] = [];
  for (let index = 0; index < REPETITIONS; index++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  return { name, times };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Final parameters of each implementation, to check that they computed the same thing. */
const finals = new Map<string, Float32Array[]>();

function vaneAdamw(): Timing {
  const random = seed(1);
  let params: TensorTree = SHAPES.map((shape) => randn(shape, { generator: random }));
  const grads: TensorTree = SHAPES.map((shape) => randn(shape, { generator: random }));
  const optimizer = adamw({ lr: LR, betas: [BETA1, BETA2], eps: EPS, weightDecay: WEIGHT_DECAY });
  let state = optimizer.init(params);
  const before = memory().numTensors;
  const timing = measure('vane adamw (update + applyUpdates)', () => {
    const [updates, next] = optimizer.update(grads, state, params);
    const nextParams = applyUpdates(params, updates);
    disposeReplaced([params, state, updates], [nextParams, next, grads]);
    params = nextParams;
    state = next;
  });
  if (memory().numTensors !== before) throw new Error(`vane adamw leaked ${memory().numTensors - before} tensors`);
  finals.set('vane', (params as Tensor[]).map((leaf) => leaf.dataSync() as Float32Array));
  dispose([params, state, grads]);
  return timing;
}

function handLoops(): Timing[] {
  const random = seed(1);
  const make = () => SHAPES.map((shape) => randn(shape, { generator: random }).dataSync() as Float32Array);
  const params = make();
  const grads = make();
  const initial = params.map((p) => p.slice());
  const firstMoments = SHAPES.map((shape) => new Float32Array(shape[0]!));
  const secondMoments = SHAPES.map((shape) => new Float32Array(shape[0]!));
  let count = 0;
  const inPlace = measure('hand-fused loop, in place', () => {
    count++;
    const c1 = 1 / (1 - BETA1 ** count);
    const c2 = 1 / Math.sqrt(1 - BETA2 ** count);
    for (let leaf = 0; leaf < params.length; leaf++) {
      const [p, g, m, v] = [params[leaf]!, grads[leaf]!, firstMoments[leaf]!, secondMoments[leaf]!];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = BETA1 * m[i]! + (1 - BETA1) * gi;
        const vi = BETA2 * v[i]! + (1 - BETA2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i]! - LR * ((mi * c1) / (Math.sqrt(vi) * c2 + EPS) + WEIGHT_DECAY * p[i]!);
      }
    }
  });
  finals.set('in place', params);
  let pureParams = initial;
  let pureFirst = SHAPES.map((shape) => new Float32Array(shape[0]!));
  let pureSecond = SHAPES.map((shape) => new Float32Array(shape[0]!));
  count = 0;
  const fresh = measure('hand-fused loop, fresh arrays', () => {
    count++;
    const c1 = 1 / (1 - BETA1 ** count);
    const c2 = 1 / Math.sqrt(1 - BETA2 ** count);
    const next = pureParams.map((p, leaf) => {
      const [g, m, v] = [grads[leaf]!, pureFirst[leaf]!, pureSecond[leaf]!];
      const [pOut, mOut, vOut] = [new Float32Array(p.length), new Float32Array(p.length), new Float32Array(p.length)];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = BETA1 * m[i]! + (1 - BETA1) * gi;
        const vi = BETA2 * v[i]! + (1 - BETA2) * gi * gi;
        mOut[i] = mi;
        vOut[i] = vi;
        pOut[i] = p[i]! - LR * ((mi * c1) / (Math.sqrt(vi) * c2 + EPS) + WEIGHT_DECAY * p[i]!);
      }
      return [pOut, mOut, vOut] as const;
    });
    pureParams = next.map((entry) => entry[0]);
    pureFirst = next.map((entry) => entry[1]);
    pureSecond = next.map((entry) => entry[2]);
  });
  finals.set('fresh arrays', pureParams);
  return [inPlace, fresh];
}

async function tfjsAdam(): Promise<Timing | string> {
  let tf: typeof import('@tensorflow/tfjs-core');
  try {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
  } catch (error) {
    return `TensorFlow.js is not installed (${(error as Error).message.split('\n')[0]})`;
  }
  await tf.setBackend('cpu');
  await tf.ready();
  const random = seed(1);
  const variables = SHAPES.map((shape, index) => tf.variable(tf.tensor1d(randn(shape, { generator: random }).dataSync() as Float32Array), true, `p${index}`));
  const grads = SHAPES.map((shape, index) => ({ name: `p${index}`, tensor: tf.tensor1d(randn(shape, { generator: random }).dataSync() as Float32Array) }));
  const optimizer = tf.train.adam(LR, BETA1, BETA2, EPS);
  const timing = measure(`tfjs ${tf.version_core} adam, cpu backend`, () => {
    optimizer.applyGradients(grads);
    // Force completion (the cpu backend is synchronous, but be explicit).
    variables[0]!.dataSync();
  });
  optimizer.dispose();
  tf.dispose([...variables, ...grads.map((entry) => entry.tensor)]);
  return timing;
}

async function main() {
  console.log(`AdamW step, ${SIZE.toLocaleString('en-US')} float32 parameters in ${SHAPES.length} tensors; ${REPETITIONS} repetitions after ${WARMUP} warm-up steps; Node ${process.version}\n`);
  const results: Timing[] = [vaneAdamw(), ...handLoops()];
  const tfjs = await tfjsAdam();
  if (typeof tfjs === 'string') console.log(`(skipped) ${tfjs}\n`);
  else results.push(tfjs);
  const vane = median(results[0]!.times);
  // Same start, same gradients, same number of steps: the results must agree to float32 rounding.
  for (const other of ['in place', 'fresh arrays']) {
    let worst = 0;
    finals.get('vane')!.forEach((leaf, index) => {
      const reference = finals.get(other)![index]!;
      for (let i = 0; i < leaf.length; i++) worst = Math.max(worst, Math.abs(leaf[i]! - reference[i]!));
    });
    console.log(`max |vane − hand loop (${other})| after ${WARMUP + REPETITIONS} steps: ${worst.toExponential(2)}`);
    if (!(worst < 1e-5)) throw new Error('the implementations disagree');
  }
  console.log('');
  console.log('| implementation | median ms | min–max ms | Vane vs this |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const { name, times } of results) {
    const ratio = median(times) / vane;
    const relation = name.startsWith('vane') ? '1' : ratio >= 1 ? `Vane ${ratio.toFixed(2)}× faster` : `Vane ${(1 / ratio).toFixed(2)}× slower`;
    console.log(`| ${name} | ${median(times).toFixed(1)} | ${Math.min(...times).toFixed(1)}–${Math.max(...times).toFixed(1)} | ${relation} |`);
  }
  console.log(`\n${JSON.stringify({ benchmark: 'optim-step', size: SIZE, repetitions: REPETITIONS, results: results.map(({ name, times }) => ({ name, medianMs: median(times), times })) })}`);
}

void main();
