/**
 * How the reduction kernels (simd-reductions.ts, simd-running-products.ts,
 * simd-arg-reductions.ts) run over the kernel threads: one rule and one dispatcher shape for
 * all three modules.
 *
 * The unit of work is a line (a row, or a segment of a long row) that one thread reduces or
 * scans whole, in the one-thread order. A call covers `items` lines; the thread pool hands out
 * ranges of them (`runItemsInParallel` in thread-pool.ts), so which thread takes which line
 * depends on timing, but no line's result does, and the calling thread combines any partial
 * results in a fixed order afterwards. So one thread and any number of threads give the same
 * bits. Each module exports a `fused(first·8, count, operation, ...scalars)` dispatcher (the
 * map kernels' convention: the first item arrives as a byte offset of 8 per item) that runs
 * `operation` on lines first..first + count − 1; {@link rowDispatcher} emits it.
 */
import { encodeModule, op, ValueType, type FunctionDefinition } from './wasm-encoder.js';
import { heapAddress } from './kernel-heap.js';
import { instantiateOnKernelMemory, simdKernels } from './kernel-runtime.js';
import { registerMapKernelModule, runItemsInParallel } from './thread-pool.js';

const { i32 } = ValueType;
const I32_EQ = 0x46;
const I32_SHR_U = 0x76;

/**
 * From this many float32 values a reduction is split over the kernel threads: below it the
 * handshake costs more than a second thread saves.
 */
export const SIMD_REDUCTION_PARALLEL_MINIMUM = 1 << 20;

/** Locals a dispatcher branch may read: the first line, the line count and the scalars. */
export interface DispatcherLocals {
  first: number;
  count: number;
  scalars: readonly number[];
}

/**
 * The `fused(first·8, count, operation, ...scalars)` dispatcher (all i32): branch i, emitted by
 * `branches[i]` with the locals it may read, runs when `operation` is i.
 *
 * @example
 * rowDispatcher(2, [({ first, count, scalars }) => [...callRowsKernel]]) // fused(first8, count, operation, a, b)
 */
export function rowDispatcher(
  scalarCount: number,
  branches: readonly ((locals: DispatcherLocals) => number[])[],
): FunctionDefinition {
  const [first8, count, operation] = [0, 1, 2];
  const scalars = Array.from({ length: scalarCount }, (_, index) => 3 + index);
  const first = 3 + scalarCount;
  return {
    name: 'fused',
    parameters: [i32, i32, i32, ...scalars.map(() => i32)],
    results: [],
    locals: [{ count: 1, type: i32 }],
    body: [
      ...op.localGet(first8),
      ...op.i32Const(3),
      I32_SHR_U,
      ...op.localSet(first),
      ...branches.flatMap((branch, index) => [
        ...op.localGet(operation),
        ...op.i32Const(index),
        I32_EQ,
        ...op.if(),
        ...branch({ first, count, scalars }),
        ...op.end(),
      ]),
    ],
  };
}

/** `base + first · multiplier` (i32, on the stack), for a dispatcher branch's addresses. */
export function offsetOf(base: number, first: number, multiplier: number[]): number[] {
  return [...op.localGet(base), ...op.localGet(first), ...multiplier, ...op.i32Mul(), ...op.i32Add()];
}

/** A reduction module's dispatcher and its id in the thread pool (`registerMapKernelModule`). */
export interface LineDispatcher {
  fused: (first8: number, count: number, ...scalars: number[]) => void;
  moduleId: number;
}

/**
 * Runs `items` lines of `dispatcher`'s operation `scalars[0]`: over the kernel threads when
 * they cover at least {@link SIMD_REDUCTION_PARALLEL_MINIMUM} values and there are two lines or
 * more, else on the calling thread. `owner` names the op in a worker failure's error.
 *
 * @example
 * runLines(kernels, rows * columns, rows, [operation, source, out, columns], 'argmax');
 */
export function runLines(
  dispatcher: LineDispatcher,
  values: number,
  items: number,
  scalars: readonly number[],
  owner: string,
): void {
  const simd = simdKernels();
  if (simd && values >= SIMD_REDUCTION_PARALLEL_MINIMUM && items >= 2)
    runItemsInParallel(simd.module, simd.memory, dispatcher.fused, dispatcher.moduleId, items, scalars, owner);
  else dispatcher.fused(0, items, ...scalars);
}

/**
 * A getter of one reduction module's kernels on the current kernel memory: the module of
 * `definitions` is compiled on first use (and again when the kernel memory changes), `pick`
 * names its exports, and the module is registered with the thread pool for {@link runLines}.
 * The getter returns undefined when SIMD is off or the module does not compile (then it tries
 * again on the next call). One home for the cache the three reduction modules each kept.
 *
 * @example
 * const kernels = lineKernels(() => [rowsKernel(), dispatcher()], (exports) => ({ rows: exports.rows, fused: exports.fused }));
 */
export function lineKernels<Kernels extends LineDispatcher>(
  definitions: () => FunctionDefinition[],
  pick: (exports: Record<string, never>) => Omit<Kernels, 'moduleId'>,
): (memory: WebAssembly.Memory) => Kernels | undefined {
  let instance: { memory: WebAssembly.Memory; kernels: Kernels } | undefined;
  return (memory) => {
    if (instance?.memory === memory) return instance.kernels;
    const compiled = instantiateOnKernelMemory((limits) => encodeModule(limits, definitions()));
    if (!compiled) return undefined;
    const exports = compiled.exports as unknown as Record<string, never>;
    instance = { memory, kernels: { ...pick(exports), moduleId: registerMapKernelModule(compiled.module) } as Kernels };
    return instance.kernels;
  };
}

/**
 * The address of `values[offset..offset + size)` in the kernel memory: its own when `values`
 * lives on the kernel heap, else a copy written at `scratch` (a reserved block of `size`
 * float32). Shared by the reduction modules' entry points.
 *
 * @example
 * const source = placeInput(simd.memory, values, offset, size, copy!);
 */
export function placeInput(
  memory: WebAssembly.Memory,
  values: Float32Array,
  offset: number,
  size: number,
  scratch: number,
): number {
  const direct = heapAddress(values);
  if (direct !== undefined) return direct + offset * 4;
  new Float32Array(memory.buffer, scratch, size).set(values.subarray(offset, offset + size));
  return scratch;
}
