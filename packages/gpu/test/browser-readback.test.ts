/**
 * Asynchronous readback in headless Chromium (WebGL2): `await data()` takes the fence-polled
 * pixel-pack-buffer path, returns exactly what `dataSync()` and the host values say for every
 * dtype, odd sizes and views, and leaves the main thread free while a large read is pending
 * (a timer chain keeps ticking; during a blocking read it cannot). The page is
 * browser/readback-page.ts; Node's fallback (headless-gl) is checked in readback.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { chromiumRequirement } from '@vane/testkit';
import { describe, expect, it } from 'vitest';
import { runPageInChromium } from './support/chromium-page.js';

const chromiumAvailable = chromiumRequirement();

interface PageResult {
  ok: boolean;
  error?: string;
  info?: { kernelClass: string; readback: { mode: string; reason: string } };
  cases?: { name: string; dtype: string; length: number; asyncMismatches: string[]; syncMismatches: string[] }[];
  asynchronousReads?: number;
  channels?: number[];
  largeRead?: {
    length: number;
    mismatchesAgainstSync: string[];
    ticksDuringAsyncRead: number;
    ticksDuringSyncRead: number;
    asyncMilliseconds: number;
  };
  leakedTextures?: number;
}

describe('asynchronous readback (headless Chromium, WebGL2)', () => {
  // ANGLE reads the R32F storages as RED (one float per texel); `?rgba` makes the page's context
  // claim RGBA as its read format, so the four-channel path of other implementations runs too.
  it.for([
    ['RED', '', 1],
    ['RGBA (simulated)', '?rgba', 4],
  ] as const)(
    'await data() reading %s polls a fence, agrees with dataSync exactly, and leaves the main thread free',
    // Bundling, starting Chromium and a 262,144-value read behind two 512×512 matmuls: past
    // vitest's default 5 s under load when the suite runs from the repository root.
    { timeout: 120_000 },
    async ([, search, channels], context) => {
      chromiumAvailable.skipUnlessAvailable(context);
      const { result, pageErrors } = await runPageInChromium<PageResult>(
        fileURLToPath(new URL('./browser/readback-page.ts', import.meta.url)),
        search,
      );
      expect(result.error ?? pageErrors.join('\n')).toBe(pageErrors.join('\n'));
      expect(result.ok).toBe(true);
      expect(result.info!.kernelClass).toBe('WebGL2Kernel');
      expect(result.info!.readback.mode).toBe('async-fence');
      expect(result.channels).toEqual([channels]);
      const cases = result.cases!;
      expect(cases.length).toBe(12);
      for (const check of cases) {
        expect(check.asyncMismatches, `${check.name} (${check.dtype}), await data()`).toEqual([]);
        expect(check.syncMismatches, `${check.name} (${check.dtype}), dataSync()`).toEqual([]);
      }
      // Every await data() of the page went through the fence: 11 cases read once each, two
      // reads in flight at once, and the large read.
      expect(result.asynchronousReads).toBe(11 + 2 + 1);
      const large = result.largeRead!;
      console.log(
        `@vane/gpu async readback (${channels} per texel): ${large.length} values in ${large.asyncMilliseconds.toFixed(0)} ms, ` +
          `${large.ticksDuringAsyncRead} timer ticks meanwhile (${large.ticksDuringSyncRead} during the blocking read)`,
      );
      expect(large.length).toBe(512 * 512);
      expect(large.mismatchesAgainstSync).toEqual([]);
      // Microtasks run before timers: a read that resolved without returning to the event loop
      // (the blocking read in a promise) would leave this at 0.
      expect(large.ticksDuringAsyncRead).toBeGreaterThan(0);
      expect(large.ticksDuringSyncRead).toBe(0);
      expect(result.leakedTextures).toBe(0);
    },
  );
});
