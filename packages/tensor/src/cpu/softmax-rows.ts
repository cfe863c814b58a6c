/**
 * softmax and logSoftmax of contiguous float32 rows on the CPU backend as one call each,
 * instead of the tensor ops of their stabilised composites (max, isFinite, where, sub, exp,
 * sum, then div, or log and sub).
 *
 * Why: on the MLP step's [128, 10] logits each of those ops cost 2–9 µs alone, but logSoftmax's
 * chain of eight took about 80 µs (one thread, Node 24): every intermediate is a fresh small
 * typed array (below the kernel heap's minimum, about 2 µs each with its collection), a tensor,
 * a storage and a tidy entry. Here the intermediates are module-level scratch arrays reused
 * from call to call, and only the result is allocated.
 *
 * Bit for bit the composites' results: each step runs the arithmetic the backend would run for
 * that op, in the same order. The maximum and the shift (x − m, or x − 0 where m is not finite)
 * are exact; e^(x − m) is the same `exp` kernel the backend's exp op calls (`simdExp`, else the
 * expression compiler, else the table's scalar loop); the row sums are the backend's sum
 * (`simdReduceRows` from `SIMD_REDUCTION_MINIMUM_VALUES` values on, else a float64 accumulator
 * in row order, rounded to float32 once), and the logarithm its log op (the compiled table
 * expression, else the scalar loop). The last division or subtraction is one float32 rounding
 * either way.
 */
import { takeArray } from './buffer-pool.js';
import { UNARY_KERNELS, unaryExpressionKernel, type FusedKernel } from '../kernels/elementwise-kernels.js';
import { fusedLoop } from './elementwise-loops.js';
import { simdExp } from '../wasm/simd-elementwise.js';
import { simdFused } from '../wasm/simd-fused.js';
import { SIMD_REDUCTION_MINIMUM_VALUES, simdReduceRows } from '../wasm/simd-reductions.js';

/**
 * Inputs of at least this many values take the composites instead: there the storages live in
 * the kernel heap and the composites' SIMD max, shift and division beat this file's JavaScript
 * loops plus the copies of its scratch arrays into the kernel memory (one thread, load about
 * 10: [64, 128] softmax 82 µs composite against 154 µs here, [64, 1000] 374 against 802 µs;
 * [128, 10] 68 against 29 µs, [400, 10] 67 against 42 µs).
 */
export const SOFTMAX_ROWS_MAXIMUM_VALUES = 4096;

// Scratch reused by every call (JavaScript runs one call at a time): the shifted values or the
// exponentials, then the row sums and their logarithms.
let scratch = new Float32Array(0);
let totals = new Float32Array(0);
let logarithms = new Float32Array(0);

/**
 * x − m per row into `centered`, e^(x − m) into `exponentials` and the rows' sums of those into
 * `totals`, each as the composite's op computes it (see the file comment).
 */
function shiftedExponentials(
  values: Float32Array,
  offset: number,
  rows: number,
  columns: number,
  centered: Float32Array,
  exponentials: Float32Array,
): void {
  const size = rows * columns;
  if (totals.length < rows) {
    totals = new Float32Array(rows);
    logarithms = new Float32Array(rows);
  }
  for (let row = 0; row < rows; row++) {
    const start = offset + row * columns;
    // The sum loop's maximum: NaN wins, and a zero maximum is the row's first zero.
    let peak = -Infinity;
    for (let index = start; index < start + columns; index++) {
      const value = values[index]!;
      if (value > peak || value !== value) peak = value;
    }
    // A row of −∞ would give NaN from −∞ − (−∞); shifting it by 0 keeps it −∞.
    const shift = Number.isFinite(peak) ? peak : 0;
    const base = row * columns;
    // Float32 rounding on the store, as the sub op's.
    for (let column = 0; column < columns; column++) centered[base + column] = values[start + column]! - shift;
  }
  if (
    !simdExp(centered, 0, exponentials, size) &&
    !simdFused(unaryExpressionKernel('exp'), [centered], [0], [], exponentials, size)
  ) {
    const exp = UNARY_KERNELS.exp;
    for (let index = 0; index < size; index++) exponentials[index] = exp(centered[index]!, 0);
  }
  if (!(size >= SIMD_REDUCTION_MINIMUM_VALUES && simdReduceRows('sum', exponentials, 0, rows, columns, totals))) {
    for (let row = 0; row < rows; row++) {
      let total = 0;
      for (let index = row * columns; index < (row + 1) * columns; index++) total += exponentials[index]!;
      totals[row] = total;
    }
  }
}

/** The scratch array, grown to at least `size` values. */
function scratchOf(size: number): Float32Array {
  if (scratch.length < size) scratch = new Float32Array(size);
  return scratch;
}

