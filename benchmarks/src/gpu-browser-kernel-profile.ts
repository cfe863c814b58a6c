/**
 * gpu-kernel-profile.ts for WebGL2 in headless Chromium (SwiftShader where there is no GPU):
 * where the gpu backend's time goes in one MLP 784-256-256-10 SGD step, kernel by kernel, each
 * draw between two one-pixel reads, which wait for Chromium's GPU process (wall time only: the
 * page cannot see that process's CPU time).
 *
 * Run: `npx tsx --conditions=@vane/source benchmarks/src/gpu-browser-kernel-profile.ts` (no X
 * display needed).
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runPageInChromium } from './chromium-page.js';

interface PageProfile {
  info: { kernelClass: string; renderer: string };
  summary: string;
  table: string[];
}

const loadBefore = loadavg()[0]!;
const outcome = await runPageInChromium<PageProfile>({
  entry: fileURLToPath(new URL('./gpu-browser-kernel-page.ts', import.meta.url)),
  resultGlobal: 'vaneGpuKernelProfile',
  crossOriginIsolated: false,
  title: 'vane gpu kernel profile',
});
if ('skipped' in outcome) {
  console.log(`skipped: ${outcome.skipped}`);
} else {
  const { info, summary, table } = outcome.result;
  console.log(
    `Chromium ${outcome.browserVersion}: ${info.kernelClass} on ${info.renderer}; ${summary}; load ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
  );
  for (const line of table) console.log(line);
}
