/**
 * conv2d forward, input gradient and weight gradient: Vane against tfjs-wasm (forward and input
 * gradient; tfjs-wasm has no Conv2DBackpropFilter) and, with `--old <path to a checkout's
 * packages/tensor/src/index.ts>`, against an older Vane in the same process, on 1 and 2 kernel
 * threads. Every round times each contender once (the best of three calls) in turn, so a
 * change in the machine's load hits all of them alike; prints the median time per contender
 * and the median of the per-round ratios, with the load average before and after.
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/conv-speed.ts [-- --rounds 9 --old /tmp/old/packages/tensor/src/index.ts
 * --passes forward,input,weight --problems 3] (the first `--problems` rows of the table below)
 */
import { loadavg } from 'node:os';
import * as vane from '@vane/tensor';
import type { Window2d } from '@vane/tensor';
import { loadTfjs } from './peers.js';

type Vane = typeof vane;
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const rounds = Number(argument('--rounds') ?? 9);
const oldPath = argument('--old');
const passes = (argument('--passes') ?? 'forward,input,weight').split(',');
const problemCount = Number(argument('--problems') ?? 3);

/** One convolution problem, in NCHW with an [O, C, kh, kw] weight, as PyTorch. */
interface Problem {
  name: string;
  x: [number, number, number, number];
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
}

const problems: Problem[] = [
  { name: '16x16x28x28, 32 3x3', x: [16, 16, 28, 28], outChannels: 32, kernel: 3, stride: 1, padding: 1 },
  { name: '16x16x28x28, 32 3x3 stride 2', x: [16, 16, 28, 28], outChannels: 32, kernel: 3, stride: 2, padding: 1 },
  { name: '64x1x28x28, 32 3x3 (CNN step)', x: [64, 1, 28, 28], outChannels: 32, kernel: 3, stride: 1, padding: 1 },
];

function windowOf(problem: Problem): Window2d {
  const { kernel, stride, padding } = problem;
  const outputHeight = Math.floor((problem.x[2] + 2 * padding - kernel) / stride) + 1;
  const outputWidth = Math.floor((problem.x[3] + 2 * padding - kernel) / stride) + 1;
  return {
    kernelHeight: kernel,
    kernelWidth: kernel,
    strideHeight: stride,
    strideWidth: stride,
    padTop: padding,
    padBottom: padding,
    padLeft: padding,
    padRight: padding,
    dilationHeight: 1,
    dilationWidth: 1,
    outputHeight,
    outputWidth,
  };
}

/** The three timed calls of one Vane module on one problem. */
function vaneCalls(module: Vane, problem: Problem, values: { x: Float32Array; w: Float32Array; dy: Float32Array }) {
  const window = windowOf(problem);
  const [batch, channels, height, width] = problem.x;
  const x = module.tensor(values.x, { shape: problem.x });
  const w = module.tensor(values.w, { shape: [problem.outChannels, channels, problem.kernel, problem.kernel] });
  const dy = module.tensor(values.dy, {
    shape: [batch, problem.outChannels, window.outputHeight, window.outputWidth],
  });
  return {
    forward: () => module.conv2d(x, w, { stride: problem.stride, padding: problem.padding }),
    input: () => module.conv2dInputGradient(dy, w, window, 1, height, width),
    weight: () => module.conv2dWeightGradient(x, dy, window, 1),
  };
}

function time(run: () => { dispose(): void }): number {
  const start = performance.now();
  run().dispose();
  return performance.now() - start;
}
const best = (run: () => { dispose(): void }) => Math.min(time(run), time(run), time(run));
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

const old = oldPath ? ((await import(oldPath)) as Vane) : undefined;
const tfLoaded = await loadTfjs();
const tf = 'tf' in tfLoaded && tfLoaded.backends.includes('wasm') ? tfLoaded.tf : undefined;
if (tf) await tf.setBackend('wasm');

