/**
 * Benchmark: one AdamW step over 10M float32 parameters.
 *
 * Compares `@vane/optim`'s `adamw` (`updateAndApply`, the pure functional API in one call: new
 * parameter and state tensors every step) with
 *   1. a hand-fused Float32Array loop that updates parameters and moments in place (the floor),
 *   2. the same loop writing fresh arrays (the same purity contract as Vane),
 *   3. TensorFlow.js's `tf.train.adam` on its pure-JS cpu backend (no weight decay: tfjs has
 *      none, so it does slightly less work).
 * All compute AdamW with lr 1e-3, betas (0.9, 0.999), eps 1e-8 (weight decay 0.01 where it
 * exists). Each timing is one full step, after warm-up; the table shows the median and the
 * spread (min–max) over the repetitions. Vane and the two loops run interleaved (one step of
 * each per round), so that a change in machine load hits all three alike, and each ratio is
 * the median of the per-round ratios. The script checks that all three end with the same
 * parameters (to float32 rounding).
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/optim-step.ts [--size 10000000] [--repetitions 9]
 */
import { dispose, memory, randn, seed, type Tensor } from '@vane/tensor';
import { adamw, disposeReplaced, updateAndApply, type TensorTree } from '@vane/optim';

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

interface Runner {
  name: string;
  step: () => void;
  finish?: () => void;
}

/** Runs the runners round-robin: WARMUP rounds untimed, then REPETITIONS timed rounds. */
function interleaved(runners: Runner[], repetitions = REPETITIONS): Timing[] {
  const timings = runners.map(({ name }) => ({ name, times: [] as number[] }));
  for (let round = 0; round < WARMUP + repetitions; round++) {
    runners.forEach((runner, index) => {
      const start = performance.now();
      runner.step();
      if (round >= WARMUP) timings[index]!.times.push(performance.now() - start);
    });
  }
  runners.forEach((runner) => runner.finish?.());
  return timings;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** A tensor's values as a Float32Array; the tensor is freed. */
function valuesOf(t: Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/** Final parameters of each implementation, to check that they computed the same thing. */
const finals = new Map<string, Float32Array[]>();

function vaneAdamw(): Runner {
  const random = seed(1);
  let params: TensorTree = SHAPES.map((shape) => randn(shape, { generator: random }));
  const grads: TensorTree = SHAPES.map((shape) => randn(shape, { generator: random }));
  const optimizer = adamw({ lr: LR, betas: [BETA1, BETA2], eps: EPS, weightDecay: WEIGHT_DECAY });
  let state = optimizer.init(params);
  const before = memory().numTensors;
  return {
    name: 'vane adamw (updateAndApply)',
    step: () => {
      // The step in one call: on float32 SIMD each leaf's m, v and p in one pass, as the loop does.
      const [nextParams, next] = updateAndApply(optimizer, grads, state, params);
      disposeReplaced([params, state], [nextParams, next, grads]);
      params = nextParams;
      state = next;
    },
    finish: () => {
      if (memory().numTensors !== before) throw new Error(`vane adamw leaked ${memory().numTensors - before} tensors`);
      finals.set(
        'vane',
        (params as Tensor[]).map((leaf) => leaf.dataSync() as Float32Array),
      );
      dispose([params, state, grads]);
    },
  };
}

function handLoops(): Runner[] {
  const random = seed(1);
  const make = () => SHAPES.map((shape) => valuesOf(randn(shape, { generator: random })));
  const params = make();
  const grads = make();
  const initial = params.map((p) => p.slice());
  const firstMoments = SHAPES.map((shape) => new Float32Array(shape[0]!));
  const secondMoments = SHAPES.map((shape) => new Float32Array(shape[0]!));
  let count = 0;
  const inPlace = (): void => {
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
  };
  let pureParams = initial;
  let pureFirst = SHAPES.map((shape) => new Float32Array(shape[0]!));
  let pureSecond = SHAPES.map((shape) => new Float32Array(shape[0]!));
  let freshCount = 0;
  const fresh = (): void => {
    freshCount++;
    const c1 = 1 / (1 - BETA1 ** freshCount);
    const c2 = 1 / Math.sqrt(1 - BETA2 ** freshCount);
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
  };
  return [
    { name: 'hand-fused loop, in place', step: inPlace, finish: () => finals.set('in place', params) },
    { name: 'hand-fused loop, fresh arrays', step: fresh, finish: () => finals.set('fresh arrays', pureParams) },
  ];
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
  const variables = SHAPES.map((shape, index) =>
    tf.variable(tf.tensor1d(valuesOf(randn(shape, { generator: random }))), true, `p${index}`),
  );
  const grads = SHAPES.map((shape, index) => ({
    name: `p${index}`,
    tensor: tf.tensor1d(valuesOf(randn(shape, { generator: random }))),
  }));
  const optimizer = tf.train.adam(LR, BETA1, BETA2, EPS);
  const [timing] = interleaved(
    [
      {
        name: `tfjs ${tf.version_core} adam, cpu backend`,
        step: () => {
          optimizer.applyGradients(grads);
          // Force completion (the cpu backend is synchronous, but be explicit).
          variables[0]!.dataSync();
        },
      },
    ],
    Math.min(REPETITIONS, 5),
  );
  optimizer.dispose();
  tf.dispose([...variables, ...grads.map((entry) => entry.tensor)]);
  return timing;
}

async function main() {
  console.log(
    `AdamW step, ${SIZE.toLocaleString('en-US')} float32 parameters in ${SHAPES.length} tensors; ${REPETITIONS} repetitions after ${WARMUP} warm-up steps; Node ${process.version}\n`,
  );
  const results: Timing[] = interleaved([vaneAdamw(), ...handLoops()]);
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
  const vaneTimes = results[0]!.times;
  for (const { name, times } of results) {
    // Per-round ratios where the runs were interleaved (same length), else ratio of medians.
    const ratio =
      times.length === vaneTimes.length && !name.startsWith('tfjs')
        ? median(times.map((time, round) => time / vaneTimes[round]!))
        : median(times) / vane;
    const relation = name.startsWith('vane')
      ? '1'
      : ratio >= 1
        ? `Vane ${ratio.toFixed(2)}× faster`
        : `Vane ${(1 / ratio).toFixed(2)}× slower`;
    console.log(
      `| ${name} | ${median(times).toFixed(1)} | ${Math.min(...times).toFixed(1)}–${Math.max(...times).toFixed(1)} | ${relation} |`,
    );
  }
  console.log(
    `\n${JSON.stringify({ benchmark: 'optim-step', size: SIZE, repetitions: REPETITIONS, results: results.map(({ name, times }) => ({ name, medianMs: median(times), times })) })}`,
  );
}

void main();
