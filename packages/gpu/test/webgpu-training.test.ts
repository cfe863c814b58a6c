/**
 * Whole training steps on the `webgpu` backend in headless Chromium — forward, valueAndGrad's
 * backward pass and @vane/optim updates, for an MLP under six optimizers and a small
 * convolutional network — against the same steps on the CPU backend (see
 * test/webgpu/training-page.ts). No step reads a value back synchronously.
 */
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { checkWebGpuBattery, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

describe('webgpu backend: training steps (headless Chromium)', () => {
  it('trains as the CPU backend does', { timeout: WEBGPU_PAGE_TIMEOUT_MS }, async (context) => {
    const report = await checkWebGpuBattery(
      context,
      fileURLToPath(new URL('./webgpu/training-page.ts', import.meta.url)),
    );
    console.log(`@vane/gpu webgpu: ${report.cases.length} training cases on ${report.adapter}`);
  });
});
