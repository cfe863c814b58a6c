/**
 * The GPU rows (gpu-rows.ts) measured in headless Chromium: WebGL2 on SwiftShader, Debian's
 * `chromium` driven by playwright-core with the flags every Vane browser test uses
 * (`@vane/testkit`). The page bundles the same workloads with esbuild, so the rows are the
 * ones `gpu-rows.ts` measures under headless-gl, and the `vane cpu` column is Vane's CPU
 * backend inside the same browser.
 *
 * Run: `npx tsx --conditions=@vane/source benchmarks/src/gpu-browser-rows.ts` (no X display
 * needed). Prints the renderer, the rows as a markdown table with gpu/cpu ratios, and the MLP
 * step's dispatch counts. `npm run bench` (run.ts) adds the same rows after the headless-gl
 * ones through {@link browserGpuRows} where Chromium is installed.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runPageInChromium } from './chromium-page.js';
import type { BenchmarkRow } from './harness.js';
import { stepCountLines, type StepCounts } from './gpu-rows.js';

interface PageRows {
  info: { kernelClass: string; renderer: string; path: string; webGPU: { used: boolean; adapter?: string } };
  rows: BenchmarkRow[];
  stepCounts: StepCounts[];
}

/** What {@link browserGpuRows} returns: the rows and what they ran on, or why they were skipped. */
export type BrowserGpuRows =
  | {
      /** `Chromium <version>: <kernel class> (<path>) on <renderer>`. */
      readonly renderer: string;
      readonly rows: BenchmarkRow[];
      readonly stepCounts: StepCounts[];
    }
  | { readonly skipped: string };

/** Runs the GPU rows in headless Chromium (WebGL2 on SwiftShader where there is no GPU). */
export async function browserGpuRows(): Promise<BrowserGpuRows> {
  const outcome = await runPageInChromium<PageRows>({
    entry: fileURLToPath(new URL('./gpu-browser-page.ts', import.meta.url)),
    resultGlobal: 'vaneGpuRows',
    crossOriginIsolated: false,
    title: 'vane gpu rows',
    extraArguments: ['--enable-unsafe-webgpu'],
  });
  if ('skipped' in outcome) return outcome;
  const { info, rows, stepCounts } = outcome.result;
  return {
    renderer:
      `Chromium ${outcome.browserVersion}: ${info.kernelClass} (${info.path}) on ${info.renderer}` +
      (info.webGPU.used ? `; the webgpu backend on ${info.webGPU.adapter}` : ''),
    rows,
    stepCounts,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const loadBefore = loadavg();
  const result = await browserGpuRows();
  if ('skipped' in result) {
    console.log(`skipped: ${result.skipped}`);
  } else {
    console.log(result.renderer);
    console.log(
      `load average before ${loadBefore.map((value) => value.toFixed(2)).join(' / ')}, after ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' / ')}`,
    );
    const median = (cell: BenchmarkRow['results'][string] | undefined) =>
      cell && 'median' in cell ? cell.median : undefined;
    const format = (milliseconds: number | undefined) =>
      milliseconds === undefined
        ? 'skipped'
        : `${milliseconds < 10 ? milliseconds.toFixed(2) : milliseconds.toFixed(1)} ms`;
    console.log(
      '| workload | vane cpu | vane gpu | gpu / cpu | vane webgpu | webgpu / cpu |\n| --- | --- | --- | --- | --- | --- |',
    );
    for (const row of result.rows) {
      const cpu = median(row.results['vane cpu']);
      const gpu = median(row.results['vane gpu']);
      const webGpu = median(row.results['vane webgpu']);
      const ratio = (time: number | undefined) =>
        cpu !== undefined && time !== undefined ? `${(time / cpu).toFixed(2)}×` : '';
      console.log(
        `| ${row.name} | ${format(cpu)} | ${format(gpu)} | ${ratio(gpu)} | ${format(webGpu)} | ${ratio(webGpu)} |`,
      );
    }
    console.log(stepCountLines(result.stepCounts));
  }
}
