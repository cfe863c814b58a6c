/**
 * selectGpuBackend() and gpuInfo().webGPU in headless Chromium with WebGPU enabled: the
 * SwiftShader adapter is a software fallback, so the default choice stays the gpu.js WebGL2
 * backend and `acceptFallbackAdapter` selects webgpu; synchronous reads on webgpu fail with the
 * fix in the message; a gather index out of range gives NaN there (the kernel's guard).
 */
import { fileURLToPath } from 'node:url';
import { chromiumRequirement } from '@vane/testkit';
import { describe, expect, it } from 'vitest';
import { runPageInChromium } from './support/chromium-page.js';
import { WEBGPU_CHROMIUM_ARGUMENTS, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

const chromium = chromiumRequirement();

interface SelectionResult {
  error?: string;
  before: { used: boolean; reason: string };
  after: { used: boolean; reason: string; adapter?: string };
  chosenByDefault: string;
  backendAfterDefault: string;
  chosenAcceptingFallback: string;
  syncReadError: string;
  unknownOptionError: string;
  gathered: number[];
  moved: { backend: string; values: number[] };
}

describe('webgpu backend: selection and gpuInfo (headless Chromium)', () => {
  it(
    'passes over the software adapter unless asked, and reports what runs',
    { timeout: WEBGPU_PAGE_TIMEOUT_MS },
    async (context) => {
      chromium.skipUnlessAvailable(context);
      const { result, pageErrors } = await runPageInChromium<SelectionResult>(
        fileURLToPath(new URL('./webgpu/selection-page.ts', import.meta.url)),
        '',
        WEBGPU_PAGE_TIMEOUT_MS,
        WEBGPU_CHROMIUM_ARGUMENTS,
      );
      expect(pageErrors).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.before.used).toBe(false);
      expect(result.before.reason).toMatch(/navigator\.gpu is present; call `await initWebGpu\(\)`/);
      expect(result.chosenByDefault).toBe('gpu');
      expect(result.backendAfterDefault).toBe('gpu');
      expect(result.chosenAcceptingFallback).toBe('webgpu');
      expect(result.after.used).toBe(true);
      expect(result.after.adapter).toMatch(/swiftshader/);
      expect(result.after.reason).toMatch(
        /'webgpu' backend runs: WebGPU device from navigator\.gpu .*fallback adapter/,
      );
      expect(result.syncReadError).toMatch(/webgpu\.readSync: .*use `await tensor\.data\(\)`/);
      expect(result.unknownOptionError).toMatch(/selectGpuBackend.*acceptFallback/);
      expect(result.gathered[0]).toBe(30);
      expect(result.gathered[1]).toBeNaN();
      expect(result.gathered[2]).toBeNaN();
      expect(result.moved).toEqual({ backend: 'cpu', values: [8, 10] });
    },
  );
});
