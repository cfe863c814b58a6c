/**
 * Runs a conformance subset in headless Chromium through gpu.js's WebGL2 backend: the page
 * bundles @vane/tensor and @vane/gpu with esbuild, and playwright-core drives Debian's
 * `chromium` (never a downloaded browser). Skips, with the reason, where there is no Chromium,
 * and fails instead where CI installed it and set `VANE_BROWSER_REQUIRED=1`.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CHROMIUM_PATH, HEADLESS_CHROMIUM_ARGUMENTS, chromiumRequirement } from '@vane/testkit';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

const chromiumAvailable = chromiumRequirement();

interface PageResult {
  ok: boolean;
  error?: string;
  info?: { kernelClass: string; renderer: string; path: string; webGPU: { used: boolean; reason: string } };
  checks?: { name: string; actual: number[]; expected: number[] }[];
  leakedTextures?: number;
}

describe('browser (headless Chromium, WebGL2)', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('runs the conformance subset on WebGL2Kernel', async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./browser/conformance-page.ts', import.meta.url))],
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
    server = createServer((request, response) => {
      if (request.url === '/bundle.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        response.end(script);
      } else {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><meta charset="utf-8"><title>vane gpu</title><script src="/bundle.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...HEADLESS_CHROMIUM_ARGUMENTS],
    });
    try {
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('pageerror', (error) => logs.push(error.message));
      await page.goto(`http://127.0.0.1:${address.port}/`);
      await page.waitForFunction(() => (globalThis as { vaneResult?: unknown }).vaneResult !== undefined, null, {
        timeout: 90_000,
      });
      const result = (await page.evaluate(() => (globalThis as { vaneResult?: unknown }).vaneResult)) as PageResult;
      expect(result.error ?? logs.join('\n')).toBe(logs.join('\n'));
      expect(result.ok).toBe(true);
      console.log(`@vane/gpu browser: ${result.info!.kernelClass} on ${result.info!.renderer}`);
      expect(result.info!.kernelClass).toBe('WebGL2Kernel');
      expect(result.info!.path).toBe('webgl2');
      expect(result.info!.webGPU.used).toBe(false);
      expect(result.info!.webGPU.reason).toMatch(/navigator\.gpu is (present|absent)/);
      for (const check of result.checks!) {
        expect(check.actual.length, check.name).toBe(check.expected.length);
        check.actual.forEach((value, index) =>
          expect(Math.abs(value - check.expected[index]!), `${check.name}[${index}]`).toBeLessThan(
            1e-4 * (1 + Math.abs(check.expected[index]!)),
          ),
        );
      }
      expect(result.leakedTextures).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
