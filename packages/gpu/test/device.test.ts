import { findBackend, getBackend, listBackends, setBackend, tensor } from '@vane/tensor';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gpuInfo, initWebGpu, selectGpuBackend } from '../src/index.js';
import { gpuReady, gpuRequired, unavailableReason } from './gpu-availability.js';

describe('gpu device', () => {
  it('registers a backend named gpu on import', () => {
    expect(findBackend('gpu').name).toBe('gpu');
  });

  it.skipIf(!gpuReady)(`runs on a graphics path, not a fallback (${unavailableReason ?? 'available'})`, () => {
    const info = gpuInfo();
    expect(info.isGraphicsPath).toBe(true);
    if (typeof window === 'undefined' && gpuRequired) {
      // CI runs Node under Xvfb: the real WebGL path there is headless-gl.
      expect(info.kernelClass).toBe('HeadlessGLKernel');
    }
    console.log(`@vane/gpu: ${info.kernelClass} on ${info.renderer} (${info.version})`);
  });

  it.skipIf(!gpuReady)('says which path runs and whether WebGPU is used, before and after initWebGpu', async () => {
    const info = gpuInfo();
    if (info.kernelClass === 'HeadlessGLKernel') expect(info.path).toBe('webgl1 via headless-gl');
    // In Node the verdict on Dawn comes from really loading gpu.js's 'webgpu' package.
    let loads: boolean;
    try {
      createRequire(import.meta.url)('webgpu');
      loads = true;
    } catch {
      loads = false;
    }
    expect(info.webGPU.present).toBe(loads);
    expect(info.webGPU.reason).toMatch(loads ? /package loads/ : /package does not load here \(.+\)/);
    const found = await initWebGpu();
    if (!loads) {
      expect(found.available).toBe(false);
      expect(found.reason).toMatch(/package does not load here/);
    }
    const after = gpuInfo().webGPU;
    expect(after.used).toBe(found.available);
    expect(after.reason).toMatch(found.available ? /'webgpu' backend runs/ : /no WebGPU device: /);
    expect(listBackends().includes('webgpu')).toBe(found.available);
    try {
      // A software fallback adapter is passed over unless asked for (webgpu-backend.ts).
      const expected = found.available && !found.isFallbackAdapter ? 'webgpu' : 'gpu';
      expect(await selectGpuBackend()).toBe(expected);
      expect(getBackend()).toBe(expected);
      await expect(selectGpuBackend({ acceptFallback: true } as never)).rejects.toThrow(
        /selectGpuBackend.*acceptFallback/,
      );
    } finally {
      setBackend('cpu');
    }
    console.log(`@vane/gpu: path ${info.path}; WebGPU: ${after.reason}`);
  });

  it('refuses the gpu backend with a clear error when there is no WebGL', () => {
    if (!gpuReady) {
      setBackend('gpu');
      try {
        expect(() => tensor([1, 2])).toThrow(/no WebGL\/WebGPU path|could not create/);
      } finally {
        setBackend('cpu');
      }
      return;
    }
    // This process has WebGL (CI runs it under Xvfb), so the refusal is checked in a child
    // process without an X display, where headless-gl gets no context.
    const child = spawnSync(
      process.execPath,
      [
        '--conditions=@vane/source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./support/no-webgl.ts', import.meta.url)),
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, DISPLAY: '' },
        timeout: 60_000,
      },
    );
    expect(child.stdout.trim(), child.stderr).toMatch(/^refused: .*(no WebGL\/WebGPU path|could not create)/);
  });

  it.skipIf(!gpuReady)('refuses float64 with an error that names the op and the remedy', () => {
    expect(() => tensor([1, 2], { dtype: 'float64', backend: 'gpu' })).toThrow(
      /gpu\.upload: float64 is not supported.*cast to float32/,
    );
  });
});
