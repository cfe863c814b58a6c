/**
 * Float32 add/sub/mul/div and exp over the kernel threads, and the row kernels for broadcasts
 * whose innermost dimension is contiguous in both operands ([R, C] − [R, 1], a bias row, ...).
 *
 * One module on the kernel memory holds copies of the main module's flat kernels (`<op>_vv`,
 * `_vs`, `_sv`, `exp`: the same definitions, so the same bits), the row kernels
 * `<op>_rows_<layout>` and a `fused` dispatcher (reduction-threads.ts's convention) that runs
 * a range of items: chunks of {@link CHUNK_FLOATS} values for the flat kernels, rows for the
 * row kernels. Every element is computed by one lane or one scalar float32 operation on its
 * own, so neither the split nor the thread count changes a bit. Calls below
 * {@link ELEMENTWISE_PARALLEL_MINIMUM} values ({@link EXP_PARALLEL_MINIMUM} for exp) run on the
 * calling thread.
 */
import { encodeModule, op, v128Load, v128Load32Splat, v128Store, ValueType } from './wasm-encoder.js';
import { advanceByLocal, advanceLocal, countDown } from './loop-emitters.js';
import type { FunctionDefinition } from './wasm-encoder.js';
import { binary, exponential, SIMD_BINARY_OPS, type SimdBinaryOp } from './simd-kernels-module.js';
import { instantiateOnKernelMemory, simdKernels } from './kernel-runtime.js';
import { registerMapKernelModule, runItemsInParallel } from './thread-pool.js';
import { offsetOf, rowDispatcher, type DispatcherLocals } from './reduction-threads.js';

const { i32, f32, v128 } = ValueType;
const g = op.localGet;
const s = op.localSet;
const I32_AND = 0x71;
const I32_SHR_U = 0x76;
const F32_OPCODES: Record<SimdBinaryOp, number> = { add: 0x92, sub: 0x93, mul: 0x94, div: 0x95 };

/**
 * From this many float32 values add/sub/mul/div (flat or by rows) are split over the kernel
 * threads. They read 8 bytes and write 4 per addition, so a second thread adds little more than
 * memory bandwidth; at a load of 10 on the 2-core benchmark machine two threads did not pay
 * below 2^22 (docs/performance.md, *Threads*), and 2^20 is the reductions' threshold too.
 */
export const ELEMENTWISE_PARALLEL_MINIMUM = 1 << 20;

/**
 * From this many values exp is split over the kernel threads: about 25 vector instructions per
 * four values, so a second thread paid from 2^18 on the benchmark machine (1.13× there at a load
 * of 10, 1.41× at 2^22).
 */
export const EXP_PARALLEL_MINIMUM = 1 << 18;

/** The values in one item of a threaded flat kernel (32 KB of each operand). */
export const CHUNK_FLOATS = 1 << 13;
const CHUNK_VECTORS = CHUNK_FLOATS / 4;

/** Which operand is a vector (v) and which one value per row or per call (s). */
export type BinaryLayout = 'vv' | 'vs' | 'sv';
const LAYOUTS: readonly BinaryLayout[] = ['vv', 'vs', 'sv'];
const OPS = Object.keys(SIMD_BINARY_OPS) as SimdBinaryOp[];

/**
 * `<op>_rows_<layout>(a, b, out, rows, columns, aRowBytes, bRowBytes)`: for each of `rows`
 * (at least 1) rows, out's next `columns` values = a ∘ b, where a vector operand reads its row's
 * `columns` values and a scalar operand its row's one value (splatted); each operand's row
 * advances by its own byte stride (0 repeats a row), out's by `columns`·4. Whole f32x4 vectors,
 * then a scalar float32 tail: nothing outside the rows is read or written, so concurrent row
 * ranges never touch each other's values.
 */
