/**
 * Float32 argmax and argmin on WebAssembly SIMD, over contiguous rows (the last axis) and over a
 * leading or middle axis, with the JavaScript loop's answers exactly: the index of the first
 * extreme, unless a NaN comes first in which case the index of the first NaN (NaN counts as the
 * extreme, as in NumPy and PyTorch). The sign of zero does not matter: −0 and +0 are equal, so
 * the first of them wins a tie.
 *
 * One update rule gives both: a lane holding (best, index) takes the next value x at index i when
 * `x > best` (argmin: `x < best`), or when x is NaN and best is not. Once a lane holds a NaN it
 * never changes (every comparison with NaN is false), so it keeps its first NaN; strict
 * comparisons keep the first of equal values.
 *
 * - Over a leading axis, each lane is one column, walked in row order: the loop's own walk.
 * - Along a row, eight lanes in two vectors (two independent update chains: one chain is
 *   bound by the latency of its compare-and-select): lane j sees the elements j, j + 8,
 *   j + 16, ...; the eight lanes are then combined (a NaN lane beats a number, the smaller index
 *   wins among NaNs and among equal values), and the last columns mod 8 follow one by one with
 *   the same rule.
 */
import { op, Simd, v128Load, v128Store, ValueType, type FunctionDefinition } from './wasm-encoder.js';
import { advanceByLocal, advanceLocal, countDown, vectorRowsLoop } from './loop-emitters.js';
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

const { i32, f32, v128 } = ValueType;

/** The two index reductions. */
export type ArgReduction = 'argmax' | 'argmin';

// Numeric opcodes beyond wasm-encoder.ts's `op` (WebAssembly core specification); the SIMD ones are its `Simd` table.
const I32_STORE = (offset = 0) => [0x36, 2, offset];
const I32_LT_S = 0x48;
const I32_AND = 0x71;
const I32_OR = 0x72;
const F32_EQ = 0x5b;
const F32_NE = 0x5c;
const F32_LT = 0x5d;
const F32_GT = 0x5e;
const IF_I32 = [0x04, 0x7f];

const g = op.localGet;
const s = op.localSet;
const int32Vector = (lanes: readonly number[]) =>
  op.simd(Simd.v128Const, ...lanes.flatMap((lane) => [...new Uint8Array(new Int32Array([lane]).buffer)]));

/**
 * The update mask of the file comment for `value` against `best` (locals holding f32x4):
 * `value > best` (argmin: `<`), or `value` NaN where `best` is not.
 */
function updateMask(kind: ArgReduction, value: number, best: number): number[] {
  return [
    ...g(value),
    ...g(best),
    ...op.simd(kind === 'argmax' ? Simd.f32x4Gt : Simd.f32x4Lt),
    ...g(value),
    ...g(value),
    ...op.simd(Simd.f32x4Ne),
    ...g(best),
    ...g(best),
    ...op.simd(Simd.f32x4Eq),
    ...op.simd(Simd.v128And),
    ...op.simd(Simd.v128Or),
  ];
}

/**
 * `<kind>_columns(src, state, rows, vectors, rowBytes, firstIndex)`: for each of `rows` rows
 * (`rowBytes` apart; row r has index firstIndex + r) updates the state of the row's first
 * `vectors`·4 columns: 32 bytes per four columns, their best values (f32x4) then their indices
 * (i32x4). The last vector may read up to three floats past the row; those lanes are never read.
 */
function argColumns(kind: ArgReduction): FunctionDefinition {
  const [src, state, rows, vectors, rowBytes, firstIndex] = [0, 1, 2, 3, 4, 5];
  const [pointer, target, left] = [6, 7, 8];
  const [current, value, best, mask] = [9, 10, 11, 12];
  return {
    name: `${kind}_columns`,
    parameters: [i32, i32, i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 3, type: i32 },
      { count: 4, type: v128 },
    ],
    body: [
      ...g(firstIndex),
      ...op.simd(Simd.i32x4Splat),
      ...s(current),
      ...vectorRowsLoop({
        rows,
        vectors,
        left,
        walkers: [
          [pointer, src],
          [target, state],
        ],
        step: [
          ...g(pointer),
          ...v128Load(0),
          ...s(value),
          ...g(target),
          ...v128Load(0),
          ...s(best),
          ...updateMask(kind, value, best),
          ...s(mask),
          ...g(target),
          ...g(value),
          ...g(best),
          ...g(mask),
          ...op.simd(Simd.v128Bitselect),
          ...v128Store(0),
          ...g(target),
          ...g(current),
          ...g(target),
          ...v128Load(16),
          ...g(mask),
          ...op.simd(Simd.v128Bitselect),
          ...v128Store(16),
          ...advanceLocal(pointer, 16),
          ...advanceLocal(target, 32),
        ],
        afterRow: [
          ...g(current),
          ...int32Vector([1, 1, 1, 1]),
          ...op.simd(Simd.i32x4Add),
          ...s(current),
          ...advanceByLocal(src, rowBytes),
        ],
      }),
    ],
  };
}

