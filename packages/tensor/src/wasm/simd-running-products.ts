/**
 * Float32 products and running sums and products (prod over whole rows, cumsum, cumprod) on
 * WebAssembly, bit for bit the JavaScript loop's.
 *
 * Why no reassociation. The loop multiplies (or adds) one value at a time into a float64
 * accumulator, in index order; a product or running total computed in any other order can
 * round differently, overflow or underflow where the loop does not (1e30 · … · 1e-30), or turn
 * 0 · ∞ into NaN at another step. So each line keeps the loop's order, and the speed comes
 * from walking several independent lines at once instead:
 *
 * - along a line of contiguous values (prod of rows, cumsum/cumprod over the last axis), four
 *   lines (rows) at a time, four scalar float64 chains interleaved (`line_<kind>`): the loop is
 *   bound by the latency of its one chain, four chains fill that latency;
 * - along a leading or middle axis (cumsum/cumprod over axis 0 of a matrix), in row order with
 *   four columns per vector (`scan_columns_<kind>`): two f64x2 running values per four
 *   columns, each written back as float32 (`f32x4.demote_f64x2_zero`, the rounding of the
 *   loop's `Float32Array` store). The last one to three columns, when the row length is not a
 *   multiple of four, go through the line walk with the column stride.
 */
import { op, Simd, v128Load, v128Store, ValueType, type FunctionDefinition } from './wasm-encoder.js';
import { addToLocal, advanceByLocal, advanceLocal, countDown, vectorRowsLoop } from './loop-emitters.js';
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

const { i32, f64, v128 } = ValueType;

/** What the kernels compute per element: a running sum or a running product. */
export type RunningKind = 'sum' | 'prod';

// Numeric opcodes beyond wasm-encoder.ts's `op` (WebAssembly core specification); the SIMD ones are its `Simd` table.
const F64_ADD = 0xa0;
const F64_MUL = 0xa2;
const F32_DEMOTE_F64 = 0xb6;
const F64_PROMOTE_F32 = 0xbb;
const f64Const = (value: number) => [0x44, ...new Uint8Array(new Float64Array([value]).buffer)];
const f64Store = (offset = 0) => [0x39, 3, offset];

const g = op.localGet;
const s = op.localSet;

/** The number of lines walked together. */
const CHAINS = 4;

/**
 * `line_<kind>_<mode>(src, dst, lines, length, lineStride, elementStride)` (strides in bytes):
 * for each of `lines` lines of `length` float32 values (`length` ≥ 1), the running sum or
 * product in float64 in index order. `reduce` stores each line's total as float64 at
 * dst + 8·line; `scan` stores every running value as float32 at the same place in `dst` as its
 * value in `src`. Lines go four at a time, then one at a time.
 */
function lineWalk(kind: RunningKind, mode: 'reduce' | 'scan'): FunctionDefinition {
  const [src, dst, lines, length, lineStride, elementStride] = [0, 1, 2, 3, 4, 5];
  const pointers = [6, 7, 8, 9];
  const targets = [10, 11, 12, 13];
  const left = 14;
  const running = [15, 16, 17, 18];
  const combine = kind === 'sum' ? F64_ADD : F64_MUL;
  const group = (chains: number) => {
    const each = (emit: (chain: number) => number[]) =>
      Array.from({ length: chains }, (_, chain) => emit(chain)).flat();
    const spread = (locals: number[], base: number) =>
      each((chain) =>
        chain === 0
          ? [...g(base), ...s(locals[0]!)]
          : [...g(locals[chain - 1]!), ...g(lineStride), ...op.i32Add(), ...s(locals[chain]!)],
      );
    const advance = (locals: number[], step: number[]) => each((chain) => addToLocal(locals[chain]!, step));
    return [
      ...op.block(),
      ...op.loop(),
      ...g(lines),
      ...op.i32Const(chains),
      ...op.i32LtU(),
      ...op.brIf(1),
      ...spread(pointers, src),
      ...(mode === 'scan' ? spread(targets, dst) : []),
      ...each((chain) => [...f64Const(kind === 'sum' ? 0 : 1), ...s(running[chain]!)]),
      ...g(length),
      ...s(left),
      ...op.loop(),
      ...each((chain) => [
        ...g(running[chain]!),
        ...g(pointers[chain]!),
        ...op.f32Load(0),
        F64_PROMOTE_F32,
        combine,
        ...s(running[chain]!),
      ]),
      ...(mode === 'scan'
        ? each((chain) => [...g(targets[chain]!), ...g(running[chain]!), F32_DEMOTE_F64, ...op.f32Store(0)])
        : []),
      ...advance(pointers, g(elementStride)),
      ...(mode === 'scan' ? advance(targets, g(elementStride)) : []),
      ...countDown(left),
      ...op.end(),
      ...(mode === 'reduce'
        ? [
            ...each((chain) => [...g(dst), ...g(running[chain]!), ...f64Store(chain * 8)]),
            ...advanceLocal(dst, chains * 8),
          ]
        : addToLocal(dst, [...g(lineStride), ...op.i32Const(chains), ...op.i32Mul()])),
      ...g(src),
      ...g(lineStride),
      ...op.i32Const(chains),
      ...op.i32Mul(),
      ...op.i32Add(),
      ...s(src),
      ...g(lines),
      ...op.i32Const(chains),
      ...op.i32Sub(),
      ...s(lines),
      ...op.br(0),
      ...op.end(),
      ...op.end(),
    ];
  };
  return {
    name: `line_${kind}_${mode}`,
    parameters: [i32, i32, i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 9, type: i32 },
      { count: 4, type: f64 },
    ],
    body: [...group(CHAINS), ...group(1)],
  };
}