function rowsKernel(name: SimdBinaryOp, layout: BinaryLayout): FunctionDefinition {
  const [a, b, out, rows, columns, aRowBytes, bRowBytes] = [0, 1, 2, 3, 4, 5, 6];
  const [pa, pb, n, splat, scalar] = [7, 8, 9, 10, 11];
  const aScalar = layout === 'sv';
  const bScalar = layout === 'vs';
  const vectorOperand = (pointer: number, isScalar: boolean) => (isScalar ? g(splat) : [...g(pointer), ...v128Load(0)]);
  const scalarOperand = (pointer: number, isScalar: boolean) =>
    isScalar ? g(scalar) : [...g(pointer), ...op.f32Load(0)];
  const body = [
    ...op.loop(),
    ...g(a),
    ...s(pa),
    ...g(b),
    ...s(pb),
    ...(aScalar ? [...g(a), ...v128Load32Splat(0), ...s(splat), ...g(a), ...op.f32Load(0), ...s(scalar)] : []),
    ...(bScalar ? [...g(b), ...v128Load32Splat(0), ...s(splat), ...g(b), ...op.f32Load(0), ...s(scalar)] : []),
    // Whole vectors.
    ...g(columns),
    ...op.i32Const(2),
    I32_SHR_U,
    ...op.localTee(n),
    ...op.if(),
    ...op.loop(),
    ...g(out),
    ...vectorOperand(pa, aScalar),
    ...vectorOperand(pb, bScalar),
    ...op.simd(SIMD_BINARY_OPS[name]),
    ...v128Store(0),
    ...(aScalar ? [] : advanceLocal(pa, 16)),
    ...(bScalar ? [] : advanceLocal(pb, 16)),
    ...advanceLocal(out, 16),
    ...countDown(n),
    ...op.end(),
    ...op.end(),
    // The last columns % 4 values, one at a time (the same IEEE float32 operation as a lane).
    ...g(columns),
    ...op.i32Const(3),
    I32_AND,
    ...op.localTee(n),
    ...op.if(),
    ...op.loop(),
    ...g(out),
    ...scalarOperand(pa, aScalar),
    ...scalarOperand(pb, bScalar),
    F32_OPCODES[name],
    ...op.f32Store(0),
    ...(aScalar ? [] : advanceLocal(pa, 4)),
    ...(bScalar ? [] : advanceLocal(pb, 4)),
    ...advanceLocal(out, 4),
    ...countDown(n),
    ...op.end(),
    ...op.end(),
    // Next row (out already points at it).
    ...advanceByLocal(a, aRowBytes),
    ...advanceByLocal(b, bRowBytes),
    ...countDown(rows),
    ...op.end(),
  ];
  return {
    name: `${name}_rows_${layout}`,
    parameters: [i32, i32, i32, i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 3, type: i32 },
      { count: 1, type: v128 },
      { count: 1, type: f32 },
    ],
    body,
  };
}

// Function indices: the flat binaries (op·3 + layout), exp, the row kernels, the dispatcher.
const FLAT_COUNT = OPS.length * LAYOUTS.length;
const EXP_INDEX = FLAT_COUNT;
const ROWS_BASE = FLAT_COUNT + 1;

/**
 * `fused(first·8, count, operation, a, b, out, columns, aRowBytes, bRowBytes)`: items
 * first..first + count − 1 of `operation`. An item is a row of `columns` values (out's rows are
 * contiguous; a and b advance by their row bytes per item). Operations: flat binary op·3 +
 * layout (the flat kernel over count·columns/4 vectors), then exp (a is x), then the row kernels.
 */
