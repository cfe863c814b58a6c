/**
 * The one gpu.js instance behind the `gpu` backend: which kernel class gpu.js really picked,
 * which renderer sits behind it, and the refusal to run on a silent fallback.
 */
import * as gpujs from 'gpu.js';
import { CPUKernel, GPU, HeadlessGLKernel, WebGL2Kernel, WebGLKernel } from 'gpu.js';
import { readbackSupport, type ReadbackInfo } from './readback.js';
import { webGpuAdapterInfo } from './webgpu/webgpu-device.js';

// Not in gpu.js's type declarations, though its builds export them.
const { WebGPUKernel, WebAssemblyKernel } = gpujs as unknown as Record<
  string,
  (new (...args: never[]) => unknown) | undefined
>;

/** The gpu.js kernel classes Vane can end up on. */
export type GpuKernelClass =
  'HeadlessGLKernel' | 'WebGL2Kernel' | 'WebGLKernel' | 'WebGPUKernel' | 'WebAssemblyKernel' | 'CPUKernel' | 'unknown';

/**
 * The graphics path the backend runs on: WebGL 1 through headless-gl in Node (GLSL ES 1.00),
 * WebGL 2 or 1 in a browser, WebGPU, or one of gpu.js's fallbacks.
 */
export type GpuPath =
  'webgl1 via headless-gl' | 'webgl2' | 'webgl1' | 'webgpu' | 'wasm fallback' | 'cpu fallback' | 'unknown';

/** Whether WebGPU is used, and why (not). */
export interface WebGpuStatus {
  /**
   * True once `initWebGpu()` found a device: the `webgpu` backend then runs there (select it
   * with `setBackend('webgpu')` or `selectGpuBackend()`). The `gpu` backend itself always runs
   * through gpu.js's WebGL kernels.
   */
  readonly used: boolean;
  /**
   * Whether a WebGPU implementation is present: in Node, whether the `webgpu` package (Dawn)
   * loads; in a browser, whether `navigator.gpu` exists. `undefined` where neither applies.
   */
  readonly present: boolean | undefined;
  /** Why WebGPU is (not) used here, in words (with the load error where it did not load). */
  readonly reason: string;
  /** The adapter the `webgpu` backend runs on, when it is used (e.g. `google swiftshader`). */
  readonly adapter?: string;
}

/** What {@link gpuInfo} reports. */
export interface GpuInfo {
  /** The graphics path that runs, derived from the kernel class and the host (Node or browser). */
  readonly path: GpuPath;
  /** Whether WebGPU is used, whether it is present at all, and why it is not used. */
  readonly webGPU: WebGpuStatus;
  /** The gpu.js kernel class that really ran a probe kernel (checked with `instanceof`). */
  readonly kernelClass: GpuKernelClass;
  /** True when that class draws through a real graphics API (WebGL, headless-gl or WebGPU). */
  readonly isGraphicsPath: boolean;
  /** The renderer behind the context, e.g. `Mesa swrast (llvmpipe)` or an ANGLE string; `none` on a fallback. */
  readonly renderer: string;
  /** The GL version string, when there is a GL context. */
  readonly version: string;
  /** gpu.js's own verdicts, for diagnosis. */
  readonly headlessGLSupported: boolean;
  readonly webGL2Supported: boolean;
  /** Texture precision; Vane only runs with `single` (float32). */
  readonly precision: 'single';
  /**
   * How `await tensor.data()` reads values back: `async-fence` (WebGL2: the main thread stays
   * free until the device is done) or `sync` (headless-gl's WebGL 1, fallbacks), with the reason.
   */
  readonly readback: ReadbackInfo;
}

/** Options of {@link configureGpu}. */
export interface GpuOptions {
  /**
   * Accept gpu.js's WebAssembly or CPU fallback when no graphics path is available. Off by
   * default: without it, using the `gpu` backend on such a machine throws. The environment
   * variable `VANE_GPU_ALLOW_FALLBACK=1` turns it on too.
   */
  readonly allowFallback?: boolean;
  /** A gpu.js mode to force (`headlessgl`, `webgl2`, `webgl`, `webgpu`, ...); gpu.js picks by default. */
  readonly mode?: string;
}

/** The live device: the gpu.js instance and what it turned out to be. */
export interface GpuDevice {
  readonly gpu: any;
  readonly info: GpuInfo;
}

let options: GpuOptions = {};
let device: GpuDevice | undefined;
let failure: Error | undefined;

function environmentAllowsFallback(): boolean {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return environment?.VANE_GPU_ALLOW_FALLBACK === '1';
}

/**
 * Sets how the `gpu` backend finds its device. Call before the first GPU op; calling it later
 * throws, because tensors already live on the device that was picked.
 *
 * @example
 * configureGpu({ allowFallback: true }); // accept gpu.js's WebAssembly/CPU path on a machine without WebGL
 */
