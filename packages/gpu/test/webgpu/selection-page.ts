/**
 * Page for webgpu-selection.test.ts: which backend selectGpuBackend() picks in headless
 * Chromium (WebGPU on SwiftShader's Vulkan, a software fallback adapter), what gpuInfo() says
 * before and after, and what a synchronous read and an out-of-range gather do on `webgpu`.
 */
import { gather, getBackend, setBackend, tensor } from '@vane/tensor';
import { gpuInfo, selectGpuBackend } from '../../src/index.js';

async function run(): Promise<unknown> {
  const before = gpuInfo().webGPU;
  const chosenByDefault = await selectGpuBackend();
  const backendAfterDefault = getBackend();
  const chosenAcceptingFallback = await selectGpuBackend({ acceptFallbackAdapter: true });
  const after = gpuInfo().webGPU;
  let syncReadError = '';
  try {
    tensor([1, 2]).dataSync();
  } catch (error) {
    syncReadError = (error as Error).message;
  }
  let unknownOptionError = '';
  try {
    await selectGpuBackend({ acceptFallback: true } as never);
  } catch (error) {
    unknownOptionError = (error as Error).message;
  }
  // The host-side range check is skipped on webgpu (no synchronous read): the kernel guards.
  const gathered = Array.from(await gather(tensor([10, 20, 30]), 0, tensor([2, 5, -1], { dtype: 'int32' })).data());
  const movedToCpu = await tensor([4, 5]).mul(2).toAsync('cpu');
  const moved = { backend: movedToCpu.backend.name, values: Array.from(movedToCpu.dataSync()) };
  setBackend('cpu');
  return {
    moved,
    before,
    after,
    chosenByDefault,
    backendAfterDefault,
    chosenAcceptingFallback,
    syncReadError,
    unknownOptionError,
    gathered,
  };
}

const host = globalThis as { vaneResult?: unknown };
run().then(
  (result) => (host.vaneResult = result),
  (error: unknown) => (host.vaneResult = { error: String((error as Error).stack ?? error) }),
);
