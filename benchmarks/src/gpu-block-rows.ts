/**
 * The MLP 784-256-256-10 SGD step (batch 128, loss read back) on the gpu backend with 8×4 and
 * with 4×4 product blocks, alternating in one process: rounds of a few steps each way, so that
 * both see the same load. The machine this runs on is shared, and between separate processes
 * its load moved the step by more than the few milliseconds compared here. Reports the median
 * and the lowest wall and process CPU time per step of each (the lowest is the least disturbed
 * by other jobs). Where eight-row blocks are not available (WebGL2) both columns run 4×4.
 *
 * Run: `xvfb-run -a npx tsx --conditions=@vane/source benchmarks/src/gpu-block-rows.ts [rounds]`.
 */
import { eightRowBlocksAvailable, gpuInfo, overrideEightRowBlocks } from '@vane/gpu';
import { loadavg } from 'node:os';
import { mlpTraining } from './gpu-rows.js';

const rounds = Number(process.argv[2] ?? 12);
const STEPS_PER_ROUND = 3;
const available = eightRowBlocksAvailable();
const training = mlpTraining('gpu');
const step = () => {
  const value = training.step();
  void value.dataSync();
  value.dispose();
};
const times: Record<'8x4' | '4x4', { wall: number[]; cpu: number[] }> = {
  '8x4': { wall: [], cpu: [] },
  '4x4': { wall: [], cpu: [] },
};
const variants = ['8x4', '4x4'] as const;
// Warm-up: every kernel instance of both heights compiles (per-size instances until step 5).
for (const variant of variants) {
  overrideEightRowBlocks(variant === '8x4' ? available : false);
  for (let index = 0; index < 7; index++) step();
}
for (let round = 0; round < rounds; round++) {
  for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
    overrideEightRowBlocks(variant === '8x4' ? available : false);
    // The first step after a switch finishes results of the other height: not timed.
    step();
    for (let index = 0; index < STEPS_PER_ROUND; index++) {
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      step();
      times[variant].wall.push(performance.now() - start);
      const used = process.cpuUsage(cpuBefore);
      times[variant].cpu.push((used.user + used.system) / 1000);
    }
  }
}
overrideEightRowBlocks(undefined);
training.dispose();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const { kernelClass, renderer } = gpuInfo();
console.log(
  `${kernelClass} on ${renderer}; 8x4 blocks available: ${available}; ${rounds} rounds of ${STEPS_PER_ROUND} steps each way; load ${loadavg()[0]!.toFixed(1)}`,
);
for (const variant of variants) {
  const { wall, cpu } = times[variant];
  console.log(
    `${variant}: wall median ${median(wall).toFixed(1)} ms, lowest ${Math.min(...wall).toFixed(1)} ms; process CPU median ${median(cpu).toFixed(1)} ms, lowest ${Math.min(...cpu).toFixed(1)} ms`,
  );
}
