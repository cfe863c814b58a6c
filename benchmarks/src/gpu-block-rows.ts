/**
 * 8×4 against 4×4 product blocks on headless-gl, alternating in one process
 * (gpu-block-rows-comparison.ts): median and lowest wall and process CPU time per MLP step of
 * each (the lowest is the least disturbed by other jobs). Where eight-row blocks are not
 * available both columns run 4×4.
 *
 * Run: `xvfb-run -a npx tsx --conditions=@vane/source benchmarks/src/gpu-block-rows.ts [rounds]`.
 */
import { gpuInfo } from '@vane/gpu';
import { loadavg } from 'node:os';
import { compareBlockRows, comparisonLines } from './gpu-block-rows-comparison.js';

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const comparison = compareBlockRows(Number(process.argv[2] ?? 12), 3, false, cpuNow);
const { kernelClass, renderer } = gpuInfo();
console.log(
  `${kernelClass} on ${renderer}; 8x4 blocks available: ${comparison.available}; ${comparison.rounds} rounds of ${comparison.stepsPerRound} steps each way; load ${loadavg()[0]!.toFixed(1)}`,
);
for (const line of comparisonLines(comparison, true)) console.log(line);
