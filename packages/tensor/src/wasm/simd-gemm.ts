/**
 * Float32 matrix multiply on the WebAssembly SIMD micro-kernel.
 *
 * A and B are packed into the kernel memory through their strides by Wasm copies (vector
 * copies or 4×4 transposes, so a transposed operand costs about what a plain one does: only
 * the copy's read order changes), the kernel computes C in padded tiles, and the m×n block is
 * copied out unless C was the output's own memory. Along k the work is split into blocks of
 * `DEPTH_BLOCK` so a packed B panel (depth × 8 floats) stays in L1.
 */
import type { MatrixOperand } from '../kernel-operands.js';
import { heapAddress } from './kernel-heap.js';
import { gemmTilesKernel, reserve, simdKernels, type SimdExports } from './kernel-runtime.js';
import { GEMM_COLUMNS, GEMM_ROWS, packPanels } from './simd-kernels-module.js';
import { gemmSplitsOverThreads, packColumnsInNextGemm, packRowsInNextGemm, wakeWorkersForGemm } from './thread-pool.js';

/** Depth (k) of one packed block: a B panel of 256 × 8 floats (8 KiB) stays in L1. */
export const DEPTH_BLOCK = 256;
// Row panels per block: GEMM_ROWS · 48 = 192 rows · 256 depth · 4 bytes = 192 KiB of packed A,
// which stays in L2 while every B panel streams past it.
const BLOCK_PANELS = 48;
/**
 * Packed A and B up to this size hold the whole depth, so the kernel (and its parallel
 * section) runs once per product; above it they are packed and run one depth block at a time.
 * 4 MiB covers the MLP's products (128×784·784×256 packs 1.2 MiB) and stays within L2 + L3.
 */
const WHOLE_DEPTH_BYTES = 4 << 20;

/**
 * Packs `lanes` lines of `depth` floats per panel (A: 4 rows, B: 8 columns) with the kernel
 * module's copies (`packPanels`), for an operand in the kernel memory: whole panels in one
 * call, the last partial panel zeroed and packed after. False when the operand is elsewhere.
 */
function packInKernel(
  exports: SimdExports,
  operand: MatrixOperand,
  count: number,
  lanes: number,
  laneStride: number,
  depthStride: number,
  k0: number,
  depth: number,
  view: Float32Array,
  base: number,
): boolean {
  const address = heapAddress(operand.values);
  if (address === undefined) return false;
  const source = address + (operand.offset + k0 * depthStride) * 4;
  const moduleExports = exports as unknown as Record<string, unknown>;
  const whole = Math.floor(count / lanes);
  if (whole > 0)
    packPanels(moduleExports, source, base * 4, whole, lanes, lanes, depth, laneStride * 4, depthStride * 4);
  const rest = count - whole * lanes;
  if (rest > 0) {
    const panelBase = base + whole * lanes * depth;
    view.fill(0, panelBase, panelBase + lanes * depth);
    const restSource = source + whole * lanes * laneStride * 4;
    packPanels(moduleExports, restSource, panelBase * 4, 1, lanes, rest, depth, laneStride * 4, depthStride * 4);
  }
  return true;
}

function packA(a: MatrixOperand, m: number, k0: number, depth: number, view: Float32Array, base: number): void {
  const { values, offset, rowStride, columnStride } = a;
  const panels = Math.ceil(m / GEMM_ROWS);
  for (let panel = 0; panel < panels; panel++) {
    const rows = Math.min(GEMM_ROWS, m - panel * GEMM_ROWS);
    const panelBase = base + panel * GEMM_ROWS * depth;
    for (let i = 0; i < rows; i++) {
      let source = offset + (panel * GEMM_ROWS + i) * rowStride + k0 * columnStride;
      let target = panelBase + i;
      for (let p = 0; p < depth; p++) {
        view[target] = values[source]!;
        source += columnStride;
        target += GEMM_ROWS;
      }
    }
    for (let i = rows; i < GEMM_ROWS; i++) {
      for (let p = 0; p < depth; p++) view[panelBase + p * GEMM_ROWS + i] = 0;
    }
  }
}

