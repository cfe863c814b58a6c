/**
 * The threaded-kernel stress test at length: random products and convolutions checked against
 * the scalar kernel while tasks interleave (packages/tensor/src/kernel-stress.ts; `npm test`
 * runs it for 3 seconds). Exits 1 on any disagreement.
 *
 * Run: npm run stress -w benchmarks [-- --seconds 120 --threads 2 --tasks 3]
 */
import { runKernelStress } from '@vane/tensor';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};

const seconds = argument('seconds', 60);
const threads = argument('threads', 2);
const tasks = argument('tasks', 3);
const seedValue = argument('seed', Date.now() % 1_000_000);
const report = await runKernelStress({ durationMilliseconds: seconds * 1000, threads, tasks, seed: seedValue });
console.log(
  `kernel stress, seed ${seedValue}, ${seconds} s, ${tasks} tasks: ${report.products} products and ${report.convolutions} convolutions checked against the scalar kernel; ${report.fusedMaps} fusedMap calls checked bit for bit against the JavaScript loop; ${report.parallelCalls} kernel calls split over ${report.threads} threads`,
);
if (report.failures.length > 0) {
  console.error(`${report.failures.length} disagreements:\n${report.failures.join('\n')}`);
  process.exit(1);
}
console.log('no disagreement');
