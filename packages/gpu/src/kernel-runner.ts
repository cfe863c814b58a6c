/**
 * Compiles gpu.js kernels once per source and runs them with a per-call output size.
 *
 * Every kernel is a pipeline kernel with immutable outputs: each call returns a fresh texture
 * that stays on the device until the tensor that owns it is disposed. `dynamicOutput` and
 * `dynamicArguments` let one compiled kernel serve every size. Resizing also drops the textures
 * gpu.js keeps for recycling (see forgetRecycledArguments), and every returned texture is
 * checked to be labelled with the size that was asked for.
 *
 * Resizing is not free: gpu.js deletes the kernel's output texture and allocates one of the
 * new size (the driver zero-fills it), about 0.3 ms plus the allocation on llvmpipe, 1.7 ms
 * for a 784×256 output. A training step calls the same kernel (a matmul pack, an update chain)
 * at several sizes, every step, so a size that comes back gets a kernel instance of its own
 * (see {@link SIZES_PER_KERNEL}), whose output texture gpu.js then recycles from call to call.
 */
import { gpuDevice, kernelClassOf } from './gpu-device.js';
import type { GpuFunctionSource } from './function-source.js';
import { countDispatch } from './gpu-stats.js';
import { directFetchAvailable } from './texel-fetch.js';
import { readValuesDirectly, VALUE_FETCH } from './value-fetch.js';
import { withFragmentThread } from './fragment-thread.js';

/** gpu.js leaves loop bounds that come from arguments capped at this many iterations. */
export const LOOP_LIMIT = 1 << 24;

interface CompiledKernel {
  readonly run: any;
  /** The output extent of the last call: a length, or `width×height` for a 2-D output. */
  extent: string;
  checked: boolean;
  /** Arguments read through `vaneValue`: they must be one-value-per-texel textures on every call. */
  readonly storageArguments: readonly number[];
}

/**
 * A kernel's output: `size` threads in a 1-D texture that gpu.js lays out near-square, or
 * `[width, height]` threads (`this.thread.x`, `this.thread.y`) in a texture of exactly that
 * size, which a {@link KernelDefinition.nativeFunctions | native} fetch can address directly.
 */
export type KernelOutput = number | readonly [number, number];

/** Compiled kernels by key, and by `key@extent` for the instances kept for one size. */
const compiled = new Map<string, CompiledKernel>();

/**
 * Output sizes of one kernel that get an instance of their own, at most; further sizes share
 * the kernel's resizable instance. Each instance holds a compiled program and its latest output
 * texture, so the cap bounds what a workload of many shapes keeps alive.
 */
export const SIZES_PER_KERNEL = 16;
/**
 * Outputs larger than this many texels (4 MiB of RGBA float32) always share the resizable
 * instance: an instance keeps its last texture, and keeping several of that size is not worth
 * the allocation it saves.
 */
export const SIZED_TEXEL_LIMIT = 1 << 18;

/** Per kernel key: the extents seen (to spot a size that comes back) and the sized instances made. */
const sizeHistory = new Map<string, { seen: Set<string>; instances: number }>();

/**
 * The cache key of the instance that runs `key` at `extent`: a size's own instance when it
 * has one or should get one now (the size was seen before, is small enough and the kernel has
 * fewer than {@link SIZES_PER_KERNEL}), the kernel's resizable instance otherwise.
 */
function instanceKey(key: string, extent: string, texels: number): string {
  const sized = `${key}@${extent}`;
  if (compiled.has(sized)) return sized;
  const history = sizeHistory.get(key) ?? { seen: new Set<string>(), instances: 0 };
  sizeHistory.set(key, history);
  if (texels > SIZED_TEXEL_LIMIT || history.instances >= SIZES_PER_KERNEL) return key;
  if (!history.seen.has(extent)) {
    // The first sighting resizes the shared instance: a one-off size costs no compilation.
    if (history.seen.size < 4 * SIZES_PER_KERNEL) history.seen.add(extent);
    return key;
  }
  history.instances++;
  return sized;
}

/** A kernel to compile: its source and the shared functions it calls. */
export interface KernelDefinition {
  readonly source: string;
  readonly functions: readonly GpuFunctionSource[];
  /**
   * `Array(4)` for kernels whose every thread writes four values (one RGBA texel); their
   * output texture is read as vec4 texels by the next kernel. Numbers (one value per texel)
   * otherwise.
   */
  readonly returnType?: 'Array(4)';
  /** GLSL functions the kernel calls (gpu.js `nativeFunctions`), e.g. a direct 2-D texel fetch. */
  readonly nativeFunctions?: readonly NativeFunction[];
  /**
   * Names of further outputs (gpu.js kernel map, WebGL draw buffers): the kernel writes output
   * `name` by calling `name(value)`, an identity function. The call then returns an object with
   * the main output as `result` and each further output under its name.
   */
  readonly outputs?: readonly string[];
}

/** A GLSL function given to gpu.js as is: its source, return type and argument types by name. */
export interface NativeFunction {
  readonly name: string;
  readonly source: string;
  readonly returnType: 'Array(4)' | 'Number';
  readonly argumentTypes: Readonly<Record<string, string>>;
}

/**
 * Runs the kernel cached under `key` (built by `define` on first use) over `output`
 * threads and returns the output texture (or, on an allowed fallback, an array).
 */
