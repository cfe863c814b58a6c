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
 * new size, about 0.3 ms plus the allocation on llvmpipe (1.7 ms for a 784×256 output). A
 * training step calls the same kernel (a matmul pack, an update chain) at several sizes, every
 * step, so a size that comes back gets kernel instances of its own (see
 * {@link SIZES_PER_KERNEL} and {@link COPIES_PER_SIZE}), whose output textures gpu.js then
 * recycles from call to call.
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

/**
 * The compiled instances of one kernel key: the resizable instance every size may use, and the
 * instances kept for sizes that came back. Looked up once per call by the key alone, so that a
 * call builds no further strings from the key (the keys of fused chains hold their whole nested
 * call, a few hundred characters, and each string built from one is hashed again on lookup).
 */
interface KernelFamily {
  resizable: CompiledKernel | undefined;
  /** Extents seen so far (to spot a size that comes back), at most 4 × {@link SIZES_PER_KERNEL}. */
  readonly seen: Set<string>;
  /** Per extent, its own instances, at most {@link COPIES_PER_SIZE}; at most {@link SIZES_PER_KERNEL} extents. */
  readonly sized: Map<string, CompiledKernel[]>;
}

/** Kernel families by key (with the texture classes of {@link withTextureClasses}). */
const families = new Map<string, KernelFamily>();

/** Compiled instances in all families (for diagnostics). */
let instanceCount = 0;

/**
 * Output sizes of one kernel that get instances of their own, at most; further sizes share
 * the kernel's resizable instance. Each instance holds a compiled program and its latest output
 * texture, so the cap bounds what a workload of many shapes keeps alive.
 */
export const SIZES_PER_KERNEL = 16;
/**
 * Instances one size gets at most. gpu.js renders into an instance's previous output texture
 * only when nothing else holds it; a result still alive at the next call (a weight update's
 * output is the next update's input) makes it allocate a new texture (1.7 ms for 784×256 on
 * llvmpipe, twice the update's own time). A second instance, whose texture was freed a call
 * earlier, takes such a call instead. A third: the MLP step runs four `[128, 256]` products,
 * and the first two (the forward pre-activations, which the autodiff tape holds) are alive when
 * the third runs in the backward pass; with two instances that product allocated its eight row
 * textures every step (8-9 textures per step, 0 with three).
 */
export const COPIES_PER_SIZE = 3;
/**
 * Outputs larger than this many texels (4 MiB of RGBA float32) always share the resizable
 * instance: an instance keeps its last texture, and keeping several of that size is not worth
 * the allocation it saves.
 */
export const SIZED_TEXEL_LIMIT = 1 << 18;

/** gpu.js's texture object: the WebGL texture carries gpu.js's reference count. */
interface GpuJsTexture {
  readonly texture?: { _refs?: number };
}

/** True when no result holds the instance's output textures, so its next call renders into them. */
function outputsFree(kernel: CompiledKernel): boolean {
  const instance = kernel.run.kernel as { texture?: GpuJsTexture; mappedTextures?: GpuJsTexture[] } | undefined;
  if ((instance?.texture?.texture?._refs ?? 0) > 1) return false;
  for (const output of instance?.mappedTextures ?? []) if ((output?.texture?._refs ?? 0) > 1) return false;
  return true;
}

/** Where a call runs: an instance that exists, or one to compile and keep in either place. */
type Placement = CompiledKernel | 'new instance of this size' | 'resizable instance';

/**
 * The instance of `family` that runs a call at `extent`: one of the size's own instances, the
 * first whose output is free, or a new one when the size was seen before, is small enough and
 * the caps allow ({@link SIZES_PER_KERNEL}, {@link COPIES_PER_SIZE}); the kernel's resizable
 * instance otherwise.
 */
function placement(family: KernelFamily, extent: string, texels: number): Placement {
  const instances = family.sized.get(extent);
  if (instances !== undefined) {
    for (const instance of instances) if (outputsFree(instance)) return instance;
    // Every instance of this size still has a live result: another one, or the first again.
    return instances.length >= COPIES_PER_SIZE ? instances[0]! : 'new instance of this size';
  }
  if (texels > SIZED_TEXEL_LIMIT || family.sized.size >= SIZES_PER_KERNEL) return 'resizable instance';
  if (!family.seen.has(extent)) {
    // The first sighting resizes the shared instance: a one-off size costs no compilation.
    if (family.seen.size < 4 * SIZES_PER_KERNEL) family.seen.add(extent);
    return 'resizable instance';
  }
  return 'new instance of this size';
}