const generator = vane.seed(7);
const loadBefore = loadavg()[0]!;
const lines: string[] = [];
for (const threads of [1, 2]) {
  vane.setThreadCount(threads);
  old?.setThreadCount(threads);
  await vane.kernelThreadsReady();
  await old?.kernelThreadsReady();
  for (const problem of problems.slice(0, problemCount)) {
    const window = windowOf(problem);
    const [batch, channels] = problem.x;
    const values = {
      x: vane.randn(problem.x, { generator }).dataSync() as Float32Array,
      w: vane
        .randn([problem.outChannels, channels, problem.kernel, problem.kernel], { generator })
        .dataSync() as Float32Array,
      dy: vane
        .randn([batch, problem.outChannels, window.outputHeight, window.outputWidth], { generator })
        .dataSync() as Float32Array,
    };
    const contenders: {
      name: string;
      calls: Partial<Record<'forward' | 'input' | 'weight', () => { dispose(): void }>>;
    }[] = [{ name: 'vane', calls: vaneCalls(vane, problem, values) }];
    if (old) contenders.push({ name: 'vane (old)', calls: vaneCalls(old, problem, values) });
    if (tf) {
      // tfjs is NHWC with HWIO filters: transposed once, outside the timed region.
      const x = tf.transpose(
        tf.tensor4d(values.x, problem.x),
        [0, 2, 3, 1],
      ) as import('@tensorflow/tfjs-core').Tensor4D;
      const filter = tf.transpose(
        tf.tensor4d(values.w, [problem.outChannels, channels, problem.kernel, problem.kernel]),
        [2, 3, 1, 0],
      ) as import('@tensorflow/tfjs-core').Tensor4D;
      const dy = tf.transpose(
        tf.tensor4d(values.dy, [batch, problem.outChannels, window.outputHeight, window.outputWidth]),
        [0, 2, 3, 1],
      ) as import('@tensorflow/tfjs-core').Tensor4D;
      const padding =
        problem.padding === 0
          ? 'valid'
          : ([
              [0, 0],
              [problem.padding, problem.padding],
              [problem.padding, problem.padding],
              [0, 0],
            ] as [[number, number], [number, number], [number, number], [number, number]]);
      // dataSync forces the computation to finish inside the timed region.
      const wrap = (run: () => TfTensor) => () => {
        const result = run();
        result.dataSync();
        return result;
      };
      contenders.push({
        name: 'tfjs-wasm',
        calls: {
          forward: wrap(() => tf.conv2d(x, filter, problem.stride, padding)),
          input: wrap(() =>
            tf.conv2dTranspose(dy, filter, [batch, problem.x[2], problem.x[3], channels], problem.stride, padding),
          ),
        },
      });
    }
    for (const kind of (['forward', 'input', 'weight'] as const).filter((pass) => passes.includes(pass))) {
      const active = contenders.filter((contender) => contender.calls[kind]);
      for (const contender of active) best(contender.calls[kind]!); // warm-up (compilation, page-in)
      const times = active.map(() => [] as number[]);
      const ratios = active.map(() => [] as number[]);
      for (let round = 0; round < rounds; round++) {
        // Alternate the order every round, so that neither side always runs first.
        const order =
          round % 2 === 0 ? active.map((_, index) => index) : active.map((_, index) => active.length - 1 - index);
        const roundTimes: number[] = [];
        for (const index of order) roundTimes[index] = best(active[index]!.calls[kind]!);
        active.forEach((_, index) => {
          times[index]!.push(roundTimes[index]!);
          ratios[index]!.push(roundTimes[index]! / roundTimes[0]!);
        });
      }
      lines.push(
        `| ${problem.name} | ${kind} | ${threads} | ` +
          active
            .map(
              (contender, index) =>
                `${contender.name} ${median(times[index]!).toFixed(3)} ms` +
                (index > 0 ? ` (${median(ratios[index]!).toFixed(2)}×)` : ''),
            )
            .join('; ') +
          ' |',
      );
      console.log(lines.at(-1));
    }
  }
}
const loadAfter = loadavg()[0]!;
console.log(
  `\nfloat32, ${rounds} alternating rounds (best of 3 calls each), Node ${process.version}, load ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (${new Date().toISOString()})`,
);
console.log('| problem | pass | threads | median times (others / vane: median of per-round ratios) |');
console.log('|---|---|---|---|');
for (const line of lines) console.log(line);
