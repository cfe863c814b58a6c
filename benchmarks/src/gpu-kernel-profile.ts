/**
 * Where the gpu backend's time goes in one MLP 784-256-256-10 SGD step, kernel by kernel:
 * every gpu.js kernel run (one `drawArrays` on the WebGL context) is timed between two
 * `gl.finish()` calls (wall and process CPU time), grouped by what the kernel does (the Vane
 * functions its fragment shader defines) and its viewport (the output texture's size). Unlike gpu-profile.ts, a fused chain is its own row rather than part of the op that
 * consumed it, and a matmul's packs, product and unpack are separate rows.
 *
 * Run: `xvfb-run -a npx tsx --conditions=@vane/source benchmarks/src/gpu-kernel-profile.ts [steps]`;
 * gpu-browser-kernel-profile.ts gives the same table for WebGL2 in headless Chromium.
 * The finish around every kernel serialises the device, so the sum is a little above a normal
 * step's time; the ranking is what it is for.
 */
import { gpuInfo } from '@vane/gpu';
import { findBackend } from '@vane/tensor';
import { loadavg } from 'node:os';
import { drawTable, timeDraws, type TimedContext } from './gpu-draw-timer.js';
import { mlpTraining } from './gpu-rows.js';

// Every gpu.js kernel run is one drawArrays on the backend's WebGL context, reached through the
// texture of an uploaded storage (gpu.js textures carry their context).
const backend = findBackend('gpu');
const probe = backend.upload(new Float32Array([1, 2]), 'float32') as { texture?: { context?: TimedContext } };
const context = probe.texture!.context!;
backend.release(probe);
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const timer = timeDraws(context, cpuNow);

const steps = Number(process.argv[2] ?? 10);
const training = mlpTraining('gpu');
// The warm-up reads the loss as the timed steps do, so that the loss's own kernels are compiled.
for (let step = 0; step < 4; step++) {
  const value = training.step();
  void value.dataSync();
  value.dispose();
}
timer.timing = true;
const start = performance.now();
for (let step = 0; step < steps; step++) {
  const value = training.step();
  void value.dataSync();
  value.dispose();
}
const wall = (performance.now() - start) / steps;
timer.timing = false;
training.dispose();
const entries = [...timer.entries.values()];
const total = entries.reduce((sum, entry) => sum + entry.milliseconds, 0) / steps;
const cpuTotal = entries.reduce((sum, entry) => sum + entry.cpuMilliseconds, 0) / steps;
const { renderer, kernelClass } = gpuInfo();
console.log(
  `renderer: ${kernelClass} on ${renderer}; ${steps} steps, ${wall.toFixed(1)} ms per step with finishes, ${total.toFixed(1)} ms inside kernels (${cpuTotal.toFixed(1)} ms of process CPU time); load ${loadavg()[0]!.toFixed(1)}`,
);
for (const line of drawTable(timer.entries, steps, true)) console.log(line);
