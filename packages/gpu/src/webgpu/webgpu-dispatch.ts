/// <reference types="@webgpu/types" preserve="true" />
/**
 * How every kernel of the `webgpu` backend runs: a WGSL compute shader whose bindings follow
 * one convention, compiled once per source text, dispatched with one command encoder per call.
 *
 * The convention: binding 0 is `dims`, a read-only `array<i32>` of the call's integers (its
 * `meta`: sizes, shapes, strides, offsets, scalars' bits; `dims[0]` is always the number of
 * threads that do work); bindings 1..n are the inputs (read-only storage), then the outputs
 * (read-write storage). (`meta` itself is a reserved word in WGSL.) Sizes travel in `dims`
 * rather than in the source so that one compiled pipeline serves every shape of a
 * kernel (of the same rank): compiling WGSL costs milliseconds, a buffer write microseconds.
 *
 * `threadKernel` writes the entry point for the common case of one thread per output value:
 * the kernel body sees `thread: u32` (0-based, below `dims[0]`) and returns early beyond it.
 * Grids wider than WebGPU's 65,535 workgroups per dimension fold into a second dimension.
 */
import type { DType } from '@vane/tensor';
import { webGpuContext } from './webgpu-device.js';
import { DIMS_SLOT_BYTES, queueDispatch, sharedDimsBuffer } from './webgpu-queue.js';
import { wgslElementType, type WebGpuStorage } from './webgpu-storage.js';

/** Threads per workgroup of {@link threadKernel}'s entry point. */
export const THREADS_PER_WORKGROUP = 256;
const MAXIMUM_WORKGROUPS_PER_DIMENSION = 65_535;

/** One dispatch: the kernel source, its operands, its integers and its grid. */
export interface KernelCall {
  /** The op, for error messages. */
  readonly op: string;
  /** Complete WGSL (see {@link bindingDeclarations} and {@link threadKernel}). */
  readonly source: string;
  /** Read at bindings 1..inputs.length. */
  readonly inputs: readonly WebGpuStorage[];
  /** Written at the bindings after the inputs. */
  readonly outputs: readonly WebGpuStorage[];
  /** The call's integers, bound at 0 (`dims[0]` = threads for {@link threadKernel}). */
  readonly meta: readonly number[];
  /** Workgroups in x, y, z. */
  readonly workgroups: readonly [number, number, number];
}

interface Compiled {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

const pipelines = new Map<string, Compiled>();
const sources = new Map<string, string>();
const layouts = new Map<string, GPUBindGroupLayout>();
const bindGroups = new Map<string, GPUBindGroup>();
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
let dispatchCount = 0;
/** Bind groups kept before the cache starts over (pooled buffers make most of them reusable). */
const BIND_GROUP_CACHE_LIMIT = 4096;

/**
 * The shader source stored under `key`, built by `build` the first time. Kernels key their
 * source by what it depends on (op, dtypes, rank), so the JavaScript that writes WGSL runs once
 * per kernel kind rather than on every call.
 */
export function cachedSource(key: string, build: () => string): string {
  let source = sources.get(key);
  if (source === undefined) {
    source = build();
    sources.set(key, source);
  }
  return source;
}

/** Dispatches issued since the page started (for tests and the bench's per-step counts). */
export function webGpuDispatchCount(): number {
  return dispatchCount;
}

/** Options of {@link bindingDeclarations}. */
export interface BindingOptions {
  /**
   * Indices of inputs declared `array<vec4<T>>` instead of `array<T>`: the kernel reads four
   * consecutive values with one load (element `i` is `inN[i / 4][i % 4]`). Allowed for any
   * storage: every buffer is a multiple of 16 bytes (webgpu-storage.ts). The kernel must keep
   * its vector loads at indices that are multiples of 4 from the buffer's start.
   */
  readonly vectorInputs?: readonly number[];
  /** Indices of outputs declared `array<vec4<T>>`, as {@link BindingOptions.vectorInputs}. */
  readonly vectorOutputs?: readonly number[];
}

/** The WGSL declarations of `dims`, `in0..` and `out0..` for inputs and outputs of these dtypes. */
export function bindingDeclarations(
  op: string,
  inputs: readonly DType[],
  outputs: readonly DType[],
  options: BindingOptions = {},
): string {
  const lines = ['@group(0) @binding(0) var<storage, read> dims: array<i32>;'];
  inputs.forEach((dtype, index) => {
    const element = wgslElementType(dtype, op);
    const declared = options.vectorInputs?.includes(index) ? `vec4<${element}>` : element;
    lines.push(`@group(0) @binding(${1 + index}) var<storage, read> in${index}: array<${declared}>;`);
  });
  outputs.forEach((dtype, index) => {
    const element = wgslElementType(dtype, op);
    const declared = options.vectorOutputs?.includes(index) ? `vec4<${element}>` : element;
    lines.push(
      `@group(0) @binding(${1 + inputs.length + index}) var<storage, read_write> out${index}: array<${declared}>;`,
    );
  });
  return lines.join('\n');
}

/**
 * A compute entry point running `body` once per thread below `dims[0]`, the thread's number in
 * `thread` (grid folded into y beyond 65,535 workgroups, see {@link threadGrid}).
 */
export function threadKernel(body: string): string {
  return `@compute @workgroup_size(${THREADS_PER_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let thread = id.x + id.y * groups.x * ${THREADS_PER_WORKGROUP}u;
  if (thread >= u32(dims[0])) { return; }
${body}
}`;
}

/** The workgroups {@link threadKernel} needs for `threads` threads. */
export function threadGrid(threads: number): [number, number, number] {
  const groups = Math.ceil(threads / THREADS_PER_WORKGROUP);
  if (groups <= MAXIMUM_WORKGROUPS_PER_DIMENSION) return [groups, 1, 1];
  const rows = Math.ceil(groups / MAXIMUM_WORKGROUPS_PER_DIMENSION);
  return [Math.ceil(groups / rows), rows, 1];
}

function objectId(object: object): number {
  let id = objectIds.get(object);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(object, id);
  }
  return id;
}

