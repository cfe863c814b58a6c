/**
 * The Node half of the `webgpu` conformance battery: runs a battery page (see
 * `../webgpu/battery.ts`) in headless Chromium with WebGPU enabled (`--enable-unsafe-webgpu`:
 * headless Chromium offers no adapter without it; here the adapter is SwiftShader's Vulkan) and
 * checks every case against the CPU backend's values.
 *
 * Skips, with the reason, where there is no Chromium; fails where CI set
 * `VANE_BROWSER_REQUIRED=1`, and fails too when Chromium ran but offered no WebGPU adapter.
 */
import { chromiumRequirement } from '@vane/testkit';
import { expect, type TestContext } from 'vitest';
import type { BatteryReport, CaseReport } from '../webgpu/battery.js';
import { runPageInChromium } from './chromium-page.js';

/** Bundling the page and starting Chromium take seconds; SwiftShader compiles each shader on first use. */
export const WEBGPU_PAGE_TIMEOUT_MS = 300_000;

/** The flags that give headless Chromium a WebGPU adapter. */
export const WEBGPU_CHROMIUM_ARGUMENTS: readonly string[] = ['--enable-unsafe-webgpu'];

const chromium = chromiumRequirement();

function mismatches(report: CaseReport): string[] {
  const found: string[] = [];
  const absolute = report.tolerance?.absolute ?? 1e-5;
  const relative = report.tolerance?.relative ?? 1e-5;
  report.cpu!.forEach((expected, which) => {
    const actual = report.webgpu![which]!;
    if (actual.length !== expected.length) {
      found.push(`${report.name} output ${which}: ${actual.length} values, cpu has ${expected.length}`);
      return;
    }
    expected.forEach((value, index) => {
      const got = actual[index]!;
      const same =
        (Number.isNaN(value) && Number.isNaN(got)) ||
        got === value ||
        Math.abs(got - value) <= absolute + relative * Math.abs(value);
      if (!same && found.length < 8)
        found.push(`${report.name} output ${which} [${index}]: webgpu ${got}, cpu ${value}`);
    });
  });
  return found;
}

/**
 * Runs the battery page `entry` and asserts: WebGPU was available, every case ran without an
 * error, agreed with the CPU within its tolerance and released its buffers. Returns the report
 * (for extra assertions such as dispatch counts).
 */
export async function checkWebGpuBattery(context: TestContext, entry: string): Promise<BatteryReport> {
  chromium.skipUnlessAvailable(context);
  const { result, pageErrors } = await runPageInChromium<BatteryReport>(
    entry,
    '',
    WEBGPU_PAGE_TIMEOUT_MS,
    WEBGPU_CHROMIUM_ARGUMENTS,
  );
  expect(pageErrors).toEqual([]);
  expect(result.error).toBeUndefined();
  expect(result.available, result.reason).toBe(true);
  expect(result.cases.length).toBeGreaterThan(0);
  const errors = result.cases.filter((report) => report.error).map((report) => `${report.name}: ${report.error}`);
  expect(errors).toEqual([]);
  const wrong = result.cases.flatMap(mismatches);
  expect(wrong).toEqual([]);
  const leaks = result.cases.filter((report) => report.leakedBuffers !== 0).map((report) => report.name);
  expect(leaks).toEqual([]);
  return result;
}
