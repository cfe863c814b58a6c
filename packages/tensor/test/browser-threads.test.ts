/**
 * Kernel threads in a real browser: the page (browser/threads-page.ts) is bundled from
 * @vane/tensor's sources with esbuild, served by a small HTTP server with and without the
 * cross-origin isolation headers (COOP/COEP) that `SharedArrayBuffer` needs, and run in
 * Debian's Chromium through playwright-core (never a downloaded browser). Isolated, two
 * threads must be active on Web Workers, a worker must have run chunks, and a large matmul and
 * a large fusedMap must give the one-thread bits, on the page's main thread (which spins) and
 * inside a Web Worker (which sleeps), also for a map kernel compiled after the workers started;
 * not isolated, or under a Content-Security-Policy that forbids Blob workers, the page must fall
 * back to one thread and say why. Skips with the reason where there is no Chromium, and fails instead where
 * CI set `VANE_BROWSER_REQUIRED=1`.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGUMENTS, chromiumRequirement } from '@vane/testkit';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadsPageResult } from './browser/threads-page.js';

const chromiumAvailable = chromiumRequirement();

let script: string | undefined;
let browser: Browser | undefined;
const servers: Server[] = [];

/**
 * Serves the page and its bundle on a free port, with the COOP/COEP headers when `isolated`,
 * and a Content-Security-Policy when given.
 */
async function serve(isolated: boolean, contentSecurityPolicy?: string): Promise<string> {
  const headers: Record<string, string> = isolated
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};
  if (contentSecurityPolicy !== undefined) headers['Content-Security-Policy'] = contentSecurityPolicy;
  const server = createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.writeHead(200, { ...headers, 'content-type': 'text/javascript' });
      response.end(script);
    } else {
      response.writeHead(200, { ...headers, 'content-type': 'text/html' });
      response.end(
        '<!doctype html><meta charset="utf-8"><title>vane threads</title><script src="/bundle.js"></script>',
      );
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

/** Opens `url` and returns what the page reported (uncaught errors, other than `expected` ones, fail the test). */
async function pageResult(url: string, expected?: RegExp): Promise<ThreadsPageResult> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  try {
    await page.goto(url);
    await page.waitForFunction(
      () => (globalThis as { vaneThreadsResult?: unknown }).vaneThreadsResult !== undefined,
      null,
      {
        timeout: 60_000,
      },
    );
    const result = (await page.evaluate(
      () => (globalThis as { vaneThreadsResult?: unknown }).vaneThreadsResult,
    )) as ThreadsPageResult;
    expect(result.error, 'the page threw').toBeUndefined();
    expect(errors.filter((error) => !expected?.test(error))).toEqual([]);
    return result;
  } finally {
    await page.close();
  }
}

describe('kernel threads in headless Chromium (Web Workers)', () => {
  beforeAll(async () => {
    if (!chromiumAvailable.available) return;
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/threads-page.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      // Workspace packages from their sources (docs/decisions/0005), as vitest uses them.
      conditions: ['@vane/source'],
      format: 'iife',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    script = bundle.outputFiles[0]!.text;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...HEADLESS_CHROMIUM_ARGUMENTS],
    });
  });
  afterAll(async () => {
    await browser?.close();
    for (const server of servers) server.close();
  });

  it('run matmul and fusedMap on two threads in a cross-origin isolated page, bit for bit as on one', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const result = await pageResult(await serve(true));
    expect(result.crossOriginIsolated).toBe(true);
    expect(result.inWorker).toBe(false);
    expect(result.kernelMode).toBe('simd');
    // The page's main thread defaults to navigator.hardwareConcurrency (at least 1).
    expect(result.defaultThreads).toBeGreaterThanOrEqual(1);
    expect(result.oneThread).toMatchObject({ requested: 1, active: 1 });
    expect(result.twoThreads).toMatchObject({ requested: 2, active: 2 });
    expect(result.twoThreads.reason).toBeUndefined();
    // A worker thread ran chunks (not only the calling thread), and every result kept its bits.
    expect(result.after.workerChunks).toBeGreaterThan(result.twoThreads.workerChunks);
    expect(result.after.parallelCalls).toBeGreaterThanOrEqual(2 * result.rounds);
    expect(result.productLength).toBe(512 * 448);
    expect(result.mapLength).toBe(1 << 19);
    expect(result.productMismatches).toBe(0);
    expect(result.mapMismatches).toBe(0);
    // A map kernel compiled after the workers started reached them, and kept its bits.
    expect(result.late.workerChunks).toBeGreaterThan(0);
    expect(result.late.mismatches).toBe(0);
    // The race test of kernel-stress.test.ts, with the main thread spinning instead of waiting.
    expect(result.stress!.threads).toBe(2);
    expect(result.stress!.failures).toEqual([]);
    expect(result.stress!.parallelCalls).toBeGreaterThan(0);
    console.log(
      `@vane/tensor browser threads: ${result.rounds} rounds, ${result.after.workerChunks} worker chunks; ` +
        `late kernel: ${result.late.rounds} calls until a worker ran ${result.late.workerChunks} chunks; stress: ` +
        `${result.stress!.products} products, ${result.stress!.convolutions} convolutions, ` +
        `${result.stress!.fusedMaps} fusedMaps, ${result.stress!.parallelCalls} split calls`,
    );
  });

  it('run on two threads from inside a Web Worker too, where the calling thread sleeps in Atomics.wait', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const result = await pageResult(`${await serve(true)}?worker`);
    expect(result.inWorker).toBe(true);
    expect(result.crossOriginIsolated).toBe(true);
    // A Web Worker defaults to one kernel thread, as a Node worker thread does.
    expect(result.defaultThreads).toBe(1);
    expect(result.twoThreads).toMatchObject({ requested: 2, active: 2 });
    expect(result.after.workerChunks).toBeGreaterThan(result.twoThreads.workerChunks);
    expect(result.productMismatches).toBe(0);
    expect(result.mapMismatches).toBe(0);
    expect(result.stress!.threads).toBe(2);
    expect(result.stress!.failures).toEqual([]);
  });

  it('fall back to one thread, saying why, where a Content-Security-Policy forbids Blob workers', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    // Chromium itself logs the blocked worker as a console error.
    const result = await pageResult(
      await serve(true, "worker-src 'self'"),
      /violates the following Content Security Policy/,
    );
    console.log(`@vane/tensor browser threads under worker-src 'self': ${result.twoThreads.reason}`);
    expect(result.crossOriginIsolated).toBe(true);
    expect(result.twoThreads).toMatchObject({ requested: 2, active: 1 });
    expect(result.twoThreads.reason).toMatch(/^a kernel worker failed without a message .*worker-src blob:/);
    expect(result.after.parallelCalls).toBe(0);
    expect(result.productMismatches).toBe(0);
    expect(result.mapMismatches).toBe(0);
  });

  it('fall back to one thread without cross-origin isolation and say why', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const result = await pageResult(await serve(false));
    expect(result.crossOriginIsolated).toBe(false);
    expect(result.twoThreads.requested).toBe(2);
    expect(result.twoThreads.active).toBe(1);
    expect(result.twoThreads.reason).toMatch(/SharedArrayBuffer is unavailable/);
    expect(result.after.parallelCalls).toBe(0);
    expect(result.productMismatches).toBe(0);
    expect(result.mapMismatches).toBe(0);
  });
});
