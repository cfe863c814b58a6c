/**
 * The page side of gpu-browser-rows.ts: runs the GPU rows (gpu-rows.ts) in the browser and
 * leaves them, with gpuInfo(), on `globalThis.vaneGpuRows` for the driver to collect.
 */
import { gpuInfo, initWebGpu } from '@vane/gpu';
import { gpuRows } from './gpu-rows.js';

const host = globalThis as { vaneGpuRows?: unknown };
// Registers the webgpu backend where Chromium offers an adapter, so the rows get a webgpu column.
initWebGpu()
  .then(() => gpuRows())
  .then(
    (rows) => {
      host.vaneGpuRows = { ok: true, info: gpuInfo(), ...rows };
    },
    (error: unknown) => {
      host.vaneGpuRows = { ok: false, error: String((error as Error)?.stack ?? error) };
    },
  );
