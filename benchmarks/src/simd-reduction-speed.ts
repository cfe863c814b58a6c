/**
 * The float32 SIMD reductions (packages/tensor/src/wasm/simd-reductions.ts,
 * simd-running-products.ts, simd-arg-reductions.ts) against the JavaScript loop they replace,
 * and one kernel thread against two.
 *
 * Table 1, one kernel thread: SIMD mode and scalar mode (`setKernelMode('scalar')`, the loop
 * every call took before) alternating round by round, on sum/max over 1e6 values and over the
 * last axis of [128, 1024], sum/max/prod over its first axis, prod over its last axis,
 * argmax over either axis, cumsum/cumprod over either axis, logsumexp, and a mean over
 * non-adjacent axes (batch-norm statistics over N, H and W of [32, 64, 28, 28]).
 *
 * Table 2, SIMD mode: one kernel thread and two alternating round by round (the pool is
 * restarted and awaited before each two-thread round, outside the timing), on sum and max of
 * 1e6 and 1e7 values, and sum, max, argmax and cumsum over the last axis of [2048, 2048]
 * (column reductions are not split),
 * with a 512 matmul (the threaded gemm) as the reference for what a second thread gives on the
 * machine at the time.
 *
 * Prints each case's median time per mode and the median of the per-round ratios, with the
 * load average before and after.
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/simd-reduction-speed.ts [-- --rounds 9]
 */
import { loadavg } from 'node:os';
import {
  argmax,
  cumprod,
  cumsum,
  kernelThreadsReady,
  logsumexp,
  matmul,
  max,
  mean,
  prod,
  setKernelMode,
  setThreadCount,
  sum,
  tensor,
  type Tensor,
} from '@vane/tensor';

const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex >= 0 ? Number(process.argv[roundsIndex + 1]) : 9;
const flat = tensor(Float32Array.from({ length: 1_000_000 }, (_, index) => Math.sin(index) * 20));
const rows = tensor(
  Float32Array.from({ length: 128 * 1024 }, (_, index) => Math.cos(index) * 5),
  { shape: [128, 1024] },
);
// Factors near 1, so that products of 1024 of them stay finite.
const factors = tensor(
  Float32Array.from({ length: 128 * 1024 }, (_, index) => 1 + Math.cos(index) * 0.01),
  { shape: [128, 1024] },
);
const images = tensor(
  Float32Array.from({ length: 32 * 64 * 28 * 28 }, (_, index) => Math.sin(index)),
  { shape: [32, 64, 28, 28] },
);
const flat7 = tensor(Float32Array.from({ length: 10_000_000 }, (_, index) => Math.sin(index) * 20));
const operand = tensor(
  Float32Array.from({ length: 512 * 512 }, (_, index) => Math.sin(index)),
  { shape: [512, 512] },
);
const square = tensor(
  Float32Array.from({ length: 2048 * 2048 }, (_, index) => Math.cos(index) * 5),
  { shape: [2048, 2048] },
);

const kernelCases: readonly [string, () => Tensor][] = [
  ['sum, 1e6', () => sum(flat)],
  ['max, 1e6', () => max(flat)],
  ['sum, [128, 1024] over the last axis', () => sum(rows, -1)],
  ['max, [128, 1024] over the last axis', () => max(rows, -1)],
  ['sum, [128, 1024] over the first axis (a bias gradient)', () => sum(rows, 0)],
  ['max, [128, 1024] over the first axis', () => max(rows, 0)],
  ['prod, [128, 1024] over the last axis', () => prod(factors, -1)],
  ['prod, [128, 1024] over the first axis', () => prod(factors, 0)],
  ['argmax, [128, 1024] over the last axis', () => argmax(rows, -1)],
  ['argmax, [128, 1024] over the first axis', () => argmax(rows, 0)],
  ['cumsum, [128, 1024] over the last axis', () => cumsum(rows, -1)],
  ['cumsum, [128, 1024] over the first axis', () => cumsum(rows, 0)],
  ['cumprod, [128, 1024] over the last axis', () => cumprod(factors, -1)],
  ['logsumexp, [128, 1024] over the last axis', () => logsumexp(rows, -1)],
  ['mean, [32, 64, 28, 28] over [0, 2, 3] (batch-norm statistics)', () => mean(images, [0, 2, 3])],
];

