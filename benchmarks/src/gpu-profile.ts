/**
 * Where the gpu backend's time goes in one MLP 784-256-256-10 SGD step (the bench's row):
 * every primitive op of the step, timed between two `gl.finish()` calls so that each op's
 * kernels have really run, grouped by op and shapes and sorted by total time, with the
 * dispatches each op issued.
 *
 * Run: `xvfb-run -a npx tsx --conditions=@vane/source benchmarks/src/gpu-profile.ts [steps]`.
 * The finish after every op serialises the device, so the sum is a little above a normal
 * step's time; the ranking is what it is for. Fused elementwise chains run inside the op that
 * needs their result (a matmul, a reduction, the readback), so their time is counted there,
 * and an elementwise op shows 0 dispatches.
 */
import { gpuInfo, gpuStats } from '@vane/gpu';
import { findBackend, type TensorView } from '@vane/tensor';
import { mlpTraining } from './gpu-rows.js';
import { loadavg } from 'node:os';

const PASSIVE = new Set(['name', 'supportsSyncRead', 'upload', 'read', 'readSync', 'release']);

interface Entry {
  calls: number;
  milliseconds: number;
  /** Process CPU time (main thread and llvmpipe's rasterizer threads) spent in the op. */
  cpuMilliseconds: number;
  dispatches: number;
}

const isView = (value: unknown): value is TensorView =>
  typeof value === 'object' && value !== null && 'shape' in value && 'strides' in value;

/** Label of one backend call: the op, its kernel name if any, and its operands' shapes. */
function label(op: string, args: readonly unknown[]): string {
  const kernel =
    typeof args[0] === 'string'
      ? `/${args[0]}`
      : typeof (args[0] as { name?: unknown })?.name === 'string'
        ? `/${(args[0] as { name: string }).name}`
        : '';
  const shapes = args.flatMap((arg) =>
    isView(arg)
      ? [`[${arg.shape.join(',')}]`]
      : Array.isArray(arg) && arg.every(isView)
        ? arg.map((view) => `[${view.shape.join(',')}]`)
        : [],
  );
  return `${op}${kernel} ${shapes.join(' ')}`;
}

const steps = Number(process.argv[2] ?? 5);
const backend = findBackend('gpu') as unknown as Record<string, unknown>;
const training = mlpTraining('gpu');
// The first step compiles every kernel; the next ones compile the per-size instances of kernels
// called at several sizes (kernel-runner.ts), which would otherwise be timed as the ops' work.
for (let step = 0; step < 4; step++) training.step().dispose();
const { renderer, kernelClass } = gpuInfo();
let finish: (() => void) | undefined;
const entries = new Map<string, Entry>();
for (const [key, value] of Object.entries(backend)) {
  if (typeof value !== 'function' || PASSIVE.has(key)) continue;
  backend[key] = (...args: unknown[]) => {
    finish?.();
    const dispatchesBefore = gpuStats().dispatches;
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const output = (value as (...parameters: unknown[]) => unknown)(...args);
    // An elementwise op returns a pending chain (elementwise-fusion.ts): reading its `texture`
    // would run it here and undo the fusion, so its time shows up in the op that consumes it.
    const pending = typeof output === 'object' && output !== null && 'chain' in output;
    const texture = pending ? undefined : (output as { texture?: { context?: { finish(): void } } })?.texture;
    finish ??= texture?.context ? () => texture.context!.finish() : undefined;
    finish?.();
    const name = label(key, args);
    const entry = entries.get(name) ?? { calls: 0, milliseconds: 0, cpuMilliseconds: 0, dispatches: 0 };
    entry.calls++;
    entry.milliseconds += performance.now() - start;
    const used = process.cpuUsage(cpuBefore);
    entry.cpuMilliseconds += (used.user + used.system) / 1000;
    entry.dispatches += gpuStats().dispatches - dispatchesBefore;
    entries.set(name, entry);
    return output;
  };
}
const start = performance.now();
for (let step = 0; step < steps; step++) {
  const value = training.step();
  void value.dataSync();
  value.dispose();
}
const wall = (performance.now() - start) / steps;
training.dispose();
const rows = [...entries.entries()].sort((a, b) => b[1].milliseconds - a[1].milliseconds);
const total = rows.reduce((sum, [, entry]) => sum + entry.milliseconds, 0) / steps;
const cpuTotal = rows.reduce((sum, [, entry]) => sum + entry.cpuMilliseconds, 0) / steps;
console.log(
  `renderer: ${kernelClass} on ${renderer}; ${steps} steps, ${wall.toFixed(1)} ms per step with a finish after every op, ${total.toFixed(1)} ms inside ops (${cpuTotal.toFixed(1)} ms of process CPU time); load ${loadavg()[0]!.toFixed(1)}`,
);
// The CPU time is the renderer's work (and the JS around it) even when other jobs stretch the
// wall time; a finish after every op adds a thread wake-up to each, so small ops look dearer
// than they are inside a step.
console.log('ms/step  cpu ms/step  share  calls/step  dispatches/step  op');
for (const [name, entry] of rows) {
  console.log(
    `${(entry.milliseconds / steps).toFixed(2).padStart(7)}  ${(entry.cpuMilliseconds / steps).toFixed(2).padStart(11)}  ${((100 * entry.milliseconds) / steps / total).toFixed(1).padStart(4)}%  ${(entry.calls / steps).toFixed(0).padStart(10)}  ${(entry.dispatches / steps).toFixed(0).padStart(15)}  ${name}`,
  );
}
