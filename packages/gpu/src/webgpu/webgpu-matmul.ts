/**
 * The matrix product of the `webgpu` backend: two WGSL kernels, chosen by adapter. On a GPU, a
 * tiled kernel with workgroup memory; on a software adapter (SwiftShader, lavapipe), a direct
 * kernel without it, measured 2-4x faster there (see {@link SOFTWARE_ADAPTER_MATMUL_TILING}).
 *
 * The tiled kernel: each workgroup computes one `tileM × tileN` block of one batch's output.
 * It walks k in steps of `tileK`: its threads together load the `tileM × tileK` slice of A and
 * the `tileK × tileN` slice of B into `var<workgroup>` arrays (zero beyond m, n or k, so sizes
 * need not be tile multiples), wait at a barrier, and each thread then multiplies its
 * `blockM × blockN` register block out of the shared tiles — every value loaded from memory is
 * used `blockM` or `blockN` times from fast memory instead of once from slow memory.
 *
 * The direct kernel: each thread computes its `blockM × blockN` block reading A and B straight
 * from the buffers, k step by k step; no workgroup memory and no barriers.
 *
 * Operands are read through their strides: the backward pass's xᵀ and wᵀ (strides [1, m]) and
 * sliced or broadcast views cost no copy and no extra dispatch. The tile load picks, per call,
 * which of the tile's axes consecutive threads walk, so that they read consecutive addresses
 * whether an operand is row-major or transposed (what coalescing wants on a real GPU).
 *
 * Batches run on the grid's z axis; their offsets come from the (collapsed) batch shape and
 * strides in `dims`, so stride-0 broadcast batch axes are read, never copied.
 *
 * Sums are accumulated in the output's type: f32 for float32 (in a different order from the
 * CPU's, so results agree to rounding, not bit for bit), i32 for int32 (exact, wrapping
 * modulo 2^32 as the CPU's Int32Array store does).
 */
import { collapseDimensions, sizeOf, type DType, type TensorView } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatch } from './webgpu-dispatch.js';
import { webGpuContext } from './webgpu-device.js';
import { copyView } from './webgpu-elementwise.js';
import { createStorage, releaseStorage, viewStorage, wgslElementType, type WebGpuStorage } from './webgpu-storage.js';

/** The shape of a matmul kernel's work split: output tile per workgroup, k step, block per thread. */
export interface MatmulTiling {
  /** Output rows per workgroup. */
  readonly tileM: number;
  /** Output columns per workgroup. */
  readonly tileN: number;
  /** k values loaded into workgroup memory per step. */
  readonly tileK: number;
  /** Output rows per thread (kept in registers). */
  readonly blockM: number;
  /** Output columns per thread (kept in registers). */
  readonly blockN: number;
  /**
   * False: no workgroup memory and no barriers; each thread reads its rows of A and columns of
   * B straight from the storage buffers (`tileK` unused). Measured as an alternative for CPU
   * adapters, where workgroup memory is ordinary memory and a barrier a context switch.
   */
  readonly workgroupMemory?: boolean;
}

/**
 * The tiling {@link matmul} uses on a GPU: the workgroup-memory kernel, a 64×64 output tile per
 * workgroup of 256 threads, k in steps of 16 (8 KB of workgroup memory, half the 16 KB WebGPU
 * guarantees), 4×4 outputs per thread. Not measurable here (no GPU; see
 * {@link SOFTWARE_ADAPTER_MATMUL_TILING}); it is the common shape for GPUs with 16 KB+ of
 * shared memory, and larger tiles (128×128, 8×8 per thread) usually pay on large products.
 */
export const DEFAULT_MATMUL_TILING: MatmulTiling = { tileM: 64, tileN: 64, tileK: 16, blockM: 4, blockN: 4 };

