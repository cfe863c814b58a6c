/**
 * The `webgpu` backend's reduction primitives (reduce, argReduce, cumulative) in headless
 * Chromium (WebGPU on SwiftShader's Vulkan), checked against the CPU backend: see
 * test/webgpu/reduction-page.ts for the cases and their tolerances.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWebGpuBattery, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

describe('webgpu backend: reduction primitives (headless Chromium)', () => {
  it('agrees with the CPU backend and releases its buffers', { timeout: WEBGPU_PAGE_TIMEOUT_MS }, async (context) => {
    const started = Date.now();
    const report = await checkWebGpuBattery(
      context,
      fileURLToPath(new URL('./webgpu/reduction-page.ts', import.meta.url)),
    );
    console.log(
      `@vane/gpu webgpu: ${report.cases.length} reduction cases on ${report.adapter} in ${Date.now() - started} ms`,
    );
    // A million values into one output: the chunk pass, then the partials' pass.
    const million = report.cases.find((found) => found.name === 'sum of a million values (two passes)')!;
    expect(million.dispatches).toBe(2);
    // Output shapes come from the tensor core; a reduction over the last axis is one dispatch.
    const last = report.cases.find((found) => found.name === 'sum over the last axis')!;
    expect(last.dispatches).toBe(1);
  });
});
