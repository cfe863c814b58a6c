/**
 * Runs a benchmark page in Debian's headless Chromium and collects what it reports: the page's
 * entry module is bundled from the sources with esbuild, served on a free local port (with the
 * cross-origin isolation headers that `SharedArrayBuffer`, and so Vane's Web Worker kernel
 * threads, need, when asked), and the driver waits until the page sets its result on a global.
 * One mechanism for every browser row of `npm run bench` (the GPU rows on WebGL2 and the CPU
 * rows on Web Workers), with the flags every Vane browser test uses (`@vane/testkit`); never a
 * downloaded browser.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGUMENTS } from '@vane/testkit';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

/** What a page leaves on its result global: its rows and facts, or the error that stopped it. */
export type PageOutcome<T> = ({ ok: true } & T) | { ok: false; error: string };

/** Options of {@link runPageInChromium}. */
export interface ChromiumPageOptions {
  /** The page's entry module (a file path), bundled with the `@vane/source` condition. */
  readonly entry: string;
  /** The global the page sets when it is done (a {@link PageOutcome}). */
  readonly resultGlobal: string;
  /** Whether to serve the page with COOP/COEP, so that it is cross-origin isolated. */
  readonly crossOriginIsolated: boolean;
  /** The page's title, for the browser's logs. */
  readonly title: string;
  /** Flags after the usual ones (e.g. `--enable-unsafe-webgpu`, without which headless Chromium offers no WebGPU adapter). */
  readonly extraArguments?: readonly string[];
  /** How long to wait for the result (default 15 minutes: the rows run for minutes on a loaded machine). */
  readonly timeoutMilliseconds?: number;
}

/**
 * Bundles, serves and runs one page; returns its outcome (an error in the page throws here,
 * naming the page) and the browser's version, or `skipped` with the reason where Debian's
 * Chromium is not installed.
 */
export async function runPageInChromium<T>(
  options: ChromiumPageOptions,
): Promise<{ result: T; browserVersion: string } | { skipped: string }> {
  if (!existsSync(CHROMIUM_PATH)) return { skipped: `no Chromium at ${CHROMIUM_PATH}` };
  const bundle = await build({
    entryPoints: [options.entry],
    bundle: true,
    platform: 'browser',
    conditions: ['@vane/source'],
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // Row modules check process.argv to know whether they run as a script; in a page they do not.
    define: { 'process.argv': '[]' },
  });
  const script = bundle.outputFiles[0]!.text;
  const headers: Record<string, string> = options.crossOriginIsolated
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};
  const server = createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.writeHead(200, { ...headers, 'content-type': 'text/javascript' });
      response.end(script);
    } else {
      response.writeHead(200, { ...headers, 'content-type': 'text/html' });
      response.end(
        `<!doctype html><meta charset="utf-8"><title>${options.title}</title><script type="module" src="/bundle.js"></script>`,
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...HEADLESS_CHROMIUM_ARGUMENTS, ...(options.extraArguments ?? [])],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    const name = options.resultGlobal;
    await page.waitForFunction((global) => (globalThis as Record<string, unknown>)[global] !== undefined, name, {
      timeout: options.timeoutMilliseconds ?? 900_000,
    });
    const outcome = (await page.evaluate(
      (global) => (globalThis as Record<string, unknown>)[global],
      name,
    )) as PageOutcome<T>;
    if (!outcome.ok) throw new Error(`${options.title}: the page failed: ${outcome.error ?? errors.join('\n')}`);
    return { result: outcome as unknown as T, browserVersion: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}