function dispatcher(): FunctionDefinition {
  const outStep = (columns: number) => [...g(columns), ...op.i32Const(4), ...op.i32Mul()];
  const vectors = (count: number, columns: number) => [
    ...g(count),
    ...g(columns),
    ...op.i32Mul(),
    ...op.i32Const(2),
    I32_SHR_U,
  ];
  // a and b of item `first` (their row bytes apart) and its output row (columns floats apart):
  // the addresses every branch but exp starts from.
  const rowAddresses = ({ first, scalars: [a, b, out, columns, aRowBytes, bRowBytes] }: DispatcherLocals) => [
    ...offsetOf(a!, first, g(aRowBytes!)),
    ...offsetOf(b!, first, g(bRowBytes!)),
    ...offsetOf(out!, first, outStep(columns!)),
  ];
  const flat = (index: number) => (locals: DispatcherLocals) => [
    ...rowAddresses(locals),
    ...vectors(locals.count, locals.scalars[3]!),
    ...op.call(index),
  ];
  const exp = (locals: DispatcherLocals) => {
    const [a, , out, columns, aRowBytes] = locals.scalars as [number, number, number, number, number];
    return [
      ...offsetOf(a, locals.first, g(aRowBytes)),
      ...offsetOf(out, locals.first, outStep(columns)),
      ...vectors(locals.count, columns),
      ...op.call(EXP_INDEX),
    ];
  };
  const rows = (index: number) => (locals: DispatcherLocals) => {
    const [, , , columns, aRowBytes, bRowBytes] = locals.scalars as [number, number, number, number, number, number];
    return [
      ...rowAddresses(locals),
      ...g(locals.count),
      ...g(columns),
      ...g(aRowBytes),
      ...g(bRowBytes),
      ...op.call(index),
    ];
  };
  return rowDispatcher(6, [
    ...Array.from({ length: FLAT_COUNT }, (_, index) => flat(index)),
    exp,
    ...Array.from({ length: FLAT_COUNT }, (_, index) => rows(ROWS_BASE + index)),
  ]);
}

type Kernel = (...values: number[]) => void;
interface Kernels {
  flat: Kernel[];
  exp: Kernel;
  rows: Kernel[];
  fused: Kernel;
  moduleId: number;
}
let instance: { memory: WebAssembly.Memory; kernels: Kernels | undefined } | undefined;

/** The module on the current kernel memory, or undefined when SIMD is off. */
function broadcastKernels():
  { runtime: { module: WebAssembly.Module; memory: WebAssembly.Memory }; kernels: Kernels } | undefined {
  const runtime = simdKernels();
  if (!runtime) return undefined;
  if (instance?.memory !== runtime.memory) {
    const definitions = [
      ...OPS.flatMap((name) => LAYOUTS.map((layout) => binary(name, layout))),
      exponential(),
      ...OPS.flatMap((name) => LAYOUTS.map((layout) => rowsKernel(name, layout))),
      dispatcher(),
    ];
    const compiled = instantiateOnKernelMemory((limits) => encodeModule(limits, definitions));
    const exports = compiled?.exports as Record<string, Kernel> | undefined;
    instance = {
      memory: runtime.memory,
      kernels:
        compiled && exports
          ? {
              flat: OPS.flatMap((name) => LAYOUTS.map((layout) => exports[`${name}_${layout}`]!)),
              exp: exports.exp!,
              rows: OPS.flatMap((name) => LAYOUTS.map((layout) => exports[`${name}_rows_${layout}`]!)),
              fused: exports.fused!,
              moduleId: registerMapKernelModule(compiled.module),
            }
          : undefined,
    };
  }
  return instance.kernels ? { runtime, kernels: instance.kernels } : undefined;
}

/** Runs `items` items of `operation` over the threads (two items or more), else here. */
function runItems(
  found: NonNullable<ReturnType<typeof broadcastKernels>>,
  items: number,
  scalars: readonly number[],
  owner: string,
): void {
  const { runtime, kernels } = found;
  runItemsInParallel(runtime.module, runtime.memory, kernels.fused, kernels.moduleId, items, scalars, owner);
}

/**
 * out = a ∘ b over `vectors` f32x4 vectors at byte addresses in the kernel memory (a scalar
 * operand's value at its address, per `layout`), split in chunks over the kernel threads from
 * {@link ELEMENTWISE_PARALLEL_MINIMUM} values. Returns false (doing nothing) when the module is
 * unavailable.
 *
 * @example
 * runFlatBinary('add', 'vv', aAddress, bAddress, outAddress, Math.ceil(size / 4))
 */