export function configureGpu(next: GpuOptions): void {
  if (device)
    throw new Error('configureGpu: the gpu device is already initialised; call configureGpu before the first gpu op');
  options = { ...next };
  failure = undefined;
}

/** The class of a kernel instance, by identity (names do not survive minified browser bundles). */
export function kernelClassOf(kernel: unknown): GpuKernelClass {
  // HeadlessGLKernel extends WebGLKernel, so it is tested first.
  if (kernel instanceof HeadlessGLKernel) return 'HeadlessGLKernel';
  if (kernel instanceof WebGL2Kernel) return 'WebGL2Kernel';
  if (kernel instanceof WebGLKernel) return 'WebGLKernel';
  if (WebGPUKernel && kernel instanceof WebGPUKernel) return 'WebGPUKernel';
  if (WebAssemblyKernel && kernel instanceof WebAssemblyKernel) return 'WebAssemblyKernel';
  if (kernel instanceof CPUKernel) return 'CPUKernel';
  return 'unknown';
}

/** True for the kernel classes that compute through a graphics API. */
export function isGraphicsClass(kernelClass: GpuKernelClass): boolean {
  return (
    kernelClass === 'HeadlessGLKernel' ||
    kernelClass === 'WebGL2Kernel' ||
    kernelClass === 'WebGLKernel' ||
    kernelClass === 'WebGPUKernel'
  );
}

// headless-gl masks its renderer as "ANGLE"; the honest answer in Node on Linux is which Mesa
// driver got mapped into this process.
function loadedDriver(): string | undefined {
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => any } }).process;
    const fileSystem = process?.getBuiltinModule?.('node:fs');
    if (!fileSystem) return undefined;
    const maps: string = fileSystem.readFileSync('/proc/self/maps', 'utf8');
    const paths = new Set(
      maps
        .split('\n')
        .map((line) => line.split(/\s+/)[5])
        .filter((path): path is string => Boolean(path)),
    );
    const drivers = [...paths].filter((path) => /\/dri\/[^/]+_dri\.so/.test(path));
    if (drivers.length === 0) return undefined;
    const names = drivers.map((path) => /\/([^/]+)_dri\.so/.exec(path)![1]);
    const software = names.some((name) => name === 'swrast' || name === 'llvmpipe' || name === 'kms_swrast');
    return `Mesa ${names.join(', ')}${software ? ' (software rasterizer, llvmpipe)' : ''}`;
  } catch {
    return undefined;
  }
}

function describeContext(context: any): { renderer: string; version: string } {
  if (!context || typeof context.getParameter !== 'function') return { renderer: 'none', version: 'none' };
  const debug = context.getExtension?.('WEBGL_debug_renderer_info');
  const masked = String(context.getParameter(context.RENDERER));
  const renderer = debug ? String(context.getParameter(debug.UNMASKED_RENDERER_WEBGL)) : masked;
  const driver = loadedDriver();
  return {
    renderer: driver ? `${driver} via headless-gl (${masked})` : renderer,
    version: String(context.getParameter(context.VERSION)),
  };
}

const PATHS: Record<GpuKernelClass, GpuPath> = {
  HeadlessGLKernel: 'webgl1 via headless-gl',
  WebGL2Kernel: 'webgl2',
  WebGLKernel: 'webgl1',
  WebGPUKernel: 'webgpu',
  WebAssemblyKernel: 'wasm fallback',
  CPUKernel: 'cpu fallback',
  unknown: 'unknown',
};

// Why gpu.js's own WebGPU mode is not the `gpu` backend's path: its kernels build on their first
// call and hand every result back in a promise, while the tensor core calls backends
// synchronously. Vane's WebGPU path is the separate `webgpu` backend (webgpu/webgpu-backend.ts).
const NOT_YET =
  "call `await initWebGpu()` (or `selectGpuBackend()`) to look for a device and register the 'webgpu' backend";

let nodeVerdict: { present: boolean; detail: string } | undefined;

/** Whether Dawn's Node binding loads here (asked once: loading it is slow when it works). */
function nodePackageVerdict(moduleApi: { createRequire(url: string): (name: string) => unknown }) {
  if (!nodeVerdict) {
    try {
      moduleApi.createRequire(import.meta.url)('webgpu');
      nodeVerdict = { present: true, detail: "the 'webgpu' package loads" };
    } catch (error) {
      const message = String((error as Error).message).split('\n')[0];
      nodeVerdict = { present: false, detail: `the 'webgpu' package does not load here (${message})` };
    }
  }
  return nodeVerdict;
}

/**
 * Whether WebGPU is used (the `webgpu` backend found a device), whether an implementation is
 * present at all, and why, in words.
 */
