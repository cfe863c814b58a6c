/**
 * The `webgpu` backend's elementwise primitives in headless Chromium (WebGPU on SwiftShader's
 * Vulkan), checked against the CPU backend: see test/webgpu/elementwise-page.ts for the cases.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWebGpuBattery, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

describe('webgpu backend: elementwise primitives (headless Chromium)', () => {
  it('agrees with the CPU backend and releases its buffers', { timeout: WEBGPU_PAGE_TIMEOUT_MS }, async (context) => {
    const report = await checkWebGpuBattery(
      context,
      fileURLToPath(new URL('./webgpu/elementwise-page.ts', import.meta.url)),
    );
    console.log(`@vane/gpu webgpu: ${report.cases.length} elementwise cases on ${report.adapter}`);
    const add = report.cases.find((found) => found.name === 'add over a transposed view')!;
    // One dispatch for the op (inputs are uploads, not dispatches).
    expect(add.dispatches).toBe(1);
  });
});
