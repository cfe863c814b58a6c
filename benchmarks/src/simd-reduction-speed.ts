/**
 * The float32 SIMD reductions (packages/tensor/src/wasm/simd-reductions.ts) against the
 * JavaScript loop they replace: sum and max over 1e6 float32 values and over the last axis of
 * [128, 1024], sum over its first axis (a bias gradient), SIMD mode and scalar mode (`setKernelMode('scalar')`, the loop every call took
 * before) alternating round by round. Prints each case's median time per mode and the median of
 * the per-round ratios, with the load average before and after.
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/simd-reduction-speed.ts [-- --rounds 9]
 */
import { loadavg } from 'node:os';
import { logsumexp, max, setKernelMode, setThreadCount, sum, tensor, type Tensor } from '@vane/tensor';

const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex >= 0 ? Number(process.argv[roundsIndex + 1]) : 9;
const flat = tensor(Float32Array.from({ length: 1_000_000 }, (_, index) => Math.sin(index) * 20));
const rows = tensor(
  Float32Array.from({ length: 128 * 1024 }, (_, index) => Math.cos(index) * 5),
  { shape: [128, 1024] },
);

const cases: readonly [string, () => Tensor][] = [
  ['sum, 1e6', () => sum(flat)],
  ['max, 1e6', () => max(flat)],
  ['sum, [128, 1024] over the last axis', () => sum(rows, -1)],
  ['max, [128, 1024] over the last axis', () => max(rows, -1)],
  ['sum, [128, 1024] over the first axis (a bias gradient)', () => sum(rows, 0)],
  ['logsumexp, [128, 1024] over the last axis', () => logsumexp(rows, -1)],
];

function time(run: () => Tensor): number {
  const start = performance.now();
  run().dispose();
  return performance.now() - start;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

setThreadCount(1);
const loadBefore = loadavg()[0]!;
const results = cases.map(() => ({ simd: [] as number[], scalar: [] as number[], ratio: [] as number[] }));
for (let round = 0; round < rounds; round++) {
  cases.forEach(([, run], index) => {
    // The best of three calls per mode (the first can include compilation or a page-in).
    setKernelMode('simd');
    const simd = Math.min(time(run), time(run), time(run));
    setKernelMode('scalar');
    const scalar = Math.min(time(run), time(run), time(run));
    results[index]!.simd.push(simd);
    results[index]!.scalar.push(scalar);
    results[index]!.ratio.push(scalar / simd);
  });
}
setKernelMode('simd');
const loadAfter = loadavg()[0]!;
console.log(
  `float32, ${rounds} alternating rounds, 1 kernel thread, Node ${process.version}, load ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (${new Date().toISOString()})`,
);
console.log('| reduction | JavaScript loop (ms) | SIMD (ms) | speed-up (median of per-round ratios) |');
console.log('|---|---|---|---|');
cases.forEach(([name], index) => {
  const { simd, scalar, ratio } = results[index]!;
  console.log(`| ${name} | ${median(scalar).toFixed(3)} | ${median(simd).toFixed(3)} | ${median(ratio).toFixed(2)}× |`);
});
