/**
 * The page side of gpu-browser-kernel-profile.ts: the MLP 784-256-256-10 SGD step on WebGL2 in
 * the browser, every kernel run timed (gpu-draw-timer.ts), left on
 * `globalThis.vaneGpuKernelProfile` for the driver to collect.
 */
import { gpuInfo } from '@vane/gpu';
import { findBackend } from '@vane/tensor';
import { drawTable, timeDraws, type TimedContext } from './gpu-draw-timer.js';
import { mlpTraining } from './gpu-rows.js';

const host = globalThis as { vaneGpuKernelProfile?: unknown };
const STEPS = 10;
try {
  // The backend's WebGL2 context, reached through an uploaded storage's texture.
  const backend = findBackend('gpu');
  const probe = backend.upload(new Float32Array([1, 2]), 'float32') as { texture?: { context?: TimedContext } };
  const context = probe.texture!.context!;
  backend.release(probe);
  // Chromium's finish() returns before the GPU process has run the draw; reading a pixel of the
  // bound framebuffer (the kernel's output) waits for it.
  const gl = context as unknown as WebGL2RenderingContext;
  const pixel = new Float32Array(4);
  const timer = timeDraws(context, undefined, () => gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, pixel));
  const training = mlpTraining('gpu');
  const step = () => {
    const value = training.step();
    void value.dataSync();
    value.dispose();
  };
  // Per-size kernel instances and their second copies compile until step 5 (texture-allocation.test.ts).
  for (let index = 0; index < 6; index++) step();
  timer.timing = true;
  const start = performance.now();
  for (let index = 0; index < STEPS; index++) step();
  const wall = (performance.now() - start) / STEPS;
  timer.timing = false;
  training.dispose();
  const inside = [...timer.entries.values()].reduce((sum, entry) => sum + entry.milliseconds, 0) / STEPS;
  host.vaneGpuKernelProfile = {
    ok: true,
    info: gpuInfo(),
    summary: `${STEPS} steps, ${wall.toFixed(1)} ms per step with finishes, ${inside.toFixed(1)} ms inside kernels`,
    table: drawTable(timer.entries, STEPS, false),
  };
} catch (error) {
  host.vaneGpuKernelProfile = { ok: false, error: String((error as Error)?.stack ?? error) };
}