/**
 * `<kind>_rows(src, out, rows, columns)` (columns ≥ 8): out[row] (int32) = the loop's index
 * for each row, eight lanes per row then the lanes combined and the tail walked (file comment).
 */
function argRows(kind: ArgReduction): FunctionDefinition {
  const [src, out, rows, columns] = [0, 1, 2, 3];
  const [end8, pointer, index, bestIndex, candidateIndex] = [4, 5, 6, 7, 8];
  // Two sets of lanes: elements 8k + j (set 0) and 8k + 4 + j (set 1).
  const best = [9, 10];
  const indices = [11, 12];
  const current = [13, 14];
  const [value, mask] = [15, 16];
  const [bestValue, candidateValue] = [17, 18];
  const scalarBetter = kind === 'argmax' ? F32_GT : F32_LT;
  // `local` is NaN (x ≠ x), an i32 on the stack.
  const isNotANumber = (local: number) => [...g(local), ...g(local), F32_NE];
  // The candidate is NaN or strictly better than the best: the test both the lane combination
  // and the tail make.
  const nanOrBetter = [...isNotANumber(candidateValue), ...g(candidateValue), ...g(bestValue), scalarBetter, I32_OR];
  // The candidate's index comes before the best one's.
  const earlierIndex = [...g(candidateIndex), ...g(bestIndex), I32_LT_S];
  // Lane `lane` of (best, indices) into (bestValue, bestIndex) when it wins under the file
  // comment's combination rule.
  const combineLane = (set: number, lane: number) => [
    ...g(best[set]!),
    ...op.simd(Simd.f32x4ExtractLane, lane),
    ...s(candidateValue),
    ...g(indices[set]!),
    ...op.simd(Simd.i32x4ExtractLane, lane),
    ...s(candidateIndex),
    ...isNotANumber(bestValue),
    ...IF_I32,
    // The best so far is NaN: only an earlier NaN replaces it.
    ...isNotANumber(candidateValue),
    ...earlierIndex,
    I32_AND,
    ...op.else(),
    ...nanOrBetter,
    ...g(candidateValue),
    ...g(bestValue),
    F32_EQ,
    ...earlierIndex,
    I32_AND,
    I32_OR,
    ...op.end(),
    ...op.if(),
    ...g(candidateValue),
    ...s(bestValue),
    ...g(candidateIndex),
    ...s(bestIndex),
    ...op.end(),
  ];
  return {
    name: `${kind}_rows`,
    parameters: [i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 5, type: i32 },
      { count: 8, type: v128 },
      { count: 2, type: f32 },
    ],
    body: [
      ...op.loop(),
      // end8 = src + (columns & ~7)·4
      ...g(src),
      ...g(columns),
      ...op.i32Const(-8),
      I32_AND,
      ...op.i32Const(4),
      ...op.i32Mul(),
      ...op.i32Add(),
      ...s(end8),
      ...[0, 1].flatMap((set) => [
        ...g(src),
        ...v128Load(set * 16),
        ...s(best[set]!),
        ...int32Vector([0, 1, 2, 3].map((lane) => set * 4 + lane)),
        ...s(indices[set]!),
        ...int32Vector([0, 1, 2, 3].map((lane) => 8 + set * 4 + lane)),
        ...s(current[set]!),
      ]),
      ...g(src),
      ...op.i32Const(32),
      ...op.i32Add(),
      ...s(pointer),
      ...op.block(),
      ...op.loop(),
      ...g(pointer),
      ...g(end8),
      ...op.i32GeU(),
      ...op.brIf(1),
      ...[0, 1].flatMap((set) => [
        ...g(pointer),
        ...v128Load(set * 16),
        ...s(value),
        ...updateMask(kind, value, best[set]!),
        ...s(mask),
        ...g(value),
        ...g(best[set]!),
        ...g(mask),
        ...op.simd(Simd.v128Bitselect),
        ...s(best[set]!),
        ...g(current[set]!),
        ...g(indices[set]!),
        ...g(mask),
        ...op.simd(Simd.v128Bitselect),
        ...s(indices[set]!),
        ...g(current[set]!),
        ...int32Vector([8, 8, 8, 8]),
        ...op.simd(Simd.i32x4Add),
        ...s(current[set]!),
      ]),
      ...advanceLocal(pointer, 32),
      ...op.br(0),
      ...op.end(),
      ...op.end(),
      ...g(best[0]!),
      ...op.simd(Simd.f32x4ExtractLane, 0),
      ...s(bestValue),
      ...g(indices[0]!),
      ...op.simd(Simd.i32x4ExtractLane, 0),
      ...s(bestIndex),
      ...[1, 2, 3].flatMap((lane) => combineLane(0, lane)),
      ...[0, 1, 2, 3].flatMap((lane) => combineLane(1, lane)),
      // The tail, one value at a time (pointer is end8 here).
      ...g(columns),
      ...op.i32Const(-8),
      I32_AND,
      ...s(index),
      ...op.block(),
      ...op.loop(),
      ...g(index),
      ...g(columns),
      ...op.i32GeU(),
      ...op.brIf(1),
      ...g(pointer),
      ...op.f32Load(0),
      ...s(candidateValue),
      ...g(bestValue),
      ...g(bestValue),
      F32_EQ,
      ...nanOrBetter,
      I32_AND,
      ...op.if(),
      ...g(candidateValue),
      ...s(bestValue),
      ...g(index),
      ...s(bestIndex),
      ...op.end(),
      ...advanceLocal(index, 1),
      ...advanceLocal(pointer, 4),
      ...op.br(0),
      ...op.end(),
      ...op.end(),
      ...g(out),
      ...g(bestIndex),
      ...I32_STORE(0),
      ...advanceLocal(out, 4),
      ...g(src),
      ...g(columns),
      ...op.i32Const(4),
      ...op.i32Mul(),
      ...op.i32Add(),
      ...s(src),
      ...countDown(rows),
      ...op.end(),
    ],
  };
}

