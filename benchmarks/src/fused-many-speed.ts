/**
 * Benchmark: Adam's two moment updates over 10M float32 elements, as two fusedMap passes
 * (m from (m, g), v from (v, g)) against one fusedMapMany pass over (m, v, g), in alternating
 * rounds (so that a change in machine load hits both alike); the ratio is the median of the
 * per-round ratios. The results are checked equal bit for bit first.
 *
 * Run: npx tsx --conditions=@vane/source benchmarks/src/fused-many-speed.ts [--size 10000000] [--repetitions 15]
 */
import os from 'node:os';
import { defineKernel, dispose, expression as e, fusedMap, fusedMapMany, randn, seed } from '@vane/tensor';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const SIZE = argument('size', 10_000_000);
const REPETITIONS = argument('repetitions', 15);
const [BETA1, BETA2] = [0.9, 0.999];

const firstMoment = (m: e.Operand, g: e.Operand, beta: e.Operand) => e.add(e.mul(beta, m), e.mul(e.sub(1, beta), g));
const secondMoment = (v: e.Operand, g: e.Operand, beta: e.Operand) =>
  e.add(e.mul(beta, v), e.mul(e.mul(e.sub(1, beta), g), g));
const FIRST = defineKernel('bench.first', { inputs: ['m', 'g'], scalars: ['beta'] }, ({ m, g, beta }) =>
  firstMoment(m, g, beta),
);
const SECOND = defineKernel('bench.second', { inputs: ['v', 'g'], scalars: ['beta'] }, ({ v, g, beta }) =>
  secondMoment(v, g, beta),
);
const SIGNATURE = { inputs: ['m', 'v', 'g'], scalars: ['beta1', 'beta2'] } as const;
const FIRST_OF_THREE = defineKernel('bench.firstOfThree', SIGNATURE, ({ m, g, beta1 }) => firstMoment(m, g, beta1));
const SECOND_OF_THREE = defineKernel('bench.secondOfThree', SIGNATURE, ({ v, g, beta2 }) => secondMoment(v, g, beta2));

seed(1);
const m = randn([SIZE]);
const v = randn([SIZE]).abs();
const g = randn([SIZE]);
const separate = () => [fusedMap(FIRST, [m, g], [BETA1]), fusedMap(SECOND, [v, g], [BETA2])];
const together = () => fusedMapMany([FIRST_OF_THREE, SECOND_OF_THREE], [m, v, g], [BETA1, BETA2]);

const check = [separate(), together()];
for (let index = 0; index < 2; index++) {
  const a = new Uint32Array((check[0]![index]!.dataSync() as Float32Array).buffer.slice(0));
  const b = new Uint32Array((check[1]![index]!.dataSync() as Float32Array).buffer.slice(0));
  if (a.length !== b.length || a.some((bits, element) => bits !== b[element]))
    throw new Error(`fused-many-speed: output ${index} differs between the two forms`);
}
check.flat().forEach((t) => dispose(t));

const load = os.loadavg();
const times: [number[], number[]] = [[], []];
for (let round = 0; round < REPETITIONS + 2; round++) {
  [separate, together].forEach((run, index) => {
    const start = performance.now();
    const outputs = run();
    const elapsed = performance.now() - start;
    outputs.forEach((t) => dispose(t));
    if (round >= 2) times[index]!.push(elapsed);
  });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const ratios = times[0].map((time, round) => time / times[1][round]!);
console.log(
  `${SIZE.toLocaleString('en')} float32, ${REPETITIONS} rounds; load before ${load.map((x) => x.toFixed(2)).join(', ')}, after ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}`,
);
console.log(`two fusedMap passes:   ${median(times[0]).toFixed(2)} ms (median)`);
console.log(`one fusedMapMany pass: ${median(times[1]).toFixed(2)} ms (median)`);
console.log(`speed-up (median of per-round ratios): ${median(ratios).toFixed(2)}x`);
