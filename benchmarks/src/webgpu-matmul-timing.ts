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
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGUMENTS } from '@vane/testkit';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

type Outcome = { ok: true; rows: Record<string, Record<string, number>> } | { ok: false; error: string };

/** Bundles and runs the timing page; returns its rows and the browser's version. */
async function runTimingPage(): Promise<{ rows: Record<string, Record<string, number>>; version: string }> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./webgpu-matmul-timing-page.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    conditions: ['@vane/source'],
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const server = createServer((request, response) => {
    const isScript = request.url === '/bundle.js';
    response.writeHead(200, { 'content-type': isScript ? 'text/javascript' : 'text/html' });
    response.end(
      isScript
        ? script
        : '<!doctype html><meta charset="utf-8"><title>webgpu matmul timing</title><script type="module" src="/bundle.js"></script>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...HEADLESS_CHROMIUM_ARGUMENTS, '--enable-unsafe-webgpu'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(
      () => (globalThis as { vaneWebGpuMatmulTiming?: unknown }).vaneWebGpuMatmulTiming,
      null,
      {
        timeout: 900_000,
      },
    );
    const outcome = (await page.evaluate(
      () => (globalThis as { vaneWebGpuMatmulTiming?: unknown }).vaneWebGpuMatmulTiming,
    )) as Outcome;
    if (!outcome.ok) throw new Error(`webgpu matmul timing page failed: ${outcome.error}`);
    return { rows: outcome.rows, version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

if (!existsSync(CHROMIUM_PATH)) {
  console.log(`skipped: no Chromium at ${CHROMIUM_PATH}`);
} else {
  const loadBefore = loadavg();
  const { rows, version } = await runTimingPage();
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