/**
 * The tiling {@link matmul} uses on a software adapter (SwiftShader, lavapipe), where invocations
 * are lanes of CPU threads: workgroup memory is ordinary memory, a barrier a switch between
 * coroutines, and the fastest shape is the one with the most multiply-adds per load.
 * Measured in headless Chromium 156 on SwiftShader's Vulkan (2 CPU cores under a load average
 * of 6-7, so the same kernel varied by up to ±30% between runs; benchmarks/src/
 * webgpu-matmul-timing.ts, medians in ms of runs that each read the product back, with gpu.js
 * WebGL2 (also SwiftShader) and the CPU backend in the same page; 13:26 UTC 2026-12-05):
 *
 * | product | tiled 64² k16 4×4 | tiled 64² k16 8×8 | direct 64² 4×4 | direct 64² 8×8 | direct 32² 8×8 | direct 128² 8×8 | gpu.js | cpu |
 * | --- | --- | --- | --- | --- | --- | --- | --- | --- |
 * | 256³ | 24.7 | 13.7 | 14.6 | 8.2 | 8.2 | 8.2 | 6.5 | 1.2 |
 * | 512³ | 158 | 98.9 | 146 | 111 | 115 | 114 | 32.8 | 6.9 |
 * | 1024³ | 2506 | 1195 | 1098 | 840 | 821 | 602 | 493 | 49.9 |
 * | 128×784·784×256 | 60.0 | 32.4 | 41.9 | 22.6 | 22.6 | 22.4 | 11.5 | 1.5 |
 * | 128×256·256×256 | 30.5 | 13.7 | 13.6 | 8.2 | 8.1 | 8.1 | 5.2 | 0.6 |
 * | (128×784)ᵀ·128×256 | 116 | 45.2 | 43.2 | 23.7 | 22.8 | 25.0 | 20.3 | 1.7 |
 *
 * Workgroup memory and its barriers cost on SwiftShader; 8×8 blocks (64 sums per 16 loads) beat
 * 4×4 (16 per 8); the three direct 8×8 shapes are within the noise of one another except at
 * 1024³ (other runs: 64² 8×8 at 489-698 ms). Four k steps written out per loop iteration and
 * 16×8 blocks measured slower. A round trip of an 8×8 product costs about 2.7 ms on webgpu
 * (mostly the asynchronous map of the read-back buffer) and 0.7 ms on gpu.js; 100 queued 8×8
 * products with one read, 17 ms on both. These are a software Vulkan's numbers: they say
 * nothing of a GPU's, where workgroup memory is what makes a product fast.
 */
export const SOFTWARE_ADAPTER_MATMUL_TILING: MatmulTiling = {
  tileM: 64,
  tileN: 64,
  tileK: 0,
  blockM: 8,
  blockN: 8,
  workgroupMemory: false,
};

let tilingOverride: MatmulTiling | undefined;

/**
 * Makes {@link matmul} use `tiling` (undefined restores the choice by adapter): for tests that
 * check both kernels on one adapter, and for measuring.
 */
export function overrideMatmulTiling(tiling: MatmulTiling | undefined): void {
  tilingOverride = tiling;
}

/** Whether the device is a CPU implementation of WebGPU (fallback adapter, SwiftShader, lavapipe). */
function isSoftwareAdapter(): boolean {
  const { info } = webGpuContext('matmul');
  return info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(info.adapter);
}

const MAXIMUM_WORKGROUPS_PER_DIMENSION = 65_535;

// dims layout: [outputs, m, n, k, aRowStride, aColumnStride, bRowStride, bColumnStride,
//               aOffset, bOffset, batchStart, batchShape..., aBatchStrides..., bBatchStrides...]
const FIXED_DIMS = 11;

function checkTiling(tiling: MatmulTiling, op: string): void {
  const { tileM, tileN, tileK, blockM, blockN } = tiling;
  const threads = (tileM / blockM) * (tileN / blockN);
  const limits = webGpuContext(op).device.limits;
  const sharedBytes = tiling.workgroupMemory === false ? 0 : (tileM + tileN) * tileK * 4;
  if (
    !Number.isInteger(tileM / blockM) ||
    !Number.isInteger(tileN / blockN) ||
    (tiling.workgroupMemory !== false &&
      (!Number.isInteger((tileM * tileK) / threads) || !Number.isInteger((tileK * tileN) / threads)))
  )
    throw new Error(
      `webgpu.${op}: tiling ${JSON.stringify(tiling)} does not split evenly: blocks must divide tiles and each tile's loads must divide among the ${threads} threads`,
    );
  if (threads > limits.maxComputeInvocationsPerWorkgroup || tileN / blockN > limits.maxComputeWorkgroupSizeX)
    throw new Error(
      `webgpu.${op}: tiling ${JSON.stringify(tiling)} needs ${threads} threads per workgroup, above this device's limits`,
    );
  if (sharedBytes > limits.maxComputeWorkgroupStorageSize)
    throw new Error(
      `webgpu.${op}: tiling ${JSON.stringify(tiling)} needs ${sharedBytes} bytes of workgroup memory, above this device's ${limits.maxComputeWorkgroupStorageSize}`,
    );
}

