/**
 * The `webgpu` backend's convolution and pooling primitives in headless Chromium (WebGPU on
 * SwiftShader's Vulkan), checked against the CPU backend: see test/webgpu/convolution-page.ts
 * for the cases.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWebGpuBattery, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

describe('webgpu backend: convolution and pooling primitives (headless Chromium)', () => {
  it('agrees with the CPU backend and releases its buffers', { timeout: WEBGPU_PAGE_TIMEOUT_MS }, async (context) => {
    const report = await checkWebGpuBattery(
      context,
      fileURLToPath(new URL('./webgpu/convolution-page.ts', import.meta.url)),
    );
    console.log(`@vane/gpu webgpu: ${report.cases.length} convolution and pooling cases on ${report.adapter}`);
    const strided = report.cases.find((found) => found.name.startsWith('conv2d of a flipped input'))!;
    // Strided operands are read in place: one dispatch, no dense copies.
    expect(strided.dispatches).toBe(1);
    const chunked = report.cases.find((found) => found.name.startsWith('conv2dWeightGradient of a first layer'))!;
    // The chunk sums, then their total per weight value.
    expect(chunked.dispatches).toBe(2);
  });
});