/**
 * softmax over each of `rows` contiguous rows of `columns` float32 values starting at
 * `values[offset]`, as a fresh CPU storage (`rows · columns` values, row-major). `columns` must
 * be at least 1.
 *
 * @example
 * softmaxRows(new Float32Array([1, 2, 3]), 0, 1, 3) // [0.0900, 0.2447, 0.6652]
 */
export function softmaxRows(values: Float32Array, offset: number, rows: number, columns: number): Float32Array {
  const out = takeArray('float32', rows * columns);
  const exponentials = scratchOf(rows * columns);
  // The shifted values go to `out` and are overwritten by the quotients.
  shiftedExponentials(values, offset, rows, columns, out, exponentials);
  for (let row = 0; row < rows; row++) {
    const total = totals[row]!;
    for (let index = row * columns; index < (row + 1) * columns; index++) out[index] = exponentials[index]! / total;
  }
  return out;
}

/**
 * log softmax over each of `rows` contiguous rows of `columns` float32 values starting at
 * `values[offset]`, as a fresh CPU storage (`rows · columns` values, row-major). `columns` must
 * be at least 1.
 *
 * @example
 * logSoftmaxRows(new Float32Array([1, 2, 3]), 0, 1, 3) // [-2.4076, -1.4076, -0.4076]
 */
export function logSoftmaxRows(values: Float32Array, offset: number, rows: number, columns: number): Float32Array {
  const out = takeArray('float32', rows * columns);
  // The shifted values stay in `out`; the exponentials are scratch.
  shiftedExponentials(values, offset, rows, columns, out, scratchOf(rows * columns));
  if (!simdFused(unaryExpressionKernel('log'), [totals], [0], [], logarithms, rows)) {
    const log = UNARY_KERNELS.log;
    for (let row = 0; row < rows; row++) logarithms[row] = log(totals[row]!, 0);
  }
  for (let row = 0; row < rows; row++) {
    const logarithm = logarithms[row]!;
    for (let index = row * columns; index < (row + 1) * columns; index++) out[index] = out[index]! - logarithm;
  }
  return out;
}

/**
 * The row sums of `g` (or of g ⊙ y, rounded to float32 per product as the mul op's, when `y` is
 * given) into `totals`, as the backend's sum op computes them (see the file comment).
 */
function rowSums(
  g: Float32Array,
  gOffset: number,
  y: Float32Array | undefined,
  yOffset: number,
  rows: number,
  columns: number,
): void {
  const size = rows * columns;
  if (totals.length < rows) {
    totals = new Float32Array(rows);
    logarithms = new Float32Array(rows);
  }
  let values = g;
  let offset = gOffset;
  if (y) {
    values = scratchOf(size);
    offset = 0;
    for (let index = 0; index < size; index++) values[index] = g[gOffset + index]! * y[yOffset + index]!;
  }
  if (!(size >= SIMD_REDUCTION_MINIMUM_VALUES && simdReduceRows('sum', values, offset, rows, columns, totals))) {
    for (let row = 0; row < rows; row++) {
      let total = 0;
      const start = offset + row * columns;
      for (let index = start; index < start + columns; index++) total += values[index]!;
      totals[row] = total;
    }
  }
}

/**
 * The closed-form gradient of softmax (`kernel` of (g, y, s): y ⊙ (g − s)) or logSoftmax
 * (g − e^y · s) over `rows` contiguous rows of `columns` float32 values, s being the row sum of
 * g ⊙ y (softmax, `multiplySums`) or of g (logSoftmax), as a fresh CPU storage. Bit for bit
 * what the sum op and `fusedMap(kernel, [g, y, expand(s)])` give on the CPU backend: the sums
 * as `rowSums`, then the kernel on the same compiled expression (or the same JavaScript loop),
 * s broadcast into scratch instead of a copied stride-0 view.
 *
 * @example
 * softmaxGradientRows(LOG_SOFTMAX_GRADIENT, false, g, 0, y, 0, 128, 10)
 */
export function softmaxGradientRows(
  kernel: FusedKernel,
  multiplySums: boolean,
  g: Float32Array,
  gOffset: number,
  y: Float32Array,
  yOffset: number,
  rows: number,
  columns: number,
): Float32Array {
  const size = rows * columns;
  rowSums(g, gOffset, multiplySums ? y : undefined, yOffset, rows, columns);
  const broadcast = scratchOf(size);
  for (let row = 0; row < rows; row++) broadcast.fill(totals[row]!, row * columns, (row + 1) * columns);
  const out = takeArray('float32', size);
  if (!simdFused(kernel, [g, y, broadcast], [gOffset, yOffset, 0], [], out, size))
    fusedLoop(kernel, 'float32,float32,float32>float32')([g, y, broadcast], [gOffset, yOffset, 0], [], out, size);
  return out;
}