type ColumnKernel = (
  src: number,
  state: number,
  rows: number,
  vectors: number,
  rowBytes: number,
  firstIndex: number,
) => void;
interface Kernels {
  columns: Record<ArgReduction, ColumnKernel>;
  fused: (first8: number, count: number, ...scalars: number[]) => void;
  /** The module's id in the thread pool (registerMapKernelModule). */
  moduleId: number;
}

/** The row kernels' order: function index and dispatcher operation. */
const ROW_KINDS: readonly ArgReduction[] = ['argmax', 'argmin'];

/**
 * fused(first·8, count, operation, src, out, columns): rows first..first + count − 1 of
 * `<ROW_KINDS[operation]>_rows`, for the kernel threads (see reduction-threads.ts; each row
 * whole on one thread, so the results do not depend on the split).
 */
function dispatcher(): FunctionDefinition {
  return rowDispatcher(
    3,
    ROW_KINDS.map((_, index) => ({ first, count, scalars: [src, out, columns] }: DispatcherLocals) => [
      ...offsetOf(src!, first, [...g(columns!), ...op.i32Const(4), ...op.i32Mul()]),
      ...offsetOf(out!, first, op.i32Const(4)),
      ...g(count),
      ...g(columns!),
      ...op.call(index),
    ]),
  );
}

/** The compiled kernels on the current kernel memory, or undefined when SIMD is off. */
const argKernels = lineKernels<Kernels>(
  () => [...ROW_KINDS.map(argRows), argColumns('argmax'), argColumns('argmin'), dispatcher()],
  (exports) => ({ columns: { argmax: exports.argmax_columns, argmin: exports.argmin_columns }, fused: exports.fused }),
);

/**
 * out[o·inner + i] = the loop's argmax (argmin) over r of values[offset + (o·reduced + r)·inner + i]
 * for an `[outer, reduced, inner]` block (`reduced` ≥ 1; inner = 1 is a row each, which needs
 * `reduced` ≥ 8): the first extreme, or the first NaN if one comes before it. Returns false,
 * doing nothing, when the SIMD kernels are off or unavailable.
 *
 * @example
 * simdArgReduce('argmax', logits, 0, 128, 10, 1, out) // out.length === 128: argmax(logits, -1)
 */
export function simdArgReduce(
  kind: ArgReduction,
  values: Float32Array,
  offset: number,
  outer: number,
  reduced: number,
  inner: number,
  out: Int32Array,
): boolean {
  if (reduced < 1 || (inner === 1 && reduced < 8))
    throw new RangeError(
      `simdArgReduce: 'reduced' must be at least 1 (at least 8 when 'inner' is 1), got reduced ${reduced}, inner ${inner}`,
    );
  const simd = simdKernels();
  if (!simd) return false;
  const kernels = argKernels(simd.memory);
  if (!kernels) return false;
  const size = outer * reduced * inner;
  if (size === 0) return true;
  const vectors = Math.ceil(inner / 4);
  const [results, copy] = reserve(simd.memory, [
    inner === 1 ? outer * 4 : vectors * 32,
    heapAddress(values) === undefined ? size * 4 : 0,
  ]);
  const source = placeInput(simd.memory, values, offset, size, copy!);
  if (inner === 1) {
    runLines(kernels, size, outer, [ROW_KINDS.indexOf(kind), source, results!, reduced], kind);
    out.set(new Int32Array(simd.memory.buffer, results!, outer));
    return true;
  }
  const bestValues = new Float32Array(simd.memory.buffer, results!, vectors * 8);
  const indices = new Int32Array(simd.memory.buffer, results!, vectors * 8);
  // State slot of column i: its best value at 8·(i >> 2) + (i & 3), its index 4 floats later.
  const slot = (column: number) => 8 * (column >> 2) + (column & 3);
  for (let block = 0; block < outer; block++) {
    const first = offset + block * reduced * inner;
    // Row 0 is every column's first candidate (a NaN there is already final).
    for (let column = 0; column < inner; column++) {
      bestValues[slot(column)] = values[first + column]!;
      indices[slot(column) + 4] = 0;
    }
    if (reduced > 1)
      kernels.columns[kind](source + (block * reduced + 1) * inner * 4, results!, reduced - 1, vectors, inner * 4, 1);
    for (let column = 0; column < inner; column++) out[block * inner + column] = indices[slot(column) + 4]!;
  }
  return true;
}
