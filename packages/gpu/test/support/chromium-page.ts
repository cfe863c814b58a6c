/**
 * Runs a page script in headless Chromium (Debian's `chromium` through playwright-core, never a
 * downloaded browser): the entry point is bundled with esbuild from the workspace sources,
 * served from 127.0.0.1, and the page reports through `window.vaneResult`, which this returns
 * with the page's uncaught errors.
 */
import { createServer } from 'node:http';
import { build } from 'esbuild';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGUMENTS } from '@vane/testkit';
import { chromium } from 'playwright-core';

/** What a page left in `window.vaneResult`, and the errors it threw outside it. */
export interface PageRun<Result> {
  readonly result: Result;
  readonly pageErrors: readonly string[];
}

/**
 * Bundles `entry` (a file path), loads it in headless Chromium (with `search`, e.g. `?mode=x`,
 * as the page's query, and `extraArguments` after the usual flags) and waits for
 * `window.vaneResult`.
 */
export async function runPageInChromium<Result>(
  entry: string,
  search = '',
  timeout = 90_000,
  extraArguments: readonly string[] = [],
): Promise<PageRun<Result>> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    // The workspace packages from their sources (docs/decisions/0005), as vitest uses them.
    conditions: ['@vane/source'],
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const server = createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><meta charset="utf-8"><title>vane gpu</title><script src="/bundle.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...HEADLESS_CHROMIUM_ARGUMENTS, ...extraArguments],
  });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${address.port}/${search}`);
    await page.waitForFunction(() => (globalThis as { vaneResult?: unknown }).vaneResult !== undefined, null, {
      timeout,
    });
    const result = (await page.evaluate(() => (globalThis as { vaneResult?: unknown }).vaneResult)) as Result;
    return { result, pageErrors };
  } finally {
    await browser.close();
    server.close();
  }
}