/** True for a gpu.js texture whose output is 2-D (see {@link withTextureClasses}). */
const isTwoDimensionalTexture = (input: unknown): boolean =>
  typeof input === 'object' &&
  input !== null &&
  'texture' in input &&
  'output' in input &&
  (input.output as ArrayLike<number>).length === 2;

/**
 * `key`, followed by the output rank of each texture in `inputs` where one is a 2-D texture.
 * gpu.js makes a texture of another class for a 2-D output than for a 1-D one, compiles a kernel
 * for the class of each texture argument and refuses another class later (`argumentMismatch`);
 * a quad chain's texture is 2-D or 1-D by its shape (quad-chain.ts), and its readers (a
 * reduction, a pack, another chain) get an instance per rank. Keys of kernels that read no 2-D
 * texture do not change (and cost no string built per call).
 */
function withTextureClasses(key: string, inputs: readonly unknown[]): string {
  if (!inputs.some(isTwoDimensionalTexture)) return key;
  const ranks = inputs.map((input) =>
    typeof input === 'object' && input !== null && 'texture' in input && 'output' in input
      ? String((input.output as ArrayLike<number>).length)
      : '',
  );
  return `${key}|${ranks.join(',')}`;
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

let flushOverride: boolean | undefined;

/**
 * Makes {@link submitDraw} flush after every dispatch (`true`), never (`false`), or as the device
 * decides (undefined), for measuring both in one process (benchmarks/src/gpu-switch.ts flush).
 */
export function overrideFlushAfterDispatch(value: boolean | undefined): void {
  flushOverride = value;
}

/**
 * Hands the draw just issued to the renderer now (`gl.flush()`), on headless-gl by default.
 * llvmpipe rasterises a draw only when its commands are flushed, which without this happens at
 * the next kernel's framebuffer change, after that kernel's JavaScript has run: JavaScript and
 * rasterisation then take turns. Flushed at once, the rasteriser threads draw while the main
 * thread prepares the next dispatch (they run queued draws in order, so a kernel reading the
 * previous one's output needs no wait); docs/gpu.md has the measurements.
 */
function submitDraw(): void {
  const wanted = flushOverride ?? gpuDevice().info.kernelClass === 'HeadlessGLKernel';
  if (wanted) (gpuDevice().gpu.context as { flush?: () => void } | undefined)?.flush?.();
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
  const { info } = gpuDevice();
  const extent = typeof output === 'number' ? String(output) : `${output[0]}×${output[1]}`;
  const familyKey = withTextureClasses(key, inputs);
  let family = families.get(familyKey);
  if (family === undefined) {
    family = { resizable: undefined, seen: new Set(), sized: new Map() };
    families.set(familyKey, family);
  }
  const place = placement(family, extent, typeof output === 'number' ? output : output[0] * output[1]);
  let kernel: CompiledKernel;
  if (typeof place === 'object') kernel = place;
  else if (place === 'resizable instance' && family.resizable !== undefined) kernel = family.resizable;
  else {
    kernel = compile(define, output, extent, inputs);
    instanceCount++;
    if (place === 'resizable instance') family.resizable = kernel;
    else {
      const instances = family.sized.get(extent);
      if (instances === undefined) family.sized.set(extent, [kernel]);
      else instances.push(kernel);
    }
  }
  if (kernel.extent !== extent) {
    kernel.run.setOutput(typeof output === 'number' ? [output] : [...output]);
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
  submitDraw();
  // A texture labelled with another size than this call's would be read back scrambled; the
  // recycling fixed by forgetRecycledArguments produced exactly that, silently. Refuse it.
  if (typeof result === 'object' && result !== null && 'result' in result) {
    for (const texture of Object.values(result)) refuseMislabelled(texture, output, key, extent);
  } else refuseMislabelled(result, output, key, extent);
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

/** Compiles the kernel that `define` describes for a first call over `output` with `inputs`. */
function compile(
  define: () => KernelDefinition,
  output: KernelOutput,
  extent: string,
  inputs: readonly unknown[],
): CompiledKernel {
  const { gpu } = gpuDevice();
  const dimensions = typeof output === 'number' ? [output] : [...output];
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
  return { run, extent, checked: false, storageArguments };
}

/** Throws when `texture` is labelled with another extent than `output` (see runKernel). */
function refuseMislabelled(texture: unknown, output: KernelOutput, key: string, extent: string): void {
  const labelled = (texture as { output?: ArrayLike<number> } | undefined)?.output;
  if (labelled === undefined) return;
  const matches =
    typeof output === 'number' ? labelled[0] === output : labelled[0] === output[0] && labelled[1] === output[1];
  if (!matches) {
    throw new Error(
      `gpu: kernel '${key}' returned a texture of ${Array.from(labelled).join('×')} values for an output of ${extent}`,
    );
  }
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
  return instanceCount;
}