/**
 * The bind group layout for `inputs` read-only and `outputs` read-write buffers after `dims`,
 * shared by every kernel of that arity. Explicit rather than 'auto': 'auto' would drop a binding
 * the shader happens not to read, and the bind group would then fail validation. `dims` has a
 * dynamic offset: each dispatch of a batch reads its own slot of one shared buffer
 * (webgpu-queue.ts), so a bind group does not depend on the slot and can be reused.
 */
function bindGroupLayout(device: GPUDevice, inputs: number, outputs: number): GPUBindGroupLayout {
  const key = `${inputs}/${outputs}`;
  let layout = layouts.get(key);
  if (!layout) {
    layout = device.createBindGroupLayout({
      entries: Array.from({ length: 1 + inputs + outputs }, (_, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer:
          binding === 0
            ? { type: 'read-only-storage' as const, hasDynamicOffset: true }
            : { type: binding <= inputs ? ('read-only-storage' as const) : ('storage' as const) },
      })),
    });
    layouts.set(key, layout);
  }
  return layout;
}

function compile(call: KernelCall, device: GPUDevice): Compiled {
  let compiled = pipelines.get(call.source);
  if (compiled) return compiled;
  const layout = bindGroupLayout(device, call.inputs.length, call.outputs.length);
  const module = device.createShaderModule({ code: call.source, label: call.op });
  const pipeline = device.createComputePipeline({
    label: call.op,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main' },
  });
  compiled = { pipeline, layout };
  pipelines.set(call.source, compiled);
  return compiled;
}

/** The bind group of `layout` over the shared `dims` buffer and these operands (cached). */
function bindGroup(device: GPUDevice, layout: GPUBindGroupLayout, buffers: readonly GPUBuffer[]): GPUBindGroup {
  const key = `${objectId(layout)}|${buffers.map(objectId).join(',')}`;
  let group = bindGroups.get(key);
  if (!group) {
    if (bindGroups.size >= BIND_GROUP_CACHE_LIMIT) bindGroups.clear();
    group = device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: sharedDimsBuffer(device), offset: 0, size: DIMS_SLOT_BYTES } },
        ...buffers.map((buffer, index) => ({ binding: 1 + index, resource: { buffer } })),
      ],
    });
    bindGroups.set(key, group);
  }
  return group;
}

/**
 * Queues one kernel into the open batch (webgpu-queue.ts). Errors in the WGSL surface at the
 * next read (webgpu-storage.ts).
 */
export function dispatch(call: KernelCall): void {
  if (call.workgroups.some((count) => count === 0)) return;
  for (const storage of [...call.inputs, ...call.outputs])
    if (storage.released) throw new Error(`webgpu.${call.op}: an operand's storage was already released`);
  const { device } = webGpuContext(call.op);
  const { pipeline, layout } = compile(call, device);
  const group = bindGroup(
    device,
    layout,
    [...call.inputs, ...call.outputs].map((storage) => storage.buffer),
  );
  queueDispatch(call.op, call.meta, (pass, dimsOffset) => {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [dimsOffset]);
    pass.dispatchWorkgroups(call.workgroups[0], call.workgroups[1], call.workgroups[2]);
  });
  dispatchCount++;
}

/** Dispatches a {@link threadKernel} over `threads` threads (`dims[0]` is set to it here). */
export function dispatchThreads(
  op: string,
  source: string,
  inputs: readonly WebGpuStorage[],
  outputs: readonly WebGpuStorage[],
  threads: number,
  meta: readonly number[] = [],
): void {
  dispatch({ op, source, inputs, outputs, meta: [threads, ...meta], workgroups: threadGrid(threads) });
}
