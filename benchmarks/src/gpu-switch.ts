/**
 * The MLP 784-256-256-10 SGD step (batch 128, loss read back; gpu-rows.ts's mlpTraining, the
 * step of gpu-mlp-step.ts) on the gpu backend with one of its switches on and off, alternating in
 * one process so that both see the same load, and the cpu backend's step once per round for the
 * gpu/cpu ratio. The switches: `bands`, blocked products in two bands or one (texel-fetch.ts's
 * productBands); `flush`, a flush after every dispatch or none (kernel-runner.ts's submitDraw).
 * Prints per variant the median and lowest wall and process CPU time per step
 * (`process.cpuUsage`: llvmpipe's rasteriser threads count too, so work they take off the main
 * thread shows as wall time below CPU time when a second core is free).
 *
 * Run: `xvfb-run -a npx tsx --conditions=@vane/source benchmarks/src/gpu-switch.ts bands|flush [rounds]`.
 */
import { gpuInfo, overrideFlushAfterDispatch, overrideProductBands } from '@vane/gpu';
import { loadavg } from 'node:os';
import { mlpTraining } from './gpu-rows.js';

const SWITCHES = { bands: overrideProductBands, flush: overrideFlushAfterDispatch } as const;
const switchName = process.argv[2] as keyof typeof SWITCHES;
if (!(switchName in SWITCHES))
  throw new Error(
    `gpu-switch: the first argument must be one of ${Object.keys(SWITCHES).join(', ')}, got ${switchName}`,
  );
const override = SWITCHES[switchName];
const rounds = Number(process.argv[3] ?? 12);
const stepsPerRound = 3;
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const variants = ['on', 'off', 'cpu'] as const;
type Variant = (typeof variants)[number];
const times: Record<Variant, { wall: number[]; cpu: number[] }> = {
  on: { wall: [], cpu: [] },
  off: { wall: [], cpu: [] },
  cpu: { wall: [], cpu: [] },
};
const gpu = mlpTraining('gpu');
const cpu = mlpTraining('cpu');
const stepOf = (variant: Variant) => () => {
  const value = (variant === 'cpu' ? cpu : gpu).step();
  void value.dataSync();
  value.dispose();
};
const select = (variant: Variant) => {
  if (variant !== 'cpu') override(variant === 'on');
};
const loads: number[] = [];
try {
  // Warm-up: every kernel instance of both layouts compiles (until about step 5).
  for (const variant of variants) {
    select(variant);
    for (let index = 0; index < 7; index++) stepOf(variant)();
  }
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0]!);
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      select(variant);
      const step = stepOf(variant);
      // The first step after a switch finishes results of the other layout: not timed.
      step();
      for (let index = 0; index < stepsPerRound; index++) {
        const cpuBefore = cpuNow();
        const start = performance.now();
        step();
        times[variant].wall.push(performance.now() - start);
        times[variant].cpu.push(cpuNow() - cpuBefore);
      }
    }
  }
} finally {
  override(undefined);
  gpu.dispose();
  cpu.dispose();
}
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const { kernelClass, renderer } = gpuInfo();
console.log(
  `${kernelClass} on ${renderer}; switch ${switchName}; ${rounds} rounds of ${stepsPerRound} steps each way; load (1 min) ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}`,
);
const cpuMedian = median(times.cpu.wall);
for (const variant of variants) {
  const { wall, cpu: used } = times[variant];
  const ratio = variant === 'cpu' ? '' : `, gpu/cpu ${(median(wall) / cpuMedian).toFixed(2)}x`;
  console.log(
    `${variant}: wall median ${median(wall).toFixed(1)} ms, lowest ${Math.min(...wall).toFixed(1)} ms; process CPU median ${median(used).toFixed(1)} ms, lowest ${Math.min(...used).toFixed(1)} ms${ratio}`,
  );
}