/** WGSL lines adding batch `batchRest`'s offsets (from its collapsed coordinates) to `aBase` and `bBase`. */
function batchOffsetLines(batchRank: number): string[] {
  const lines: string[] = [];
  for (let axis = batchRank - 1; axis >= 0; axis--) {
    const size = `dims[${FIXED_DIMS + axis}]`;
    lines.push(
      `  let batchCoordinate${axis} = batchRest % ${size};`,
      `  batchRest = batchRest / ${size};`,
      `  aBase += batchCoordinate${axis} * dims[${FIXED_DIMS + batchRank + axis}];`,
      `  bBase += batchCoordinate${axis} * dims[${FIXED_DIMS + 2 * batchRank + axis}];`,
    );
  }
  return lines;
}

/**
 * WGSL of the kernel without workgroup memory: each thread walks k itself, loading its
 * `blockM` values of A and `blockN` of B per step from the buffers (clamped to the matrix, so
 * edge threads need no branch in the loop) and storing only the in-range part of its block.
 */
function directMatmulSource(dtype: DType, batchRank: number, tiling: MatmulTiling): string {
  const { tileM, tileN, blockM, blockN } = tiling;
  const type = wgslElementType(dtype, 'matmul');
  const threadsX = tileN / blockN;
  const rowsOfBlock = Array.from({ length: blockM }, (_, row) => row);
  const columnsOfBlock = Array.from({ length: blockN }, (_, column) => column);
  const accumulator = (row: number, column: number) => `sum${row}_${column}`;
  const stepLines = [
    '    {',
    ...rowsOfBlock.map((row) => `      let a${row} = in0[aRow${row} + aStep];`),
    ...columnsOfBlock.map((column) => `      let b${column} = in1[bColumn${column} + bStep];`),
    ...rowsOfBlock.map(
      (row) =>
        `      ${columnsOfBlock.map((column) => `${accumulator(row, column)} += a${row} * b${column};`).join(' ')}`,
    ),
    '      aStep += aColumnStride;',
    '      bStep += bRowStride;',
    '    }',
  ].join('\n');
  return `${bindingDeclarations('matmul', [dtype, dtype], [dtype])}
@compute @workgroup_size(${threadsX}, ${tileM / blockM})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
  let m = dims[1];
  let n = dims[2];
  let k = dims[3];
  let aRowStride = dims[4];
  let aColumnStride = dims[5];
  let bRowStride = dims[6];
  let bColumnStride = dims[7];
  var aBase = dims[8];
  var bBase = dims[9];
  let batch = i32(group.z) + dims[10];
  var batchRest = batch;
${batchOffsetLines(batchRank).join('\n')}
  let outBase = batch * m * n;
  let firstRow = i32(group.y) * ${tileM} + i32(local.y) * ${blockM};
  let firstColumn = i32(group.x) * ${tileN} + i32(local.x) * ${blockN};
  // Rows and columns beyond the matrix read its last row or column; their sums are not stored.
${rowsOfBlock.map((row) => `  let aRow${row} = aBase + min(firstRow + ${row}, m - 1) * aRowStride;`).join('\n')}
${columnsOfBlock.map((column) => `  let bColumn${column} = bBase + min(firstColumn + ${column}, n - 1) * bColumnStride;`).join('\n')}
${rowsOfBlock.map((row) => `  ${columnsOfBlock.map((column) => `var ${accumulator(row, column)} = ${type}(0);`).join(' ')}`).join('\n')}
  // aStep and bStep walk k through the strides. (Writing 4 steps out per iteration measured
  // 1.3-1.7x slower on SwiftShader: its JIT keeps fewer of the 64 sums in registers.)
  var aStep = 0;
  var bStep = 0;
  for (var step = 0; step < k; step++) {
${stepLines}
  }
${rowsOfBlock
  .map(
    (row) => `  if (firstRow + ${row} < m) {
    let rowBase = outBase + (firstRow + ${row}) * n + firstColumn;
${columnsOfBlock.map((column) => `    if (firstColumn + ${column} < n) { out0[rowBase + ${column}] = ${accumulator(row, column)}; }`).join('\n')}
  }`,
  )
  .join('\n')}
}`;
}

