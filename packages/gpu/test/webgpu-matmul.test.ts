/**
 * The `webgpu` backend's matrix product in headless Chromium (WebGPU on SwiftShader's Vulkan),
 * checked against the CPU backend: see test/webgpu/matmul-page.ts for the cases and tolerances.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWebGpuBattery, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

describe('webgpu backend: matmul (headless Chromium)', () => {
  it('agrees with the CPU backend and releases its buffers', { timeout: WEBGPU_PAGE_TIMEOUT_MS }, async (context) => {
    const report = await checkWebGpuBattery(
      context,
      fileURLToPath(new URL('./webgpu/matmul-page.ts', import.meta.url)),
    );
    console.log(`@vane/gpu webgpu: ${report.cases.length} matmul cases on ${report.adapter}`);
    // Operands are read through their strides: a transposed, sliced or broadcast operand costs
    // no copy, so each product is one dispatch with either kernel (uploads are not dispatches).
    for (const kernel of ['workgroup-memory kernel', 'direct kernel']) {
      const dispatches = (name: string) =>
        report.cases.find((found) => found.name === `${name} (${kernel})`)!.dispatches;
      expect(dispatches('33×65 · 65×17')).toBe(1);
      expect(dispatches('transposed a: (33×65)ᵀ · 33×17')).toBe(1);
      expect(dispatches('both transposed: (65×33)ᵀ · (17×65)ᵀ')).toBe(1);
      expect(dispatches('sliced views (offsets, row strides, a column step)')).toBe(1);
      expect(dispatches('rank 4 with transposed batched b and an expanded a')).toBe(1);
    }
  });
});
