/**
 * Float32 reductions on WebAssembly SIMD: sum, max and min of `rows` contiguous runs of
 * `columns` values each, one result per run (the reduced axes are the last ones: softmax and
 * logsumexp denominators, losses; or all of them), and sum, prod, max and min over a leading
 * or middle axis (bias gradients), four columns per vector in the loop's own order (see
 * `columnKernel`). Rows run over the kernel threads when large (reduction-threads.ts); rows
 * longer than 2·{@link SIMD_REDUCTION_SEGMENT} are reduced by fixed segments.
 *
 * Sum order and accuracy. The JavaScript loop it replaces adds the values one by one into a
 * float64 accumulator and rounds the total to float32 once. The kernel keeps the float64
 * accumulation but splits it over eight lanes (four f64x2 vectors; lane j adds the elements
 * whose index is j mod 8), adds the lanes pairwise at the end, then the fewer-than-eight tail
 * values in order. Its float64 error bound, (n/8 + 3)·2⁻⁵³·Σ|x|, is below the sequential
 * loop's (n − 1)·2⁻⁵³·Σ|x|; both are far under float32's half ulp for any n below 2²⁰ or so,
 * so the float32 results of the two orders differ only when the float64 total lies within that
 * bound of a float32 rounding boundary (rarely, and by one float32 ulp).
 *
 * max and min are exact in any order, except for the sign of zero and for NaN. The kernels
 * return NaN when any value of the row is NaN, as the JavaScript loop does; for an extreme of
 * zero the loop keeps the first zero of the row, whatever its sign, while the kernel's zero has
 * whichever sign its lanes met. So a zero result is replaced here by the row's first zero,
 * which keeps the results bit for bit those of the loop.
 */
import { op, Simd, v128Load, v128Store, ValueType, type FunctionDefinition } from './wasm-encoder.js';
import { advanceByLocal, advanceLocal, countDown, vectorRowsLoop, whilePointerBelow } from './loop-emitters.js';
import { heapAddress } from './kernel-heap.js';
import { reserve, simdKernels } from './kernel-runtime.js';
import {
  lineKernels,
  offsetOf,
  placeInput,
  rowDispatcher,
  runLines,
  type DispatcherLocals,
} from './reduction-threads.js';

const { i32, f32, f64, v128 } = ValueType;

/** Row reductions with a SIMD kernel. */
export type SimdRowReduction = 'sum' | 'max' | 'min';

/**
 * Reductions over a leading or middle axis with fewer columns than this (one vector) stay on
 * the JavaScript loop, as do those of fewer than {@link SIMD_REDUCTION_MINIMUM_VALUES} values.
 * Measured (one thread, load 11): over the first axis of [150000, 4] sum, max and prod ran
 * 2.5–3.2× faster than the loop, of [60000, 10] 4.8–5.2×, of [64, 10] 1.03–1.11×, and of
 * [20, 4] (80 values) 0.76–0.81×.
 */
export const SIMD_REDUCTION_MINIMUM_COLUMNS = 4;
/**
 * Row reductions and scans over fewer values than this in all stay on the JavaScript loop (the
 * call and the copies cost more). Above it the row kernels take rows of any length: for rows of
 * 2 to 12 values (600,000 in all, one thread, load 10) max ran 8.7–9.9× faster than the loop
 * (whose general path costs 8–70 ns a value on short rows) and sums 0.97–1.49×.
 */
export const SIMD_REDUCTION_MINIMUM_VALUES = 256;

// Numeric opcodes beyond wasm-encoder.ts's `op` (WebAssembly core specification); the SIMD ones are its `Simd` table.
const F32_MIN = 0x96;
const F32_MAX = 0x97;
const F64_ADD = 0xa0;
const F64_PROMOTE_F32 = 0xbb;
const I32_AND = 0x71;
const f64Store = (offset = 0) => [0x39, 3, offset];

const g = op.localGet;
const s = op.localSet;
const zeroVector = () => op.simd(Simd.v128Const, ...new Array<number>(16).fill(0));

/**
 * The loop shared by both kernels: for each row, `vectorStep` over blocks of eight floats from
 * `src` up to `end8`, then `finish` (horizontal combination), then `tailStep` over the
 * remaining floats up to `end`, then `store`. Parameters: src, out, rows, columns (bytes
 * addresses; rows at least 1); locals 4 and 5 are end8 and end.
 */
