/**
 * Lazy elementwise fusion on the `webgpu` backend in headless Chromium (WebGPU on SwiftShader's
 * Vulkan), checked against the CPU backend: see test/webgpu/fusion-page.ts for the cases. Beyond
 * the values, the dispatch counts: a chain of elementwise ops is one kernel.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkWebGpuBattery, WEBGPU_PAGE_TIMEOUT_MS } from './support/webgpu-battery.js';

describe('webgpu backend: elementwise fusion (headless Chromium)', () => {
  it(
    'fuses chains, agrees with the CPU backend and releases its buffers',
    { timeout: WEBGPU_PAGE_TIMEOUT_MS },
    async (context) => {
      const report = await checkWebGpuBattery(
        context,
        fileURLToPath(new URL('./webgpu/fusion-page.ts', import.meta.url)),
      );
      for (const check of report.cases) console.log(`  ${check.name}: ${check.dispatches} dispatches`);
      const found = (name: string) => report.cases.find((check) => check.name === name)!;
      // Counted around each case's webgpu run, reads included (uploads are not dispatches).
      expect(found('five-op chain').dispatches).toBe(1);
      expect(found('bias add and relu after a matmul').dispatches).toBe(2);
      // Only `x.add(1)`: the released chain never ran.
      expect(found('a chain released before it ran dispatches nothing').dispatches).toBe(1);
      // 60 ops (20 muls, 20 adds, 20 abs) at 16 per kernel.
      expect(found('a chain longer than the step cap').dispatches).toBe(4);
      // Fused kernels compute the same f32 operations in the same order as the unfused ones.
      expect(found('fused equals unfused bit for bit').webgpu).toEqual([[0], [0]]);
      const [fused, unfused, afterOne, afterTwo, afterFive] = found('MLP step: dispatches and fused sources')
        .webgpu![0]!;
      console.log(
        `@vane/gpu webgpu fusion on ${report.adapter}: MLP step ${fused} dispatches (${unfused} unfused); ` +
          `fused sources after steps 1, 2, 5: ${afterOne}, ${afterTwo}, ${afterFive}`,
      );
      expect(fused).toBeLessThan(unfused!);
      // A training step's chains have the same structure every step: no new source after step 2.
      expect(afterFive).toBe(afterTwo);
    },
  );
});