export function runFlatBinary(
  name: SimdBinaryOp,
  layout: BinaryLayout,
  a: number,
  b: number,
  out: number,
  vectors: number,
): boolean {
  const found = broadcastKernels();
  if (!found) return false;
  const index = OPS.indexOf(name) * LAYOUTS.length + LAYOUTS.indexOf(layout);
  const chunks = vectors * 4 >= ELEMENTWISE_PARALLEL_MINIMUM ? Math.floor(vectors / CHUNK_VECTORS) : 0;
  const chunkBytes = CHUNK_VECTORS * 16;
  if (chunks >= 2) {
    const aStep = layout === 'sv' ? 0 : chunkBytes;
    const bStep = layout === 'vs' ? 0 : chunkBytes;
    runItems(found, chunks, [index, a, b, out, CHUNK_FLOATS, aStep, bStep], name);
    const done = chunks * CHUNK_VECTORS;
    if (done < vectors)
      found.kernels.flat[index]!(
        a + done * (aStep / CHUNK_VECTORS),
        b + done * (bStep / CHUNK_VECTORS),
        out + done * 16,
        vectors - done,
      );
  } else found.kernels.flat[index]!(a, b, out, vectors);
  return true;
}

/**
 * out = exp(x) over `vectors` f32x4 vectors at byte addresses in the kernel memory (the main
 * module's exp, the same bits), split in chunks over the kernel threads from
 * {@link EXP_PARALLEL_MINIMUM} values.
 *
 * @example
 * runFlatExp(xAddress, outAddress, Math.ceil(size / 4))
 */
export function runFlatExp(x: number, out: number, vectors: number): boolean {
  const found = broadcastKernels();
  if (!found) return false;
  const chunks = vectors * 4 >= EXP_PARALLEL_MINIMUM ? Math.floor(vectors / CHUNK_VECTORS) : 0;
  if (chunks >= 2) {
    runItems(found, chunks, [EXP_INDEX, x, 0, out, CHUNK_FLOATS, CHUNK_VECTORS * 16, 0], 'exp');
    const done = chunks * CHUNK_VECTORS;
    if (done < vectors) found.kernels.exp(x + done * 16, out + done * 16, vectors - done);
  } else found.kernels.exp(x, out, vectors);
  return true;
}

/**
 * out (rows × columns, contiguous) = a ∘ b row by row (see `rowsKernel`): each operand's rows
 * start `aRowBytes` / `bRowBytes` apart at byte addresses in the kernel memory, a vector operand
 * supplying `columns` values per row and a scalar one (per `layout`) one value. Split by rows
 * over the kernel threads from {@link ELEMENTWISE_PARALLEL_MINIMUM} values. Returns false when
 * the module is unavailable.
 *
 * @example
 * runRows('sub', 'vs', xAddress, maxAddress, outAddress, 128, 10, 40, 4) // x − max per row
 */
export function runRows(
  name: SimdBinaryOp,
  layout: BinaryLayout,
  a: number,
  b: number,
  out: number,
  rows: number,
  columns: number,
  aRowBytes: number,
  bRowBytes: number,
): boolean {
  const found = broadcastKernels();
  if (!found) return false;
  if (rows === 0 || columns === 0) return true;
  const index = OPS.indexOf(name) * LAYOUTS.length + LAYOUTS.indexOf(layout);
  if (rows >= 2 && rows * columns >= ELEMENTWISE_PARALLEL_MINIMUM)
    runItems(found, rows, [ROWS_BASE + index, a, b, out, columns, aRowBytes, bRowBytes], name);
  else found.kernels.rows[index]!(a, b, out, rows, columns, aRowBytes, bRowBytes);
  return true;
}