function rowLoop(parts: {
  start: number[];
  vectorStep: number[];
  finish: number[];
  tailStep: number[];
  store: number[];
}): number[] {
  const [src, , rows, columns, end8, end] = [0, 1, 2, 3, 4, 5];
  return [
    ...op.loop(),
    // end = src + columns·4; end8 = src + (columns & ~7)·4
    ...g(src),
    ...g(columns),
    ...op.i32Const(4),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...s(end),
    ...g(src),
    ...g(columns),
    ...op.i32Const(-8),
    I32_AND,
    ...op.i32Const(4),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...s(end8),
    ...parts.start,
    ...whilePointerBelow(src, end8, 32, parts.vectorStep),
    ...parts.finish,
    ...whilePointerBelow(src, end, 4, parts.tailStep),
    ...parts.store,
    ...countDown(rows),
    ...op.end(),
  ];
}

/**
 * sum_rows(src, out, rows, columns): out[row] (float64) = Σ of the row's float32 values, in
 * eight float64 lanes as the file comment describes.
 */
function sumRows(): FunctionDefinition {
  const [src, out] = [0, 1];
  const accumulators = [6, 7, 8, 9];
  const total = 10;
  const addPair = (index: number) => [
    ...g(accumulators[index]!),
    ...g(src),
    ...op.simd(Simd.v128Load64Splat, 3, index * 8),
    ...op.simd(Simd.f64x2PromoteLowF32x4),
    ...op.simd(Simd.f64x2Add),
    ...s(accumulators[index]!),
  ];
  const lanes = (first: number, second: number) => [
    ...g(accumulators[first]!),
    ...g(accumulators[second]!),
    ...op.simd(Simd.f64x2Add),
  ];
  const body = rowLoop({
    start: accumulators.flatMap((local) => [...zeroVector(), ...s(local)]),
    vectorStep: [0, 1, 2, 3].flatMap(addPair),
    finish: [
      ...lanes(0, 1),
      ...lanes(2, 3),
      ...op.simd(Simd.f64x2Add),
      ...s(accumulators[0]!),
      ...g(accumulators[0]!),
      ...op.simd(Simd.f64x2ExtractLane, 0),
      ...g(accumulators[0]!),
      ...op.simd(Simd.f64x2ExtractLane, 1),
      F64_ADD,
      ...s(total),
    ],
    tailStep: [...g(total), ...g(src), ...op.f32Load(0), F64_PROMOTE_F32, F64_ADD, ...s(total)],
    store: [...g(out), ...g(total), ...f64Store(0), ...advanceLocal(out, 8)],
  });
  return {
    name: 'sum_rows',
    parameters: [i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 2, type: i32 },
      { count: 4, type: v128 },
      { count: 1, type: f64 },
    ],
    body,
  };
}

/**
 * max_rows / min_rows(src, out, rows, columns): out[row] (float32) = the row's maximum
 * (minimum): NaN if any value is NaN, and a zero of either sign when the extreme is zero.
 *
 * The vector loop uses pmax/pmin (`b > a ? b : a`, one maxps on x86) rather than f32x4.max,
 * whose NaN and signed-zero rules take several instructions per vector there; NaN is tracked
 * separately by an `x ≠ x` mask ORed over the row. The scalar tail uses f32.max/min, which
 * propagate NaN themselves.
 */
function extremeRows(kind: 'max' | 'min'): FunctionDefinition {
  const [src, out] = [0, 1];
  const [first, second, notANumber, loaded] = [6, 7, 8, 9];
  const result = 10;
  const vectorOp = kind === 'max' ? Simd.f32x4Pmax : Simd.f32x4Pmin;
  const scalarOp = kind === 'max' ? F32_MAX : F32_MIN;
  const initial = kind === 'max' ? -Infinity : Infinity;
  const step = (local: number, offset: number) => [
    ...g(src),
    ...v128Load(offset),
    ...op.localTee(loaded),
    ...g(loaded),
    ...op.simd(Simd.f32x4Ne),
    ...g(notANumber),
    ...op.simd(Simd.v128Or),
    ...s(notANumber),
    ...g(local),
    ...g(loaded),
    ...op.simd(vectorOp),
    ...s(local),
  ];
  const lane = (index: number) => [...g(first), ...op.simd(Simd.f32x4ExtractLane, index)];
  const body = rowLoop({
    start: [
      ...op.f32Const(initial),
      ...op.simd(Simd.f32x4Splat),
      ...op.localTee(first),
      ...s(second),
      ...zeroVector(),
      ...s(notANumber),
    ],
    vectorStep: [...step(first, 0), ...step(second, 16)],
    finish: [
      ...g(first),
      ...g(second),
      ...op.simd(vectorOp),
      ...s(first),
      ...lane(0),
      ...lane(1),
      scalarOp,
      ...lane(2),
      ...lane(3),
      scalarOp,
      scalarOp,
      ...s(result),
      ...g(notANumber),
      ...op.simd(Simd.v128AnyTrue),
      ...op.if(),
      ...op.f32Const(NaN),
      ...s(result),
      ...op.end(),
    ],
    tailStep: [...g(result), ...g(src), ...op.f32Load(0), scalarOp, ...s(result)],
    store: [...g(out), ...g(result), ...op.f32Store(0), ...advanceLocal(out, 4)],
  });
  return {
    name: `${kind}_rows`,
    parameters: [i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 2, type: i32 },
      { count: 4, type: v128 },
      { count: 1, type: f32 },
    ],
    body,
  };
}