function packB(b: MatrixOperand, n: number, k0: number, depth: number, view: Float32Array, base: number): void {
  const { values, offset, rowStride, columnStride } = b;
  const panels = Math.ceil(n / GEMM_COLUMNS);
  for (let panel = 0; panel < panels; panel++) {
    const columns = Math.min(GEMM_COLUMNS, n - panel * GEMM_COLUMNS);
    const panelBase = base + panel * GEMM_COLUMNS * depth;
    if (columns === GEMM_COLUMNS && columnStride === 1) {
      // The common row-major case: eight consecutive floats per k step.
      let source = offset + k0 * rowStride + panel * GEMM_COLUMNS;
      let target = panelBase;
      for (let p = 0; p < depth; p++) {
        view[target] = values[source]!;
        view[target + 1] = values[source + 1]!;
        view[target + 2] = values[source + 2]!;
        view[target + 3] = values[source + 3]!;
        view[target + 4] = values[source + 4]!;
        view[target + 5] = values[source + 5]!;
        view[target + 6] = values[source + 6]!;
        view[target + 7] = values[source + 7]!;
        source += rowStride;
        target += GEMM_COLUMNS;
      }
      continue;
    }
    for (let j = 0; j < GEMM_COLUMNS; j++) {
      let target = panelBase + j;
      if (j >= columns) {
        for (let p = 0; p < depth; p++, target += GEMM_COLUMNS) view[target] = 0;
        continue;
      }
      let source = offset + k0 * rowStride + (panel * GEMM_COLUMNS + j) * columnStride;
      for (let p = 0; p < depth; p++) {
        view[target] = values[source]!;
        source += rowStride;
        target += GEMM_COLUMNS;
      }
    }
  }
}

/** Writes one k-block of a packed operand into the kernel memory (float index `base`). */
export type PackBlock = (k0: number, depth: number, view: Float32Array, base: number) => void;

/** Where a packed product's padded C block sits in the kernel memory, for the caller to copy out. */
export interface PackedProduct {
  /** The kernel memory viewed as floats (taken after the last `reserve`). */
  view: Float32Array;
  /** Float index of C's first element. */
  start: number;
  /** Row stride of C: n rounded up to a multiple of `GEMM_COLUMNS`. */
  rowStride: number;
}

/**
 * A·B on the SIMD kernel with caller-supplied packing, so an operand that is not a strided
 * matrix (a convolution's implicit im2col columns, a gradient laid out [N, O, H·W]) is packed
 * straight from its source instead of being materialised first. `packA` writes rows in panels
 * of `GEMM_ROWS` (element (i, p) of the block at `base + (i >> 2)·GEMM_ROWS·depth + p·GEMM_ROWS + (i & 3)`),
 * `packB` columns in panels of `GEMM_COLUMNS` (element (p, j) at
 * `base + (j >> 3)·GEMM_COLUMNS·depth + p·GEMM_COLUMNS + (j & 7)`); both regions are zeroed before
 * each call, so packers write in-bounds values only. `depthOf(k0)` chooses each k-block's depth
 * (at most `maximumDepth`), letting a packer align blocks to whole image rows. With
 * `packBWritesAll` the caller promises that `packB` writes every element of its padded block
 * (padding columns included), and the B region is not zeroed first.
 * Returns undefined when the SIMD kernels are unavailable; otherwise C stays valid until the
 * next kernel call.
 *
 * @example
 * const product = simdGemmPacked(m, n, k, k, (k0, depth) => depth, packRows, packColumns);
 */
export function simdGemmPacked(
  m: number,
  n: number,
  k: number,
  maximumDepth: number,
  depthOf: (k0: number) => number,
  packA: PackBlock,
  packB: PackBlock,
  packBWritesAll = false,
): PackedProduct | undefined {
  const kernels = simdKernels();
  if (!kernels) return undefined;
  const mPanels = Math.ceil(m / GEMM_ROWS);
  const nPanels = Math.ceil(n / GEMM_COLUMNS);
  const paddedRows = mPanels * GEMM_ROWS;
  const paddedColumns = nPanels * GEMM_COLUMNS;
  const depthLimit = Math.max(1, Math.min(k, maximumDepth));
  const aFloats = paddedRows * depthLimit;
  const bFloats = paddedColumns * depthLimit;
  const [aBase, bBase, cBase] = reserve(kernels.memory, [aFloats * 4, bFloats * 4, paddedRows * paddedColumns * 4]) as [
    number,
    number,
    number,
  ];
  const view = new Float32Array(kernels.memory.buffer);
  const gemmTiles = gemmTilesKernel(kernels);
  view.fill(0, cBase / 4, cBase / 4 + paddedRows * paddedColumns);
  for (let k0 = 0; k0 < k;) {
    const depth = Math.min(depthOf(k0), k - k0, depthLimit);
    view.fill(0, aBase / 4, aBase / 4 + paddedRows * depth);
    if (!packBWritesAll) view.fill(0, bBase / 4, bBase / 4 + paddedColumns * depth);
    packA(k0, depth, view, aBase / 4);
    packB(k0, depth, view, bBase / 4);
    gemmTiles(aBase, bBase, cBase, mPanels, nPanels, depth, BLOCK_PANELS);
    k0 += depth;
  }
  return { view, start: cBase / 4, rowStride: paddedColumns };
}

