/**
 * softmax/logSoftmax rows and their gradients on the `webgpu` backend in headless Chromium
 * (see test/webgpu/softmax-page.ts), against the CPU backend; a classifier batch's logSoftmax
 * is one dispatch.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWebGpuBattery, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

describe('webgpu backend: softmax rows (headless Chromium)', () => {
  it('agrees with the CPU backend in one dispatch per op', { timeout: WEBGPU_PAGE_TIMEOUT_MS }, async (context) => {
    const report = await checkWebGpuBattery(
      context,
      fileURLToPath(new URL('./webgpu/softmax-page.ts', import.meta.url)),
    );
    const logSoftmaxRows = report.cases.find((found) => found.name === 'logSoftmax rows of 10')!;
    // The input is an upload; the op is one dispatch (the composite took eight).
    expect(logSoftmaxRows.dispatches).toBe(1);
    const pastLimit = report.cases.find((found) => found.name === 'rows of 300 (past the limit: the composite)')!;
    expect(pastLimit.dispatches).toBeGreaterThan(1);
  });
});