/** Reductions over a leading or middle axis with a SIMD kernel. */
export type SimdColumnReduction = 'sum' | 'prod' | 'max' | 'min';

/**
 * `<kind>_columns(src, accumulators, reduced, vectors, rowBytes)`: for each of `reduced` rows
 * (`rowBytes` apart) folds the row's first `vectors`·4 float32 values into the accumulators,
 * column by column, in row order: the order of the JavaScript loop, so the results are the
 * loop's bit for bit. Sums and products accumulate in float64 (two f64x2 per four columns, 32
 * bytes); max and min in float32 (16 bytes per four columns), as `x ≠ x ? x : pmax(acc, x)`,
 * which is the loop's `x > acc || x ≠ x` (pmax(a, b) is `a < b ? b : a`): the first zero of a
 * column is kept whatever the sign of later ones, and the last NaN wins. The last vector of a
 * row may read up to three floats past the row's end (into the next row, or the block's
 * padding); their accumulators are never read.
 */
function columnKernel(kind: SimdColumnReduction): FunctionDefinition {
  const [src, accumulators, reduced, vectors, rowBytes] = [0, 1, 2, 3, 4];
  const [pointer, target, left, loaded] = [5, 6, 7, 8];
  const wide = kind === 'sum' || kind === 'prod';
  const foldHalf = (offset: number) => [
    ...g(target),
    ...g(target),
    ...v128Load(offset * 2),
    ...g(pointer),
    ...op.simd(Simd.v128Load64Splat, 3, offset),
    ...op.simd(Simd.f64x2PromoteLowF32x4),
    ...op.simd(kind === 'sum' ? Simd.f64x2Add : Simd.f64x2Mul),
    ...v128Store(offset * 2),
  ];
  const extremeStep = [
    ...g(pointer),
    ...v128Load(0),
    ...s(loaded),
    ...g(target),
    ...g(loaded),
    ...g(target),
    ...v128Load(0),
    ...g(loaded),
    ...op.simd(kind === 'max' ? Simd.f32x4Pmax : Simd.f32x4Pmin),
    ...g(loaded),
    ...g(loaded),
    ...op.simd(Simd.f32x4Ne),
    ...op.simd(Simd.v128Bitselect),
    ...v128Store(0),
  ];
  const body = vectorRowsLoop({
    rows: reduced,
    vectors,
    left,
    walkers: [
      [pointer, src],
      [target, accumulators],
    ],
    step: [
      ...(wide ? [...foldHalf(0), ...foldHalf(8)] : extremeStep),
      ...advanceLocal(pointer, 16),
      ...advanceLocal(target, wide ? 32 : 16),
    ],
    afterRow: advanceByLocal(src, rowBytes),
  });
  return {
    name: `${kind}_columns`,
    parameters: [i32, i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 3, type: i32 },
      { count: 1, type: v128 },
    ],
    body,
  };
}

/** The kernels of the module, in function-index order (the dispatcher calls them by index). */
const ROW_KINDS: readonly SimdRowReduction[] = ['sum', 'max', 'min'];
const COLUMN_KINDS: readonly SimdColumnReduction[] = ['sum', 'prod', 'max', 'min'];
/** Bytes of one row's result (rows) or of one vector's accumulators (columns). */
const rowResultBytes = (kind: SimdRowReduction) => (kind === 'sum' ? 8 : 4);
const columnAccumulatorBytes = (kind: SimdColumnReduction) => (kind === 'sum' || kind === 'prod' ? 32 : 16);