/**
 * Writes A·B (float32) into `out[outOffset ...]` as a contiguous m×n block, on the SIMD
 * kernel. Returns false (doing nothing) when the SIMD kernels are unavailable or disabled.
 *
 * When both packed operands fit in `WHOLE_DEPTH_BYTES`, the whole depth is packed first and
 * the kernel runs once (one parallel section, not one per block of the depth: each section
 * costs a handshake with the workers, which at the MLP's sizes is a fair part of the work).
 * Its first depth block stores C's tiles and the later ones add to them, so C is not zeroed.
 * When C's padded layout is `out`'s own (m and n multiples of the tile, `out` in the kernel
 * heap), the kernel writes straight into `out` and nothing is copied out. A narrow product
 * runs as Cᵀ = Bᵀ·Aᵀ where that wastes fewer tiles on padding (`runsTransposed`).
 *
 * @example
 * if (!simdGemm(m, n, k, a, b, out, 0)) gemm(m, n, k, a, b, out, 0);
 */
export function simdGemm(
  m: number,
  n: number,
  k: number,
  a: MatrixOperand,
  b: MatrixOperand,
  out: Float32Array,
  outOffset: number,
): boolean {
  if (!runsTransposed(m, n, k)) return productInto(m, n, k, a, b, out, outOffset, false);
  const swap = (operand: MatrixOperand): MatrixOperand => ({
    values: operand.values,
    offset: operand.offset,
    rowStride: operand.columnStride,
    columnStride: operand.rowStride,
  });
  return productInto(n, m, k, swap(b), swap(a), out, outOffset, true);
}

/**
 * Whether C = A·B (m×n, depth k) is computed as Cᵀ = Bᵀ·Aᵀ: when that needs at most 85% of the
 * 4×8 tiles, and the product is one the threads would not split either way (so this never
 * takes a product off the threads). Why: the MLP's 10-class products pad n = 10 to 16 tile
 * columns but only to 12 tile rows when transposed, a quarter fewer tiles; each element is the
 * same sum in the same order (a product of two floats is the same either way round), so the
 * results are bit for bit those of the direct form. [128, 256]·[256, 10] took 47 → 41 µs and
 * [256, 128]·[128, 10] 57 → 49 µs (one thread, load 5).
 */
function runsTransposed(m: number, n: number, k: number): boolean {
  const mPanels = Math.ceil(m / GEMM_ROWS);
  const nPanels = Math.ceil(n / GEMM_COLUMNS);
  const swappedM = Math.ceil(n / GEMM_ROWS);
  const swappedN = Math.ceil(m / GEMM_COLUMNS);
  // Both forms must also pack the whole depth at once, so that their depth blocks are summed
  // alike (the first block stored, not added to a zeroed C, which could differ in a zero's sign).
  const wholeDepth = (rows: number, columns: number) =>
    (rows * GEMM_ROWS + columns * GEMM_COLUMNS) * k * 4 <= WHOLE_DEPTH_BYTES;
  return (
    swappedM * swappedN <= 0.85 * mPanels * nPanels &&
    !gemmSplitsOverThreads(mPanels, nPanels, k) &&
    !gemmSplitsOverThreads(swappedM, swappedN, k) &&
    wholeDepth(mPanels, nPanels) &&
    wholeDepth(swappedM, swappedN)
  );
}

/**
 * A·B into `out` as `simdGemm` describes, or with `transposedOut` its transpose: the m×n
 * product is written as the n×m block out[j·m + i] = C[i][j] (`simdGemm` passes Bᵀ and Aᵀ).
 */