/** WGSL of the tiled kernel for operands of `dtype`, `batchRank` collapsed batch axes and `tiling`. */
function matmulSource(dtype: DType, batchRank: number, tiling: MatmulTiling): string {
  const { tileM, tileN, tileK, blockM, blockN } = tiling;
  const type = wgslElementType(dtype, 'matmul');
  const threadsX = tileN / blockN;
  const threads = threadsX * (tileM / blockM);
  const rowsOfBlock = Array.from({ length: blockM }, (_, row) => row);
  const columnsOfBlock = Array.from({ length: blockN }, (_, column) => column);
  const accumulator = (row: number, column: number) => `sum${row}_${column}`;
  const batchLines = batchOffsetLines(batchRank);
  return `${bindingDeclarations('matmul', [dtype, dtype], [dtype])}
const TILE_M = ${tileM};
const TILE_N = ${tileN};
const TILE_K = ${tileK};
const THREADS = ${threads};
// tileA[kStep * TILE_M + row] and tileB[kStep * TILE_N + column]: a thread's inner loop reads
// blockM consecutive values of one and blockN of the other.
var<workgroup> tileA: array<${type}, ${tileM * tileK}>;
var<workgroup> tileB: array<${type}, ${tileK * tileN}>;

@compute @workgroup_size(${threadsX}, ${tileM / blockM})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) localIndex: u32) {
  let m = dims[1];
  let n = dims[2];
  let k = dims[3];
  let aRowStride = dims[4];
  let aColumnStride = dims[5];
  let bRowStride = dims[6];
  let bColumnStride = dims[7];
  var aBase = dims[8];
  var bBase = dims[9];
  let batch = i32(group.z) + dims[10];
  var batchRest = batch;
${batchLines.join('\n')}
  let outBase = batch * m * n;
  let rowStart = i32(group.y) * TILE_M;
  let columnStart = i32(group.x) * TILE_N;
  let thread = i32(localIndex);
  let threadRow = (thread / ${threadsX}) * ${blockM};
  let threadColumn = (thread % ${threadsX}) * ${blockN};
  // Which tile axis consecutive threads walk: the one whose stride is 1 (uniform per call).
  let aRowsAdjacent = aRowStride == 1 && aColumnStride != 1;
  let bRowsAdjacent = bRowStride == 1 && bColumnStride != 1;
${rowsOfBlock.map((row) => `  ${columnsOfBlock.map((column) => `var ${accumulator(row, column)} = ${type}(0);`).join(' ')}`).join('\n')}
  for (var kStart = 0; kStart < k; kStart += TILE_K) {
    for (var load = 0; load < ${(tileM * tileK) / threads}; load++) {
      let position = thread + load * THREADS;
      var row = position / TILE_K;
      var step = position % TILE_K;
      if (aRowsAdjacent) {
        row = position % TILE_M;
        step = position / TILE_M;
      }
      let globalRow = rowStart + row;
      let globalStep = kStart + step;
      var value = ${type}(0);
      if (globalRow < m && globalStep < k) {
        value = in0[aBase + globalRow * aRowStride + globalStep * aColumnStride];
      }
      tileA[step * TILE_M + row] = value;
    }
    for (var load = 0; load < ${(tileK * tileN) / threads}; load++) {
      let position = thread + load * THREADS;
      var step = position / TILE_N;
      var column = position % TILE_N;
      if (bRowsAdjacent) {
        step = position % TILE_K;
        column = position / TILE_K;
      }
      let globalStep = kStart + step;
      let globalColumn = columnStart + column;
      var value = ${type}(0);
      if (globalStep < k && globalColumn < n) {
        value = in1[bBase + globalStep * bRowStride + globalColumn * bColumnStride];
      }
      tileB[step * TILE_N + column] = value;
    }
    workgroupBarrier();
    for (var step = 0; step < TILE_K; step++) {
${rowsOfBlock.map((row) => `      let a${row} = tileA[step * TILE_M + threadRow + ${row}];`).join('\n')}
${columnsOfBlock.map((column) => `      let b${column} = tileB[step * TILE_N + threadColumn + ${column}];`).join('\n')}
${rowsOfBlock.map((row) => `      ${columnsOfBlock.map((column) => `${accumulator(row, column)} += a${row} * b${column};`).join(' ')}`).join('\n')}
    }
    workgroupBarrier();
  }
${rowsOfBlock
  .map(
    (row) => `  if (rowStart + threadRow + ${row} < m) {
    let rowBase = outBase + (rowStart + threadRow + ${row}) * n + columnStart + threadColumn;
${columnsOfBlock.map((column) => `    if (columnStart + threadColumn + ${column} < n) { out0[rowBase + ${column}] = ${accumulator(row, column)}; }`).join('\n')}
  }`,
  )
  .join('\n')}
}`;
}

/**
 * The (batched) product of `a` [..., m, k] and `b` [..., k, n], batch axes already broadcast to
 * one shape (possibly with stride 0), into a new dense row-major storage [..., m, n] of
 * `outDtype` (float32 or int32; operands of another dtype are converted first).
 */