const threadCases: readonly [string, () => Tensor][] = [
  ['sum, 1e6', () => sum(flat)],
  ['max, 1e6', () => max(flat)],
  ['sum, 1e7', () => sum(flat7)],
  ['max, 1e7', () => max(flat7)],
  ['sum, [2048, 2048] over the last axis', () => sum(square, -1)],
  ['max, [2048, 2048] over the last axis', () => max(square, -1)],
  ['argmax, [2048, 2048] over the last axis', () => argmax(square, -1)],
  ['cumsum, [2048, 2048] over the last axis', () => cumsum(square, -1)],
  // A reference for what a second thread gives at the moment: the threaded gemm.
  ['matmul [512, 512] · [512, 512] (reference)', () => matmul(operand, operand)],
];

function time(run: () => Tensor): number {
  const start = performance.now();
  run().dispose();
  return performance.now() - start;
}

/** The best of three calls (the first can include compilation or a page-in). */
const bestOfThree = (run: () => Tensor) => Math.min(time(run), time(run), time(run));

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

interface Samples {
  first: number[];
  second: number[];
  ratio: number[];
}
const samples = (count: number): Samples[] =>
  Array.from({ length: count }, () => ({ first: [], second: [], ratio: [] }));

function printTable(
  heading: string,
  columns: [string, string, string],
  cases: readonly [string, () => Tensor][],
  results: Samples[],
): void {
  console.log(`\n${heading}`);
  console.log(`| ${columns.join(' | ')} | speed-up (median of per-round ratios) |`);
  console.log('|---|---|---|---|');
  cases.forEach(([name], index) => {
    const { first, second, ratio } = results[index]!;
    console.log(
      `| ${name} | ${median(first).toFixed(3)} | ${median(second).toFixed(3)} | ${median(ratio).toFixed(2)}× |`,
    );
  });
}

const loadBefore = loadavg()
  .map((value) => value.toFixed(1))
  .join(' / ');

setThreadCount(1);
const kernelResults = samples(kernelCases.length);
for (let round = 0; round < rounds; round++) {
  kernelCases.forEach(([, run], index) => {
    setKernelMode('simd');
    const simd = bestOfThree(run);
    setKernelMode('scalar');
    const loop = bestOfThree(run);
    kernelResults[index]!.first.push(loop);
    kernelResults[index]!.second.push(simd);
    kernelResults[index]!.ratio.push(loop / simd);
  });
}
setKernelMode('simd');

const threadResults = samples(threadCases.length);
let activeThreads = 0;
for (let round = 0; round < rounds; round++) {
  setThreadCount(1);
  const single = threadCases.map(([, run]) => bestOfThree(run));
  setThreadCount(2);
  activeThreads = (await kernelThreadsReady()).active;
  const double = threadCases.map(([, run]) => bestOfThree(run));
  threadCases.forEach((_, index) => {
    threadResults[index]!.first.push(single[index]!);
    threadResults[index]!.second.push(double[index]!);
    threadResults[index]!.ratio.push(single[index]! / double[index]!);
  });
}

const loadAfter = loadavg()
  .map((value) => value.toFixed(1))
  .join(' / ');
console.log(
  `float32, ${rounds} alternating rounds, best of three calls per mode and round, Node ${process.version}, load average ${loadBefore} before, ${loadAfter} after (${new Date().toISOString()})`,
);
printTable(
  'SIMD against the JavaScript loop, one kernel thread',
  ['reduction', 'JavaScript loop (ms)', 'SIMD (ms)'],
  kernelCases,
  kernelResults,
);
printTable(
  `One kernel thread against two (${activeThreads} active), SIMD`,
  ['reduction', 'one thread (ms)', 'two threads (ms)'],
  threadCases,
  threadResults,
);