export function webGpuStatus(): WebGpuStatus {
  const found = webGpuAdapterInfo();
  if (found?.available)
    return { used: true, present: true, adapter: found.adapter, reason: `the 'webgpu' backend runs: ${found.reason}` };
  const host = globalThis as {
    navigator?: { gpu?: unknown };
    process?: { getBuiltinModule?: (name: string) => any; versions?: { node?: string } };
  };
  const lead = found ? `no WebGPU device: ${found.reason}` : NOT_YET;
  if (host.process?.versions?.node) {
    const moduleApi = host.process.getBuiltinModule?.('node:module');
    if (!moduleApi) return { used: false, present: undefined, reason: lead };
    const verdict = nodePackageVerdict(moduleApi);
    // After initWebGpu() its own answer already says whether the package loaded.
    return { used: false, present: verdict.present, reason: found ? lead : `${verdict.detail}; ${lead}` };
  }
  if (host.navigator) {
    const present = host.navigator.gpu !== undefined;
    return {
      used: false,
      present,
      reason: `${present ? 'navigator.gpu is present' : 'navigator.gpu is absent'}; ${lead}`,
    };
  }
  return { used: false, present: undefined, reason: lead };
}

function createDevice(): GpuDevice {
  const allowFallback = options.allowFallback === true || environmentAllowsFallback();
  let gpu: any;
  try {
    gpu = new GPU(options.mode ? { mode: options.mode as never } : {});
  } catch (error) {
    throw new Error(`gpu: gpu.js could not create a '${options.mode}' device: ${(error as Error).message}`);
  }
  // Run a tiny kernel: gpu.js can swap in its CPU kernel at build time, so only the kernel that
  // really ran tells the truth.
  const probe = gpu.createKernel('function (x) { return x[this.thread.x] * 2; }', { output: [2], precision: 'single' });
  const result = probe([1, 2]) as ArrayLike<number>;
  const kernelClass = kernelClassOf(probe.kernel);
  const { renderer, version } = describeContext(probe.kernel.context);
  const readback = readbackSupport(probe.kernel.context);
  probe.destroy?.();
  if (result[0] !== 2 || result[1] !== 4)
    throw new Error(`gpu: the probe kernel on ${kernelClass} returned [${Array.from(result)}], expected [2, 4]`);
  const info: GpuInfo = {
    path: PATHS[kernelClass],
    webGPU: webGpuStatus(),
    kernelClass,
    isGraphicsPath: isGraphicsClass(kernelClass),
    renderer,
    version,
    headlessGLSupported: Boolean((GPU as any).isHeadlessGLSupported),
    webGL2Supported: Boolean((GPU as any).isWebGL2Supported),
    precision: 'single',
    readback,
  };
  if (!info.isGraphicsPath && !allowFallback) {
    gpu.destroy?.();
    throw new Error(
      `gpu: no WebGL/WebGPU path is available (gpu.js fell back to ${kernelClass}); in Node the gpu backend needs the ` +
        "optional 'gl' package (headless-gl) and an X display (run under `xvfb-run -a` on a headless server), in a " +
        'browser WebGL2. Pass configureGpu({ allowFallback: true }) or set VANE_GPU_ALLOW_FALLBACK=1 to run on the fallback anyway.',
    );
  }
  return { gpu, info };
}

/** The device, created on first use; throws the same clear error on every call when there is none. */
export function gpuDevice(): GpuDevice {
  if (device) return device;
  if (failure) throw failure;
  try {
    device = createDevice();
  } catch (error) {
    failure = error as Error;
    throw failure;
  }
  return device;
}

/**
 * Which gpu.js kernel class and which renderer the `gpu` backend really uses.
 *
 * Throws (with the reason) when there is no graphics path and no fallback was allowed.
 *
 * @example
 * gpuInfo() // { path: 'webgl1 via headless-gl', webGPU: { used: false, present: false, reason: "the 'webgpu' package does not load here ..." }, kernelClass: 'HeadlessGLKernel', renderer: 'Mesa swrast (software rasterizer, llvmpipe) via headless-gl (ANGLE)', readback: { mode: 'sync', reason: 'WebGL 1 ...' }, ... }
 */
export function gpuInfo(): GpuInfo {
  // WebGPU's status changes when initWebGpu() finds a device, after the WebGL probe ran.
  return { ...gpuDevice().info, webGPU: webGpuStatus() };
}

/**
 * True when the `gpu` backend can run on a graphics path here (never throws).
 *
 * @example
 * if (!isGpuAvailable()) console.log(gpuUnavailableReason());
 */
export function isGpuAvailable(): boolean {
  try {
    return gpuDevice().info.isGraphicsPath;
  } catch {
    return false;
  }
}

/** Why the gpu backend is unavailable, or `undefined` when it is available. */
export function gpuUnavailableReason(): string | undefined {
  try {
    const info = gpuDevice().info;
    return info.isGraphicsPath ? undefined : `gpu.js runs on ${info.kernelClass}, not a graphics path`;
  } catch (error) {
    return (error as Error).message;
  }
}