/**
 * `scan_columns_<kind>(src, dst, accumulators, rows, vectors, rowBytes)`: for each of `rows`
 * rows (`rowBytes` apart in `src` and in `dst`), folds the row's first `vectors`·4 float32
 * values into the float64 running values (32 bytes per four columns) and writes them to `dst`
 * as float32: each column in row order, as the loop.
 */
function scanColumns(kind: RunningKind): FunctionDefinition {
  const [src, dst, accumulators, rows, vectors, rowBytes] = [0, 1, 2, 3, 4, 5];
  const [pointer, target, output, left] = [6, 7, 8, 9];
  const value = 10;
  const half = (offset: number) => [
    ...g(output),
    ...g(target),
    ...v128Load(offset * 2),
    ...g(pointer),
    ...op.simd(Simd.v128Load64Splat, 3, offset),
    ...op.simd(Simd.f64x2PromoteLowF32x4),
    ...op.simd(kind === 'sum' ? Simd.f64x2Add : Simd.f64x2Mul),
    ...op.localTee(value),
    ...op.simd(Simd.f32x4DemoteF64x2Zero),
    ...op.simd(Simd.v128Store64Lane, 3, offset, 0),
    ...g(target),
    ...g(value),
    ...v128Store(offset * 2),
  ];
  return {
    name: `scan_columns_${kind}`,
    parameters: [i32, i32, i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 4, type: i32 },
      { count: 1, type: v128 },
    ],
    body: vectorRowsLoop({
      rows,
      vectors,
      left,
      walkers: [
        [pointer, src],
        [output, dst],
        [target, accumulators],
      ],
      step: [
        ...half(0),
        ...half(8),
        ...advanceLocal(pointer, 16),
        ...advanceLocal(output, 16),
        ...advanceLocal(target, 32),
      ],
      afterRow: [...advanceByLocal(src, rowBytes), ...advanceByLocal(dst, rowBytes)],
    }),
  };
}

type LineKernel = (
  src: number,
  dst: number,
  lines: number,
  length: number,
  lineStride: number,
  elementStride: number,
) => void;
type ColumnScanKernel = (
  src: number,
  dst: number,
  accumulators: number,
  rows: number,
  vectors: number,
  rowBytes: number,
) => void;
interface Kernels {
  scan: Record<RunningKind, LineKernel>;
  scanColumns: Record<RunningKind, ColumnScanKernel>;
  fused: (first8: number, count: number, ...scalars: number[]) => void;
  /** The module's id in the thread pool (registerMapKernelModule). */
  moduleId: number;
}

/**
 * The line kernels in function-index order, which is also the dispatcher's operation number:
 * prod of rows, then the running sum and product along lines.
 */
const LINE_KERNELS = [lineWalk('prod', 'reduce'), lineWalk('sum', 'scan'), lineWalk('prod', 'scan')];

/**
 * fused(first·8, count, operation, src, dst, length, lineStride, elementStride): lines
 * first..first + count − 1 of `LINE_KERNELS[operation]`, for the kernel threads (see
 * reduction-threads.ts; each line is walked whole by one thread, so the results do not depend
 * on the split).
 */