/**
 * fused(first·8, count, operation, src, out, columns): the rows [first, first + count) of one
 * row reduction, `ROW_KINDS[operation]` over rows of `columns` floats, for the kernel threads
 * (see reduction-threads.ts: every row is reduced whole by one thread in the one-thread order,
 * so the results do not depend on the split).
 *
 * Column reductions are not split: one thread reads a [2048, 2048] block at about 18 GB/s on
 * the 2-core benchmark machine, and two threads each walking half of every row took 1.3–2.3 ms
 * against 0.9 ms at their best (ad-hoc runs at load 10–11, 2026-12-05), so a split only lost.
 */
function dispatcher(): FunctionDefinition {
  return rowDispatcher(
    3,
    ROW_KINDS.map((kind, index) => ({ first, count, scalars: [src, out, columns] }: DispatcherLocals) => [
      ...offsetOf(src!, first, [...g(columns!), ...op.i32Const(4), ...op.i32Mul()]),
      ...offsetOf(out!, first, op.i32Const(rowResultBytes(kind))),
      ...g(count),
      ...g(columns!),
      ...op.call(index),
    ]),
  );
}

type RowKernel = (src: number, out: number, rows: number, columns: number) => void;
type ColumnKernel = (src: number, accumulators: number, reduced: number, vectors: number, rowBytes: number) => void;
type Dispatcher = (first8: number, count: number, ...scalars: number[]) => void;
interface Kernels {
  rows: Record<SimdRowReduction, RowKernel>;
  columns: Record<SimdColumnReduction, ColumnKernel>;
  fused: Dispatcher;
  /** The module's id in the thread pool (registerMapKernelModule). */
  moduleId: number;
}

/** The compiled kernels on the current kernel memory, or undefined when SIMD is off. */
const reductionKernels = lineKernels<Kernels>(
  () => [sumRows(), extremeRows('max'), extremeRows('min'), ...COLUMN_KINDS.map(columnKernel), dispatcher()],
  (exports) => ({
    rows: { sum: exports.sum_rows, max: exports.max_rows, min: exports.min_rows },
    columns: {
      sum: exports.sum_columns,
      prod: exports.prod_columns,
      max: exports.max_columns,
      min: exports.min_columns,
    },
    fused: exports.fused,
  }),
);

/**
 * Rows longer than two segments are reduced as segments of this many values (each one a row
 * of the row kernel, so they run in parallel), whose results are then combined in order. The
 * split depends only on the row's length, never on the thread count: the results are the same
 * on any number of threads.
 */
export const SIMD_REDUCTION_SEGMENT = 1 << 16;

/**
 * out[row] = the sum, maximum or minimum of `values[offset + row·columns ..][0..columns)` for
 * each of `rows` rows, on the SIMD kernels (see the file comment for the sum's order), over
 * the kernel threads for large inputs. Rows longer than 2·{@link SIMD_REDUCTION_SEGMENT} are
 * reduced by segments combined in order: a sum's error bound becomes
 * (S/8 + 3 + n/S)·2⁻⁵³·Σ|x| with S the segment length (smaller than the unsegmented one),
 * max and min are unchanged (exact). A float64 `out` receives the float64 sums unrounded.
 * Returns false, doing nothing, when the SIMD kernels are off or unavailable.
 *
 * @example
 * simdReduceRows('sum', x, 0, 128, 1024, out) // out.length === 128
 */