export function runKernel(
  key: string,
  define: () => KernelDefinition,
  output: KernelOutput,
  inputs: readonly unknown[],
): unknown {
  const { gpu, info } = gpuDevice();
  const dimensions = typeof output === 'number' ? [output] : [...output];
  const extent = dimensions.join('×');
  const cacheKey = instanceKey(
    key,
    extent,
    dimensions.reduce((product, dimension) => product * dimension, 1),
  );
  let kernel = compiled.get(cacheKey);
  if (!kernel) {
    const { definition: valueRead, storageArguments } = withDirectValueReads(define(), inputs);
    // On the WebGL paths the thread index comes from the texture coordinate (fragment-thread.ts).
    const definition = directFetchAvailable() ? withFragmentThread(valueRead, dimensions.length) : valueRead;
    const settings = {
      output: dimensions,
      precision: 'single',
      tactic: 'precision',
      pipeline: true,
      immutable: true,
      dynamicOutput: true,
      dynamicArguments: true,
      loopMaxIterations: LOOP_LIMIT,
      ...(definition.returnType ? { returnType: definition.returnType } : {}),
      functions: definition.functions.map((fn) => ({ source: fn.source, settings: fn.settings })),
      ...(definition.nativeFunctions
        ? {
            nativeFunctions: definition.nativeFunctions.map((fn) => ({
              ...fn,
              argumentTypes: { ...fn.argumentTypes },
            })),
          }
        : {}),
    };
    const run = definition.outputs
      ? gpu.createKernelMap(
          Object.fromEntries(definition.outputs.map((name) => [name, `function ${name}(value) {\n  return value;\n}`])),
          definition.source,
          settings,
        )
      : gpu.createKernel(definition.source, settings);
    kernel = { run, extent, checked: false, storageArguments };
    compiled.set(cacheKey, kernel);
  }
  if (kernel.extent !== extent) {
    kernel.run.setOutput(dimensions);
    forgetRecycledArguments(kernel.run.kernel);
    kernel.extent = extent;
  }
  for (const index of kernel.storageArguments) {
    if (!isStorageTexture(inputs[index]))
      throw new Error(`gpu: kernel '${key}' was compiled to read argument ${index} as a one-value-per-texel texture`);
  }
  let result: unknown;
  countDispatch();
  try {
    result = kernel.run(...inputs);
  } catch (error) {
    throw new Error(`gpu: kernel '${key}' failed on ${info.kernelClass}: ${(error as Error).message.split('\n')[0]}`);
  }
  // A texture labelled with another size than this call's would be read back scrambled; the
  // recycling fixed by forgetRecycledArguments produced exactly that, silently. Refuse it.
  const textures =
    typeof result === 'object' && result !== null && 'result' in result ? Object.values(result) : [result];
  for (const texture of textures) {
    const labelled = (texture as { output?: ArrayLike<number> } | undefined)?.output;
    if (labelled !== undefined && dimensions.some((dimension, axis) => labelled[axis] !== dimension)) {
      throw new Error(
        `gpu: kernel '${key}' returned a texture of ${Array.from(labelled).join('×')} values for an output of ${extent}`,
      );
    }
  }
  if (!kernel.checked) {
    // gpu.js replaces a kernel that fails to compile with its CPU kernel, silently; refuse that.
    const ranOn = kernelClassOf(kernel.run.kernel);
    if (ranOn !== info.kernelClass) {
      throw new Error(
        `gpu: kernel '${key}' fell back from ${info.kernelClass} to ${ranOn}: ${kernel.run.kernel?.fallbackReason ?? 'no reason given'}`,
      );
    }
    kernel.checked = true;
  }
  return result;
}

/** The parameter names of a kernel's `function (a, b, ...)` source. */
const parameterNames = (source: string): string[] =>
  /^function\s*\w*\s*\(([^)]*)\)/
    .exec(source)![1]!
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);

/**
 * `definition` with its reads of one-value-per-texel texture arguments (the backend's
 * storages) going through `vaneValue` (value-fetch.ts) on the WebGL paths. Which arguments
 * those are is seen from the first call's inputs: a kernel is always given the same kinds.
 */
function withDirectValueReads(
  definition: KernelDefinition,
  inputs: readonly unknown[],
): { definition: KernelDefinition; storageArguments: number[] } {
  if (!directFetchAvailable()) return { definition, storageArguments: [] };
  const parameters = parameterNames(definition.source);
  const storageArguments = parameters.flatMap((_, index) => (isStorageTexture(inputs[index]) ? [index] : []));
  if (storageArguments.length === 0) return { definition, storageArguments };
  const source = readValuesDirectly(
    definition.source,
    storageArguments.map((index) => parameters[index]!),
  );
  return {
    definition: { ...definition, source, nativeFunctions: [...(definition.nativeFunctions ?? []), VALUE_FETCH()] },
    storageArguments,
  };
}

/** True for a gpu.js texture of one value per texel (a storage of the backend). */
const isStorageTexture = (input: unknown): boolean =>
  (input as { type?: unknown } | undefined)?.type === 'ArrayTexture(1)';

/**
 * Drops the textures an immutable gpu.js kernel keeps for recycling, after its output size
 * changed.
 *
 * When a kernel is given its own latest output as an argument (binary `sub` of a `sub` result,
 * as logSoftmax does), gpu.js keeps a clone of that argument (`prevArg`) and, on the next such
 * call, renders into it whenever nobody else holds it. It never checks that texture's size:
 * after `setOutput` it renders the new size into a texture laid out for the old one and hands
 * it back labelled with the old size, so every later read is scrambled. Whether it happens
 * depends on the caller having disposed the earlier output (inside `tidy`, typically).
 * Forgetting the kept clones on every resize means only textures of the current size are
 * recycled.
 */
function forgetRecycledArguments(
  instance: { kernelArguments?: readonly { prevArg?: { delete(): void } | null }[] } | undefined,
): void {
  for (const argument of instance?.kernelArguments ?? []) {
    if (!argument.prevArg) continue;
    argument.prevArg.delete();
    argument.prevArg = null;
  }
}

/** Number of compiled kernels (for diagnostics). */
export function compiledKernelCount(): number {
  return compiled.size;
}
