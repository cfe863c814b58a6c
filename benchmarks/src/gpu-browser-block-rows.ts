/**
 * 8×4 against 4×4 product blocks on WebGL2 in headless Chromium (SwiftShader where there is no
 * GPU), alternating in one page (gpu-block-rows-comparison.ts), the 8×4 column forced: median
 * and lowest wall time per MLP step of each.
 *
 * Run: `npx tsx --conditions=@vane/source benchmarks/src/gpu-browser-block-rows.ts` (no X display
 * needed; 8 rounds of 3 steps each way).
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BlockRowComparison } from './gpu-block-rows-comparison.js';
import { runPageInChromium } from './chromium-page.js';

interface PageResult {
  info: { kernelClass: string; renderer: string };
  comparison: BlockRowComparison;
  lines: string[];
}

const loadBefore = loadavg()[0]!;
const outcome = await runPageInChromium<PageResult>({
  entry: fileURLToPath(new URL('./gpu-browser-block-rows-page.ts', import.meta.url)),
  resultGlobal: 'vaneGpuBlockRows',
  crossOriginIsolated: false,
  title: 'vane gpu block rows',
});
if ('skipped' in outcome) {
  console.log(`skipped: ${outcome.skipped}`);
} else {
  const { info, comparison, lines } = outcome.result;
  console.log(
    `Chromium ${outcome.browserVersion}: ${info.kernelClass} on ${info.renderer}; 8x4 ran: ${comparison.eightRowsRan} (device rule: ${comparison.available}); ${comparison.rounds} rounds of ${comparison.stepsPerRound} steps each way; load ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
  );
  for (const line of lines) console.log(line);
}
