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
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGUMENTS } from '@vane/testkit';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { BenchmarkRow } from './harness.js';
import type { StepCounts } from './gpu-rows.js';

interface PageRows {
  ok: boolean;
  error?: string;
  info?: { kernelClass: string; renderer: string; path: string };
  rows?: BenchmarkRow[];
  stepCounts?: StepCounts[];
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
  if (!existsSync(CHROMIUM_PATH)) return { skipped: `no Chromium at ${CHROMIUM_PATH}` };
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./gpu-browser-page.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    conditions: ['@vane/source'],
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // gpu-rows.ts checks process.argv to know whether it runs as a script; in the page it does not.
    define: { 'process.argv': '[]' },
  });
  const script = bundle.outputFiles[0]!.text;
  const server = createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        '<!doctype html><meta charset="utf-8"><title>vane gpu rows</title><script type="module" src="/bundle.js"></script>',
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...HEADLESS_CHROMIUM_ARGUMENTS],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as { vaneGpuRows?: unknown }).vaneGpuRows !== undefined, null, {
      timeout: 900_000,
    });
    const result = (await page.evaluate(() => (globalThis as { vaneGpuRows?: unknown }).vaneGpuRows)) as PageRows;
    if (!result.ok) throw new Error(`gpu-browser-rows: the page failed: ${result.error ?? errors.join('\n')}`);
    const info = result.info!;
    return {
      renderer: `Chromium ${browser.version()}: ${info.kernelClass} (${info.path}) on ${info.renderer}`,
      rows: result.rows!,
      stepCounts: result.stepCounts!,
    };
  } finally {
    await browser.close();
    server.close();
  }
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
    console.log('| workload | vane cpu | vane gpu | gpu / cpu |\n| --- | --- | --- | --- |');
    for (const row of result.rows) {
      const cpu = median(row.results['vane cpu']);
      const gpu = median(row.results['vane gpu']);
      const ratio = cpu !== undefined && gpu !== undefined ? `${(gpu / cpu).toFixed(2)}×` : '';
      console.log(`| ${row.name} | ${format(cpu)} | ${format(gpu)} | ${ratio} |`);
    }
    for (const counts of result.stepCounts)
      console.log(
        `${counts.name}: ${counts.primitiveOps} primitive ops; gpu: ${counts.dispatches} dispatches, ${counts.uploads} uploads, ${counts.readbacks} readbacks`,
      );
  }
}
