/**
 * argmax/argmin and cumsum/cumprod on the gpu backend (headless-gl in Node: llvmpipe under
 * Xvfb), each timed to the end of a readback, which waits for the device: of the whole result
 * (`dataSync`), and of its last value only (a one-value slice copied and read), which leaves out
 * the transfer of a large result. Cases: one axis of 2^20 values (a single output: the case
 * where one fragment walking the whole axis had no parallelism at all) and [1024, 1024] over the
 * last axis; `neg` of the same values is the floor (one elementwise pass and the transfer).
 * Prints each case's medians over the rounds, and the load average before and after.
 *
 * Run: node scripts/with-display.mjs npx tsx --conditions=@vane/source benchmarks/src/gpu-scan-speed.ts [-- --rounds 5] [--size 20] [--only cumsum]
 */
import { loadavg } from 'node:os';
import '@vane/gpu';
import { argmax, argmin, cumprod, cumsum, neg, reshape, slice, tensor, type Tensor } from '@vane/tensor';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const rounds = Number(argument('--rounds', '5'));
const logSize = Number(argument('--size', '20'));
const only = argument('--only', '');
const size = 2 ** logSize;
const side = 2 ** Math.floor(logSize / 2);

const values = Float32Array.from({ length: size }, (_, index) => Math.sin(index * 0.37) * 0.001 + 1);
const flat = tensor(values, { backend: 'gpu' });
const rows = tensor(values, { shape: [side, size / side], backend: 'gpu' });

const cases: readonly [string, () => Tensor][] = [
  [`argmax, 2^${logSize} in one axis`, () => argmax(flat, 0)],
  [`argmin, 2^${logSize} in one axis`, () => argmin(flat, 0)],
  [`cumsum, 2^${logSize} in one axis`, () => cumsum(flat, 0)],
  [`cumprod, 2^${logSize} in one axis`, () => cumprod(flat, 0)],
  [`argmax, [${side}, ${size / side}] over the last axis`, () => argmax(rows, 1)],
  [`cumsum, [${side}, ${size / side}] over the last axis`, () => cumsum(rows, 1)],
  [`neg, 2^${logSize} (the floor: one elementwise pass)`, () => neg(flat)],
];

function time(run: () => Tensor, whole: boolean): number {
  const start = performance.now();
  const output = run();
  if (whole) output.dataSync();
  else {
    const flatOutput = reshape(output, [output.size]);
    const last = slice(flatOutput, [{ start: output.size - 1 }]);
    const copy = neg(last);
    copy.dataSync();
    for (const tensor of [copy, last, flatOutput]) tensor.dispose();
  }
  const elapsed = performance.now() - start;
  output.dispose();
  return elapsed;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

const loadBefore = loadavg()[0]!;
for (const [name, run] of cases) {
  if (only && !name.startsWith(only)) continue;
  time(run, true); // compiles the kernels
  time(run, false);
  const whole = Array.from({ length: rounds }, () => time(run, true));
  const one = Array.from({ length: rounds }, () => time(run, false));
  console.log(
    `${name}: median ${median(whole).toFixed(1)} ms reading the whole result, ${median(one).toFixed(1)} ms reading its last value, over ${rounds} rounds`,
  );
}
console.log(`load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`);
