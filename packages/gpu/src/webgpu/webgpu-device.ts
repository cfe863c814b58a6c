/// <reference types="@webgpu/types" preserve="true" />
/**
 * The WebGPU device of the `webgpu` backend: found once, asynchronously (WebGPU hands out
 * adapters and devices only through promises), by {@link initWebGpu}. Everything after that —
 * uploads, pipelines, dispatches — is synchronous in WebGPU, which is why the backend can keep
 * the tensor core's synchronous interface for everything but reading values back.
 *
 * Where the device comes from: `navigator.gpu` in a browser (Chromium, also headless with
 * `--enable-unsafe-webgpu`, where SwiftShader's Vulkan is the adapter), and in Node the
 * `webgpu` package (Dawn's Node binding, which gpu.js already depends on; it needs glibc 2.38 /
 * GCC 13's libstdc++, so it loads on Ubuntu 24.04 class systems and not on Debian 12).
 *
 * WebGPU reports shader and validation errors asynchronously. So nothing fails silently, every
 * uncaptured device error is recorded here and the next read of any tensor rejects with it
 * (see `webgpu-storage.ts`).
 */

/** What {@link initWebGpu} found. */
export interface WebGpuAdapterInfo {
  /** True when a device was acquired and the `webgpu` backend is registered. */
  readonly available: boolean;
  /** Where the implementation came from: `navigator.gpu` (a browser) or the `webgpu` package (Node). */
  readonly source: 'navigator.gpu' | "the 'webgpu' package" | 'none';
  /** The adapter's vendor, architecture and description, e.g. `google swiftshader`; empty when unavailable. */
  readonly adapter: string;
  /** True for a software (fallback) adapter such as SwiftShader. */
  readonly isFallbackAdapter: boolean;
  /** Why WebGPU is unavailable, or what was found, in words. */
  readonly reason: string;
}

/** The acquired device and what the backend needs to know about it. */
export interface WebGpuContext {
  readonly device: GPUDevice;
  readonly info: WebGpuAdapterInfo;
  /** Uncaptured device errors not yet reported (reads reject with them, then clear the list). */
  readonly errors: string[];
}

let context: WebGpuContext | undefined;
let pending: Promise<WebGpuAdapterInfo> | undefined;
let lastInfo: WebGpuAdapterInfo | undefined;

/** The `GPU` object of this host, where it has one, and where it came from. */
async function findGpu(): Promise<{ gpu: GPU | undefined; source: WebGpuAdapterInfo['source']; reason?: string }> {
  const host = globalThis as {
    navigator?: { gpu?: GPU };
    process?: { versions?: { node?: string } };
  };
  if (host.navigator?.gpu) return { gpu: host.navigator.gpu, source: 'navigator.gpu' };
  if (host.process?.versions?.node) {
    try {
      // Dawn's Node binding. Its name is kept in a variable so browser bundlers leave it alone.
      const packageName = 'webgpu';
      const dawn = (await import(/* @vite-ignore */ packageName)) as {
        create: (options: string[]) => GPU;
        globals: Record<string, unknown>;
      };
      // The binding's constants (GPUBufferUsage, GPUMapMode, ...) are globals in a browser.
      for (const [name, value] of Object.entries(dawn.globals))
        if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
      return { gpu: dawn.create([]), source: "the 'webgpu' package" };
    } catch (error) {
      const message = String((error as Error).message).split('\n')[0];
      return { gpu: undefined, source: 'none', reason: `the 'webgpu' package does not load here (${message})` };
    }
  }
  return {
    gpu: undefined,
    source: 'none',
    reason: host.navigator
      ? 'navigator.gpu is absent (a browser without WebGPU, or a page that is not a secure context)'
      : 'neither navigator.gpu nor Node',
  };
}

function unavailable(source: WebGpuAdapterInfo['source'], reason: string): WebGpuAdapterInfo {
  return { available: false, source, adapter: '', isFallbackAdapter: false, reason };
}

async function acquire(): Promise<WebGpuAdapterInfo> {
  const found = await findGpu();
  if (!found.gpu) return unavailable(found.source, found.reason ?? 'no WebGPU implementation');
  let adapter: GPUAdapter | null;
  try {
    adapter = await found.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return unavailable(
      found.source,
      `${found.source} is present but requestAdapter failed: ${(error as Error).message}`,
    );
  }
  if (!adapter)
    return unavailable(
      found.source,
      `${found.source} is present but offers no adapter (headless Chromium needs --enable-unsafe-webgpu)`,
    );
  const adapterInfo = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const description = [adapterInfo?.vendor, adapterInfo?.architecture, adapterInfo?.description]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  const isFallbackAdapter = Boolean(
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    (adapterInfo as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter,
  );
  let device: GPUDevice;
  try {
    // The spec's default storage-buffer limit (128 MiB) is lower than most adapters allow; ask
    // for what the adapter has, so tensors are limited by the device and not by a default.
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
      },
    });
  } catch (error) {
    return unavailable(found.source, `the adapter (${description}) refused a device: ${(error as Error).message}`);
  }
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (event) => {
    errors.push((event as GPUUncapturedErrorEvent).error.message);
  });
  const info: WebGpuAdapterInfo = {
    available: true,
    source: found.source,
    adapter: description || 'unknown adapter',
    isFallbackAdapter,
    reason: `WebGPU device from ${found.source} on ${description || 'an unnamed adapter'}${isFallbackAdapter ? ' (a software fallback adapter)' : ''}`,
  };
  void device.lost.then((lost) => {
    errors.push(`the WebGPU device was lost (${lost.reason}): ${lost.message}`);
  });
  context = { device, info, errors };
  return info;
}

/**
 * Finds a WebGPU device (once; later calls return the same answer) and, when there is one,
 * makes the `webgpu` backend usable. Never rejects: where WebGPU is missing the answer says why.
 * Called by `initWebGpu` in `webgpu-backend.ts`, which also registers the backend.
 */
export function acquireWebGpu(): Promise<WebGpuAdapterInfo> {
  pending ??= acquire().then((info) => (lastInfo = info));
  return pending;
}

/** The answer of {@link acquireWebGpu} once it settled, else `undefined` (never asked, or still asking). */
export function webGpuAdapterInfo(): WebGpuAdapterInfo | undefined {
  return lastInfo;
}

/** The live WebGPU context; throws, naming the op, when {@link acquireWebGpu} found no device. */
export function webGpuContext(op: string): WebGpuContext {
  if (!context)
    throw new Error(
      `webgpu.${op}: no WebGPU device (${lastInfo?.reason ?? 'call `await initWebGpu()` from @vane/gpu first'})`,
    );
  return context;
}
