/**
 * The page side of gpu-browser-rows.ts: runs the GPU rows (gpu-rows.ts) in the browser and
 * leaves them, with gpuInfo(), on `globalThis.vaneGpuRows` for the driver to collect.
 */
import { gpuInfo } from '@vane/gpu';
import { gpuRows } from './gpu-rows.js';

const host = globalThis as { vaneGpuRows?: unknown };
gpuRows().then(
  (rows) => {
    host.vaneGpuRows = { ok: true, info: gpuInfo(), ...rows };
  },
  (error: unknown) => {
    host.vaneGpuRows = { ok: false, error: String((error as Error)?.stack ?? error) };
  },
);
