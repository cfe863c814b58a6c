/**
 * The `webgpu` backend's gather, scatterAdd, concat and pad in headless Chromium (WebGPU on
 * SwiftShader's Vulkan), checked against the CPU backend: see test/webgpu/indexing-page.ts for
 * the cases.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWebGpuBattery, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

describe('webgpu backend: gather, scatterAdd, concat and pad (headless Chromium)', () => {
  it('agrees with the CPU backend and releases its buffers', { timeout: WEBGPU_PAGE_TIMEOUT_MS }, async (context) => {
    const report = await checkWebGpuBattery(
      context,
      fileURLToPath(new URL('./webgpu/indexing-page.ts', import.meta.url)),
    );
    console.log(`@vane/gpu webgpu: ${report.cases.length} indexing cases on ${report.adapter}`);
    // Views are read in place: concat is one dispatch per input, pad one dispatch.
    const concatenation = report.cases.find((found) => found.name.startsWith('concat of 3 strided views'))!;
    expect(concatenation.dispatches).toBe(3);
    const padding = report.cases.find((found) => found.name.startsWith('pad a transposed rank-4 view'))!;
    expect(padding.dispatches).toBe(1);
  });
});