export function simdReduceRows(
  kind: SimdRowReduction,
  values: Float32Array,
  offset: number,
  rows: number,
  columns: number,
  out: Float32Array | Float64Array,
): boolean {
  const simd = simdKernels();
  if (!simd) return false;
  const kernels = reductionKernels(simd.memory);
  if (!kernels) return false;
  if (rows === 0) return true;
  const size = rows * columns;
  const direct = heapAddress(values);
  const resultBytes = rowResultBytes(kind);
  const segmented = columns > 2 * SIMD_REDUCTION_SEGMENT;
  const segments = segmented ? Math.floor(columns / SIMD_REDUCTION_SEGMENT) : 1;
  const scratch = reserve(
    simd.memory,
    direct === undefined
      ? [(segmented ? segments + 1 : rows) * resultBytes, size * 4]
      : [(segmented ? segments + 1 : rows) * resultBytes],
  );
  const source = placeInput(simd.memory, values, offset, size, scratch[1]!);
  const operation = ROW_KINDS.indexOf(kind);
  if (!segmented) {
    runLines(kernels, size, rows, [operation, source, scratch[0]!, columns], kind);
    if (kind === 'sum') {
      out.set(new Float64Array(simd.memory.buffer, scratch[0]!, rows));
      return true;
    }
    const results = new Float32Array(simd.memory.buffer, scratch[0]!, rows);
    for (let row = 0; row < rows; row++)
      out[row] = exactExtreme(results[row]!, values, offset + row * columns, columns);
    return true;
  }
  const tail = columns - segments * SIMD_REDUCTION_SEGMENT;
  for (let row = 0; row < rows; row++) {
    const start = source + row * columns * 4;
    runLines(kernels, columns, segments, [operation, start, scratch[0]!, SIMD_REDUCTION_SEGMENT], kind);
    if (tail > 0)
      kernels.rows[kind](start + segments * SIMD_REDUCTION_SEGMENT * 4, scratch[0]! + segments * resultBytes, 1, tail);
    const parts = segments + (tail > 0 ? 1 : 0);
    if (kind === 'sum') {
      // The segments' float64 sums, added in order.
      const partials = new Float64Array(simd.memory.buffer, scratch[0]!, parts);
      let total = 0;
      for (const partial of partials) total += partial;
      out[row] = total;
      continue;
    }
    const partials = new Float32Array(simd.memory.buffer, scratch[0]!, parts);
    let extreme = partials[0]!;
    for (const partial of partials) {
      if (partial !== partial) {
        extreme = partial;
        break;
      }
      if (kind === 'max' ? partial > extreme : partial < extreme) extreme = partial;
    }
    out[row] = exactExtreme(extreme, values, offset + row * columns, columns);
  }
  return true;
}

/** A kernel's max or min of a row made the loop's: a zero becomes the row's first zero (see the file comment). */
function exactExtreme(result: number, values: Float32Array, start: number, columns: number): number {
  return result === 0 ? firstZero(values, start, columns) : result;
}

/** The row's first zero (−0 or +0): the loop's maximum (minimum) when that is zero. */
function firstZero(values: Float32Array, start: number, columns: number): number {
  for (let index = start; index < start + columns; index++) if (values[index] === 0) return values[index]!;
  return 0;
}

/**
 * out[o·inner + i] = the sum, product, maximum or minimum over r of
 * values[offset + (o·reduced + r)·inner + i]: the middle axis of an `[outer, reduced, inner]`
 * block reduced (a bias gradient is outer = 1, sum), each column in row order (sums and
 * products in float64), so the results equal the JavaScript loop's bit for bit, NaN and the
 * sign of zero included (a float64 `out` receives sums and products unrounded). One thread
 * (see `dispatcher` for why columns are not split).
 * `reduced` must be at least 1 for max and min. Returns false, doing nothing, when the SIMD kernels are off or
 * unavailable.
 *
 * @example
 * simdReduceColumns('sum', x, 0, 1, 128, 256, out) // out.length === 256: sum(x, 0) for x of shape [128, 256]
 */
export function simdReduceColumns(
  kind: SimdColumnReduction,
  values: Float32Array,
  offset: number,
  outer: number,
  reduced: number,
  inner: number,
  out: Float32Array | Float64Array,
): boolean {
  const simd = simdKernels();
  if (!simd) return false;
  const kernels = reductionKernels(simd.memory);
  if (!kernels) return false;
  if (outer === 0 || inner === 0) return true;
  const vectors = Math.ceil(inner / 4);
  const size = outer * reduced * inner;
  const direct = heapAddress(values);
  const accumulatorBytes = vectors * columnAccumulatorBytes(kind);
  const scratch = reserve(simd.memory, direct === undefined ? [accumulatorBytes, size * 4] : [accumulatorBytes]);
  const source = placeInput(simd.memory, values, offset, size, scratch[1]!);
  const wide = kind === 'sum' || kind === 'prod';
  const accumulators = wide
    ? new Float64Array(simd.memory.buffer, scratch[0]!, vectors * 4)
    : new Float32Array(simd.memory.buffer, scratch[0]!, vectors * 4);
  const initial = { sum: 0, prod: 1, max: -Infinity, min: Infinity }[kind];
  for (let block = 0; block < outer; block++) {
    accumulators.fill(initial);
    if (reduced > 0)
      kernels.columns[kind](source + block * reduced * inner * 4, scratch[0]!, reduced, vectors, inner * 4);
    out.set(accumulators.subarray(0, inner), block * inner);
  }
  return true;
}
