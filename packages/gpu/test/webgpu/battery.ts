/**
 * The page half of the `webgpu` backend's conformance battery: each case builds its inputs and
 * computes its result once on the CPU backend and once on `webgpu`, and the page reports both
 * (plus any error, and whether the case leaked buffers) through `window.vaneResult`. The Node
 * half (`../support/webgpu-battery.ts`) compares them. The CPU backend is the reference: an
 * independent implementation, itself checked against closed forms and PyTorch.
 */
import { setBackend, tidy, type Tensor } from '@vane/tensor';
import { initWebGpu, webGpuBufferCount, webGpuDispatchCount } from '../../src/index.js';

/** One check: `run` is called on each backend and must build its own inputs deterministically. */
export interface BatteryCase {
  readonly name: string;
  readonly run: () => Tensor | readonly Tensor[];
  /** Allowed |webgpu − cpu| as `absolute + relative·|cpu|` (default 1e-5 and 1e-5). */
  readonly tolerance?: { readonly absolute?: number; readonly relative?: number };
}

/** What one case produced on both backends. */
export interface CaseReport {
  readonly name: string;
  readonly cpu?: number[][];
  readonly webgpu?: number[][];
  readonly dtypes?: string[];
  readonly shapes?: number[][];
  readonly error?: string;
  /** webgpu buffers alive after the case minus before (0 when nothing leaked). */
  readonly leakedBuffers: number;
  readonly dispatches: number;
  readonly tolerance?: { readonly absolute?: number; readonly relative?: number };
}

/** What the page reports. */
export interface BatteryReport {
  readonly available: boolean;
  readonly adapter: string;
  readonly reason: string;
  readonly cases: CaseReport[];
  readonly error?: string;
}

/** Deterministic values in [low, high): a 32-bit mulberry generator seeded with `seed`. */
export function seededValues(count: number, seed: number, low = -1, high = 1): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    const unit = ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
    return low + unit * (high - low);
  });
}

function asList(result: Tensor | readonly Tensor[]): readonly Tensor[] {
  return Array.isArray(result) ? (result as readonly Tensor[]) : [result as Tensor];
}

async function runCase(check: BatteryCase): Promise<CaseReport> {
  const before = webGpuBufferCount();
  const dispatchesBefore = webGpuDispatchCount();
  try {
    setBackend('cpu');
    const cpuTensors = asList(tidy(() => asList(check.run()) as Tensor[]));
    const cpu = cpuTensors.map((tensor) => Array.from(tensor.dataSync(), Number));
    const dtypes = cpuTensors.map((tensor) => tensor.dtype);
    const shapes = cpuTensors.map((tensor) => [...tensor.shape]);
    cpuTensors.forEach((tensor) => tensor.dispose());
    setBackend('webgpu');
    const gpuTensors = asList(tidy(() => asList(check.run()) as Tensor[]));
    const webgpu: number[][] = [];
    for (const tensor of gpuTensors) webgpu.push(Array.from(await tensor.data(), Number));
    const gpuDtypes = gpuTensors.map((tensor) => tensor.dtype);
    gpuTensors.forEach((tensor) => tensor.dispose());
    if (gpuDtypes.join() !== dtypes.join())
      throw new Error(`dtypes differ: cpu ${dtypes.join()} webgpu ${gpuDtypes.join()}`);
    return {
      name: check.name,
      cpu,
      webgpu,
      dtypes,
      shapes,
      leakedBuffers: webGpuBufferCount() - before,
      dispatches: webGpuDispatchCount() - dispatchesBefore,
      tolerance: check.tolerance,
    };
  } catch (error) {
    return {
      name: check.name,
      error: String((error as Error).stack ?? error),
      leakedBuffers: webGpuBufferCount() - before,
      dispatches: webGpuDispatchCount() - dispatchesBefore,
    };
  } finally {
    setBackend('cpu');
  }
}

/** Runs every case and leaves the report in `window.vaneResult`. */
export async function reportBattery(cases: readonly BatteryCase[]): Promise<void> {
  const host = globalThis as { vaneResult?: BatteryReport };
  try {
    const found = await initWebGpu();
    const reports: CaseReport[] = [];
    if (found.available) for (const check of cases) reports.push(await runCase(check));
    host.vaneResult = { available: found.available, adapter: found.adapter, reason: found.reason, cases: reports };
  } catch (error) {
    host.vaneResult = {
      available: false,
      adapter: '',
      reason: '',
      cases: [],
      error: String((error as Error).stack ?? error),
    };
  }
}
