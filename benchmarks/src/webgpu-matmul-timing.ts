/**
 * Times the `webgpu` backend's matmul (several tilings of webgpu-matmul.ts) beside the gpu.js
 * `gpu` backend (WebGL2) and the `cpu` backend, all in one headless Chromium page with WebGPU
 * enabled (`--enable-unsafe-webgpu`; without a GPU the adapter is SwiftShader's Vulkan and
 * WebGL2 is SwiftShader too, so the numbers compare kernels on a software rasteriser, not GPUs).
 * A measuring script, not a test and not part of `npm run bench`.
 *
 * Run: `npx tsx --conditions=@vane/source benchmarks/src/webgpu-matmul-timing.ts`. Prints one
 * markdown table of median milliseconds (each run reads the product back).
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runPageInChromium } from './chromium-page.js';

const loadBefore = loadavg();
const outcome = await runPageInChromium<{ rows: Record<string, Record<string, number>> }>({
  entry: fileURLToPath(new URL('./webgpu-matmul-timing-page.ts', import.meta.url)),
  resultGlobal: 'vaneWebGpuMatmulTiming',
  crossOriginIsolated: false,
  title: 'webgpu matmul timing',
  // Headless Chromium offers a WebGPU adapter only with this flag.
  extraArguments: ['--enable-unsafe-webgpu'],
});
if ('skipped' in outcome) {
  console.log(`skipped: ${outcome.skipped}`);
} else {
  const { rows } = outcome.result;
  const version = outcome.browserVersion;
  console.log(
    `Chromium ${version}; load average before ${loadBefore.map((value) => value.toFixed(2)).join(' / ')}, after ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' / ')}`,
  );
  const columns = Object.keys(Object.values(rows)[0] ?? {});
  console.log(`| shape | ${columns.join(' | ')} |\n|${' --- |'.repeat(columns.length + 1)}`);
  for (const [name, row] of Object.entries(rows))
    console.log(
      `| ${name} | ${columns.map((column) => (row[column] === undefined ? '-' : `${row[column].toFixed(2)} ms`)).join(' | ')} |`,
    );
}