export function matmul(a: TensorView, b: TensorView, outDtype: DType): WebGpuStorage {
  const tiling = tilingOverride ?? (isSoftwareAdapter() ? SOFTWARE_ADAPTER_MATMUL_TILING : DEFAULT_MATMUL_TILING);
  return matmulWithTiling(a, b, outDtype, tiling);
}

/**
 * {@link matmul} with an explicit {@link MatmulTiling} (for measuring tile shapes; every tiling
 * computes the same values up to the order of f32 additions).
 */
export function matmulWithTiling(a: TensorView, b: TensorView, outDtype: DType, tiling: MatmulTiling): WebGpuStorage {
  const op = 'matmul';
  wgslElementType(outDtype, op);
  const rank = a.shape.length;
  if (rank < 2 || b.shape.length !== rank)
    throw new Error(
      `webgpu.${op}: 'a' and 'b' must have the same rank of at least 2, got [${a.shape}] and [${b.shape}]`,
    );
  const m = a.shape[rank - 2]!;
  const k = a.shape[rank - 1]!;
  const n = b.shape[rank - 1]!;
  if (b.shape[rank - 2] !== k)
    throw new Error(`webgpu.${op}: 'b' has shape [${b.shape}], expected [..., ${k}, *] to match 'a' [${a.shape}]`);
  const batchShape = a.shape.slice(0, rank - 2);
  const batches = sizeOf(batchShape);
  const out = createStorage(outDtype, batches * m * n, op);
  if (batches * m * n === 0) return out;
  const rowGroups = Math.ceil(m / tiling.tileM);
  const columnGroups = Math.ceil(n / tiling.tileN);
  if (rowGroups > MAXIMUM_WORKGROUPS_PER_DIMENSION || columnGroups > MAXIMUM_WORKGROUPS_PER_DIMENSION) {
    releaseStorage(out);
    throw new Error(
      `webgpu.${op}: an output of ${m}×${n} needs ${rowGroups}×${columnGroups} workgroups, above WebGPU's ${MAXIMUM_WORKGROUPS_PER_DIMENSION} per grid axis`,
    );
  }
  // Operands of another dtype than the output (not produced by ops/linalg.ts, which casts
  // first) are converted by a dense copy, released after the product.
  const aConverted = a.dtype === outDtype ? undefined : copyView(a, outDtype);
  const bConverted = b.dtype === outDtype ? undefined : copyView(b, outDtype);
  const aLayout = aConverted ? denseLayout(a.shape) : a;
  const bLayout = bConverted ? denseLayout(b.shape) : b;
  const batch = collapseDimensions(batchShape, [
    aLayout.strides.slice(0, rank - 2),
    bLayout.strides.slice(0, rank - 2),
    denseLayout(batchShape).strides,
  ]);
  const batchRank = batch.shape.length;
  const source = cachedSource(
    `matmul|${outDtype}|${batchRank}|${tiling.tileM},${tiling.tileN},${tiling.tileK},${tiling.blockM},${tiling.blockN},${tiling.workgroupMemory !== false}`,
    () => {
      checkTiling(tiling, op);
      return tiling.workgroupMemory === false
        ? directMatmulSource(outDtype, batchRank, tiling)
        : matmulSource(outDtype, batchRank, tiling);
    },
  );
  const inputs = [aConverted ?? viewStorage(a), bConverted ?? viewStorage(b)];
  // WebGPU allows 65,535 workgroups per grid axis: more batches than that run in several dispatches.
  for (let batchStart = 0; batchStart < batches; batchStart += MAXIMUM_WORKGROUPS_PER_DIMENSION) {
    const meta = [
      batches * m * n,
      m,
      n,
      k,
      aLayout.strides[rank - 2]!,
      aLayout.strides[rank - 1]!,
      bLayout.strides[rank - 2]!,
      bLayout.strides[rank - 1]!,
      aLayout.offset,
      bLayout.offset,
      batchStart,
      ...batch.shape,
      ...batch.strides[0]!,
      ...batch.strides[1]!,
    ];
    const groups = Math.min(MAXIMUM_WORKGROUPS_PER_DIMENSION, batches - batchStart);
    dispatch({ op, source, inputs, outputs: [out], meta, workgroups: [columnGroups, rowGroups, groups] });
  }
  if (aConverted) releaseStorage(aConverted);
  if (bConverted) releaseStorage(bConverted);
  return out;
}

/** Offset 0 and row-major strides for `shape`. */
function denseLayout(shape: readonly number[]): { readonly offset: number; readonly strides: number[] } {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return { offset: 0, strides };
}
