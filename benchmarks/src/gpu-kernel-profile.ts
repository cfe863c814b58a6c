/**
 * Where the gpu backend's time goes in one MLP 784-256-256-10 SGD step, kernel by kernel:
 * every gpu.js kernel run (one `drawArrays` on the WebGL context) is timed between two
 * `gl.finish()` calls (wall and process CPU time), grouped by what the kernel does (the Vane
 * functions its fragment shader defines) and its viewport (the output texture's size). Unlike gpu-profile.ts, a fused chain is its own row rather than part of the op that
 * consumed it, and a matmul's packs, product and unpack are separate rows.
 *
 * Run: `xvfb-run -a npx tsx --conditions=@vane/source benchmarks/src/gpu-kernel-profile.ts [steps]`.
 * The finish around every kernel serialises the device, so the sum is a little above a normal
 * step's time; the ranking is what it is for.
 */
import { gpuInfo } from '@vane/gpu';
import { findBackend } from '@vane/tensor';
import { mlpTraining } from './gpu-rows.js';
import { loadavg } from 'node:os';

interface Entry {
  calls: number;
  milliseconds: number;
  cpuMilliseconds: number;
}

/** The parts of a WebGL context this script calls. */
interface Context {
  finish(): void;
  drawArrays(...parameters: unknown[]): void;
  getParameter(name: number): unknown;
  getAttachedShaders(program: unknown): unknown[] | null;
  getShaderSource(shader: unknown): string | null;
  getUniform(program: unknown, location: unknown): unknown;
  getUniformLocation(program: unknown, name: string): unknown;
  readonly CURRENT_PROGRAM: number;
}

const entries = new Map<string, Entry>();
let timing = false;

/** A short name for a fragment shader: the kernel's own functions it defines (vane…), in order. */
function describe(source: string): string {
  const defined = [...source.matchAll(/\b(?:float|vec4|void)\s+(vane\w+)\s*\(/g)].map((match) => match[1]!);
  const distinct = [...new Set(defined)].filter((name) => !/^vane(Thread[XY]|Block(Sum|Row)\d\w*)$/.test(name));
  return distinct.slice(0, 6).join(',') || 'plain';
}

// Every gpu.js kernel run is one drawArrays on the backend's WebGL context, reached through the
// texture of an uploaded storage (gpu.js textures carry their context).
const backend = findBackend('gpu');
const probe = backend.upload(new Float32Array([1, 2]), 'float32') as { texture?: { context?: Context } };
const context = probe.texture!.context!;
backend.release(probe);
const labels = new Map<unknown, string>();
const draw = context.drawArrays.bind(context);
context.drawArrays = (...parameters: unknown[]) => {
  if (!timing) return draw(...parameters);
  context.finish();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  draw(...parameters);
  context.finish();
  const milliseconds = performance.now() - start;
  const used = process.cpuUsage(cpuBefore);
  const program = context.getParameter(context.CURRENT_PROGRAM);
  let label = labels.get(program);
  if (label === undefined) {
    const sources = (context.getAttachedShaders(program) ?? []).map((shader) => context.getShaderSource(shader) ?? '');
    // The fragment shader is the longer of the two (the vertex shader is a fixed quad).
    label = describe(sources.reduce((longest, source) => (source.length > longest.length ? source : longest), ''));
    labels.set(program, label);
  }
  // gpu.js sets the viewport to its largest texture; the output's own size is uniform uTexSize.
  const size = context.getUniform(program, context.getUniformLocation(program, 'uTexSize')) as ArrayLike<number> | null;
  const name = `${label} @${size ? `${size[0]}x${size[1]}` : '?'}`;
  const entry = entries.get(name) ?? { calls: 0, milliseconds: 0, cpuMilliseconds: 0 };
  entry.calls++;
  entry.milliseconds += milliseconds;
  entry.cpuMilliseconds += (used.user + used.system) / 1000;
  entries.set(name, entry);
};

const steps = Number(process.argv[2] ?? 10);
const training = mlpTraining('gpu');
// The warm-up reads the loss as the timed steps do, so that the loss's own kernels are compiled.
for (let step = 0; step < 4; step++) {
  const value = training.step();
  void value.dataSync();
  value.dispose();
}
timing = true;
const start = performance.now();
for (let step = 0; step < steps; step++) {
  const value = training.step();
  void value.dataSync();
  value.dispose();
}
const wall = (performance.now() - start) / steps;
timing = false;
training.dispose();
const rows = [...entries.entries()].sort((a, b) => b[1].cpuMilliseconds - a[1].cpuMilliseconds);
const total = rows.reduce((sum, [, entry]) => sum + entry.milliseconds, 0) / steps;
const cpuTotal = rows.reduce((sum, [, entry]) => sum + entry.cpuMilliseconds, 0) / steps;
const { renderer, kernelClass } = gpuInfo();
console.log(
  `renderer: ${kernelClass} on ${renderer}; ${steps} steps, ${wall.toFixed(1)} ms per step with finishes, ${total.toFixed(1)} ms inside kernels (${cpuTotal.toFixed(1)} ms of process CPU time); load ${loadavg()[0]!.toFixed(1)}`,
);
console.log('ms/step  cpu ms/step  calls/step  kernel @texture');
for (const [name, entry] of rows) {
  console.log(
    `${(entry.milliseconds / steps).toFixed(2).padStart(7)}  ${(entry.cpuMilliseconds / steps).toFixed(2).padStart(11)}  ${(entry.calls / steps).toFixed(0).padStart(10)}  ${name}`,
  );
}