function productInto(
  m: number,
  n: number,
  k: number,
  a: MatrixOperand,
  b: MatrixOperand,
  out: Float32Array,
  outOffset: number,
  transposedOut: boolean,
): boolean {
  const kernels = simdKernels();
  if (!kernels) return false;
  if (m === 0 || n === 0) return true;
  if (k === 0) {
    out.fill(0, outOffset, outOffset + m * n);
    return true;
  }
  const mPanels = Math.ceil(m / GEMM_ROWS);
  const nPanels = Math.ceil(n / GEMM_COLUMNS);
  const paddedRows = mPanels * GEMM_ROWS;
  const paddedColumns = nPanels * GEMM_COLUMNS;
  const wholeDepth = (paddedRows + paddedColumns) * k * 4 <= WHOLE_DEPTH_BYTES;
  const packedDepth = wholeDepth ? k : Math.min(k, DEPTH_BLOCK);
  const outAddress = heapAddress(out);
  const intoOut =
    !transposedOut &&
    outAddress !== undefined &&
    paddedRows === m &&
    paddedColumns === n &&
    out !== a.values &&
    out !== b.values;
  const [aBase, bBase, cScratch] = reserve(kernels.memory, [
    paddedRows * packedDepth * 4,
    paddedColumns * packedDepth * 4,
    intoOut ? 0 : paddedRows * paddedColumns * 4,
  ]) as [number, number, number];
  const cBase = intoOut ? outAddress + outOffset * 4 : cScratch;
  wakeWorkersForGemm(kernels.module, kernels.memory, mPanels, nPanels, wholeDepth ? k : packedDepth);
  // The view is taken after reserve: growing the memory detaches the previous buffer.
  const view = new Float32Array(kernels.memory.buffer);
  const gemmTiles = gemmTilesKernel(kernels);
  // With the whole depth in one call the first block overwrites C (nothing to zero); otherwise C is zeroed here.
  if (!wholeDepth) view.fill(0, cBase / 4, cBase / 4 + paddedRows * paddedColumns);
  // With the whole depth in one call, an A in the kernel memory is packed by the gemm's own
  // chunks, each its row panels just before it multiplies them: on the threads of its section
  // rather than on the calling thread alone (see runGemmShare). Only a partial last panel's
  // padding rows are zeroed here, since the chunks write A's own rows only.
  const aAddress = heapAddress(a.values);
  const rowsInChunks = wholeDepth && aAddress !== undefined;
  // Likewise B in the kernel memory is packed by the section's first chunks (see
  // runColumnPackShare), before any row chunk starts; only a partial last panel's padding
  // columns are zeroed here.
  const bAddress = heapAddress(b.values);
  const columnsInChunks = wholeDepth && bAddress !== undefined;
  for (let k0 = 0; k0 < k; k0 += DEPTH_BLOCK) {
    const blockDepth = Math.min(DEPTH_BLOCK, k - k0);
    // With the whole depth packed, block k0 sits after the blocks before it (see runGemmShare).
    const aBlock = aBase / 4 + (wholeDepth ? paddedRows * k0 : 0);
    const bBlock = bBase / 4 + (wholeDepth ? paddedColumns * k0 : 0);
    if (rowsInChunks) {
      if (paddedRows > m)
        view.fill(0, aBlock + (mPanels - 1) * GEMM_ROWS * blockDepth, aBlock + paddedRows * blockDepth);
    } else if (
      !packInKernel(kernels.exports, a, m, GEMM_ROWS, a.rowStride, a.columnStride, k0, blockDepth, view, aBlock)
    )
      packA(a, m, k0, blockDepth, view, aBlock);
    if (columnsInChunks) {
      if (paddedColumns > n)
        view.fill(0, bBlock + (nPanels - 1) * GEMM_COLUMNS * blockDepth, bBlock + paddedColumns * blockDepth);
    } else if (
      !packInKernel(kernels.exports, b, n, GEMM_COLUMNS, b.columnStride, b.rowStride, k0, blockDepth, view, bBlock)
    )
      packB(b, n, k0, blockDepth, view, bBlock);
    if (!wholeDepth) gemmTiles(aBase, bBase, cBase, mPanels, nPanels, blockDepth, BLOCK_PANELS);
  }
  if (wholeDepth) {
    if (rowsInChunks) packRowsInNextGemm(aAddress + a.offset * 4, a.rowStride * 4, a.columnStride * 4, m);
    if (columnsInChunks) packColumnsInNextGemm(bAddress + b.offset * 4, b.columnStride * 4, b.rowStride * 4, n);
    gemmTiles(aBase, bBase, cBase, mPanels, nPanels, k, BLOCK_PANELS, DEPTH_BLOCK, true);
  }
  if (intoOut) return true;
  const cStart = cBase / 4;
  if (transposedOut) {
    for (let row = 0; row < m; row++) {
      const source = cStart + row * paddedColumns;
      for (let column = 0; column < n; column++) out[outOffset + column * m + row] = view[source + column]!;
    }
  } else if (paddedColumns === n) {
    out.set(view.subarray(cStart, cStart + m * n), outOffset);
  } else if (n >= 64) {
    for (let row = 0; row < m; row++)
      out.set(view.subarray(cStart + row * paddedColumns, cStart + row * paddedColumns + n), outOffset + row * n);
  } else {
    // Narrow results (a 10-class output, a weight gradient with few columns): a plain loop
    // beats a subarray + set per row.
    let target = outOffset;
    for (let row = 0; row < m; row++) {
      const source = cStart + row * paddedColumns;
      for (let column = 0; column < n; column++) out[target++] = view[source + column]!;
    }
  }
  return true;
}