function dispatcher(): FunctionDefinition {
  return rowDispatcher(
    5,
    LINE_KERNELS.map(
      (kernel, index) =>
        ({ first, count, scalars: [src, dst, length, lineStride, elementStride] }: DispatcherLocals) => [
          ...offsetOf(src!, first, op.localGet(lineStride!)),
          ...offsetOf(dst!, first, kernel.name.endsWith('reduce') ? op.i32Const(8) : op.localGet(lineStride!)),
          ...op.localGet(count),
          ...op.localGet(length!),
          ...op.localGet(lineStride!),
          ...op.localGet(elementStride!),
          ...op.call(index),
        ],
    ),
  );
}

/** The compiled kernels on the current kernel memory, or undefined when SIMD is off. */
const runningKernels = lineKernels<Kernels>(
  () => [...LINE_KERNELS, scanColumns('sum'), scanColumns('prod'), dispatcher()],
  (exports) => ({
    scan: { sum: exports.line_sum_scan, prod: exports.line_prod_scan },
    scanColumns: { sum: exports.scan_columns_sum, prod: exports.scan_columns_prod },
    fused: exports.fused,
  }),
);

/**
 * out[row] = the product of `values[offset + row·columns ..][0..columns)` for each of `rows`
 * rows, in float64 in index order (the loop's, so its result bit for bit), four rows at a
 * time; rounded to float32 when `out` is float32. Returns false, doing nothing, when the SIMD
 * kernels are off or unavailable.
 *
 * @example
 * simdProductRows(x, 0, 128, 64, out) // out.length === 128: prod(x, -1) for x of shape [128, 64]
 */
export function simdProductRows(
  values: Float32Array,
  offset: number,
  rows: number,
  columns: number,
  out: Float32Array | Float64Array,
): boolean {
  const simd = simdKernels();
  if (!simd) return false;
  const kernels = runningKernels(simd.memory);
  if (!kernels) return false;
  if (rows === 0) return true;
  if (columns === 0) {
    out.fill(1, 0, rows);
    return true;
  }
  const size = rows * columns;
  const [results, copy] = reserve(simd.memory, [rows * 8, heapAddress(values) === undefined ? size * 4 : 0]);
  const source = placeInput(simd.memory, values, offset, size, copy!);
  runLines(kernels, size, rows, [0, source, results!, columns, columns * 4, 4], 'prod');
  out.set(new Float64Array(simd.memory.buffer, results!, rows));
  return true;
}

/**
 * The running sum or product along the middle axis of an `[outer, reduced, inner]` block of
 * float32 values, into `out` (same layout, from index 0): each running value in float64 in the
 * loop's order and rounded to float32 once when stored, so bit for bit the loop's. Returns
 * false, doing nothing, when the SIMD kernels are off or unavailable.
 *
 * @example
 * simdCumulative('sum', x, 0, 1, 1000, 64, out) // cumsum(x, 0) for x of shape [1000, 64]
 */
export function simdCumulative(
  kind: RunningKind,
  values: Float32Array,
  offset: number,
  outer: number,
  reduced: number,
  inner: number,
  out: Float32Array,
): boolean {
  const simd = simdKernels();
  if (!simd) return false;
  const kernels = runningKernels(simd.memory);
  if (!kernels) return false;
  const size = outer * reduced * inner;
  if (size === 0) return true;
  const vectors = Math.floor(inner / 4);
  const outputAddress = heapAddress(out);
  const [accumulators, copy, results] = reserve(simd.memory, [
    vectors * 32,
    heapAddress(values) === undefined ? size * 4 : 0,
    outputAddress === undefined ? size * 4 : 0,
  ]);
  const source = placeInput(simd.memory, values, offset, size, copy!);
  const target = outputAddress ?? results!;
  if (inner === 1)
    runLines(kernels, size, outer, [kind === 'sum' ? 1 : 2, source, target, reduced, reduced * 4, 4], `cum${kind}`);
  else {
    const running = new Float64Array(simd.memory.buffer, accumulators!, vectors * 4);
    for (let block = 0; block < outer; block++) {
      const blockOffset = block * reduced * inner * 4;
      if (vectors > 0) {
        running.fill(kind === 'sum' ? 0 : 1);
        kernels.scanColumns[kind](
          source + blockOffset,
          target + blockOffset,
          accumulators!,
          reduced,
          vectors,
          inner * 4,
        );
      }
      // The last inner mod 4 columns: lines down the block, one column each.
      const rest = inner - vectors * 4;
      if (rest > 0)
        kernels.scan[kind](
          source + blockOffset + vectors * 16,
          target + blockOffset + vectors * 16,
          rest,
          reduced,
          4,
          inner * 4,
        );
    }
  }
  if (outputAddress === undefined) out.set(new Float32Array(simd.memory.buffer, results!, size));
  return true;
}
