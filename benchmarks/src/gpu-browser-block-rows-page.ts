/**
 * The page side of gpu-browser-block-rows.ts: 8×4 against 4×4 product blocks on WebGL2
 * (gpu-block-rows-comparison.ts, the 8×4 column forced: the device rule keeps WebGL2 at 4×4),
 * left on `globalThis.vaneGpuBlockRows` for the driver to collect.
 */
import { gpuInfo } from '@vane/gpu';
import { compareBlockRows, comparisonLines } from './gpu-block-rows-comparison.js';

const host = globalThis as { vaneGpuBlockRows?: unknown };
try {
  const rounds = Number(new URLSearchParams(location.search).get('rounds') ?? 8);
  const comparison = compareBlockRows(rounds, 3, true);
  host.vaneGpuBlockRows = { ok: true, info: gpuInfo(), comparison, lines: comparisonLines(comparison, false) };
} catch (error) {
  host.vaneGpuBlockRows = { ok: false, error: String((error as Error)?.stack ?? error) };
}
