/**
 * Runs a conformance subset in headless Chromium through gpu.js's WebGL2 backend: the page
 * bundles @vane/tensor and @vane/gpu with esbuild, and playwright-core drives Debian's
 * `chromium` (never a downloaded browser). Skips, with the reason, where there is no Chromium,
 * and fails instead where CI installed it and set `VANE_BROWSER_REQUIRED=1`.
 */
import { fileURLToPath } from 'node:url';
import { chromiumRequirement } from '@vane/testkit';
import { describe, expect, it } from 'vitest';
import { runPageInChromium } from './support/chromium-page.js';

const chromiumAvailable = chromiumRequirement();

interface PageResult {
  ok: boolean;
  error?: string;
  info?: { kernelClass: string; renderer: string; path: string; webGPU: { used: boolean; reason: string } };
  checks?: { name: string; actual: number[]; expected: number[] }[];
  leakedTextures?: number;
}

/**
 * Bundling the page and starting Chromium take 3-5 s on an idle machine and more under load:
 * above vitest's default 5 s when the suite runs from the repository root (the package's own
 * config allows 120 s).
 */
const BROWSER_TIMEOUT_MS = 120_000;

describe('browser (headless Chromium, WebGL2)', () => {
  it('runs the conformance subset on WebGL2Kernel', { timeout: BROWSER_TIMEOUT_MS }, async (context) => {
    chromiumAvailable.skipUnlessAvailable(context);
    const { result, pageErrors } = await runPageInChromium<PageResult>(
      fileURLToPath(new URL('./browser/conformance-page.ts', import.meta.url)),
    );
    const logs = pageErrors;
    expect(result.error ?? logs.join('\n')).toBe(logs.join('\n'));
    expect(result.ok).toBe(true);
    console.log(`@vane/gpu browser: ${result.info!.kernelClass} on ${result.info!.renderer}`);
    expect(result.info!.kernelClass).toBe('WebGL2Kernel');
    expect(result.info!.path).toBe('webgl2');
    // The page never calls initWebGpu(): the gpu backend is gpu.js's WebGL2, and WebGPU unused.
    expect(result.info!.webGPU.used).toBe(false);
    expect(result.info!.webGPU.reason).toMatch(/navigator\.gpu is (present|absent); call `await initWebGpu\(\)`/);
    for (const check of result.checks!) {
      expect(check.actual.length, check.name).toBe(check.expected.length);
      check.actual.forEach((value, index) =>
        expect(Math.abs(value - check.expected[index]!), `${check.name}[${index}]`).toBeLessThan(
          1e-4 * (1 + Math.abs(check.expected[index]!)),
        ),
      );
    }
    expect(result.leakedTextures).toBe(0);
  });
});
