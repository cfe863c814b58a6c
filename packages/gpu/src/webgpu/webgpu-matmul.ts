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
 * from the buffers, k step by k step; no workgroup memory and no barriers. An operand with
 * stride 1 along k, or along its rows (A) or columns (B), and its offset and other strides
 * multiples of 4, is read as `vec4` and summed in `vec4` accumulators (a variant per pair of
 * layouts, chosen per call): row-major products and the backward pass's dz·wᵀ measured
 * 1.2-1.3x faster that way on SwiftShader (see {@link SOFTWARE_ADAPTER_MATMUL_TILING}).
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
import { collapseDimensions, contiguousStrides, sizeOf, type DType, type TensorView } from '@vane/tensor';
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
  /**
   * Direct kernel only. Unless false, an operand whose k axis or whose row (column) axis has
   * stride 1, with its offset and other strides multiples of 4, is read as `vec4` (four values
   * per load) and summed in `vec4` accumulators; false reads every value through its strides
   * (the path every other layout takes). For measuring the two.
   */
  readonly vectorLoads?: boolean;
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
 *
 * `vec4` loads (see {@link MatmulTiling.vectorLoads}; the direct columns above are from before
 * them), measured against the same 64² 8×8 kernel reading value by value, the two alternated
 * run by run within one page (medians of 15 runs, 7 at 512³, 5 at 1024³; three pages at
 * 13:44-13:45 UTC 2026-12-05 under load averages of 7.4-9.8 on 2 cores, so the milliseconds
 * wander and the ratios are what to read; ranges over the three pages):
 *
 * | product | A read, B read | value by value | vec4 | ratio |
 * | --- | --- | --- | --- | --- |
 * | 256³ | along k, along n | 14.4-22.2 | 11.6-12.8 | 1.20-1.75 |
 * | 512³ | along k, along n | 104.9-114.4 | 80.2-88.4 | 1.27-1.31 |
 * | 1024³ | along k, along n | 484.8-703.4 | 414.4-561.9 | 1.17-1.25 |
 * | 128×784·784×256 (x·w1) | along k, along n | 22.4-23.3 | 17.1-17.4 | 1.30-1.35 |
 * | 128×256·256×256 (h·w2) | along k, along n | 7.1-8.8 | 6.1-7.1 | 1.00-1.44 |
 * | (128×784)ᵀ·128×256 (xᵀ·dz) | along m, along n | 25.2-27.7 | 24.0-28.8 | 0.96-1.05 |
 * | 128×256·(784×256)ᵀ (dz·w1ᵀ) | along k, along k | 24.0-30.4 | 19.3-23.4 | 1.24-1.30 |
 *
 * The gain is in the operand read along k: a quarter as many loads, index computations and
 * bounds checks. Reading B along n alone measured no faster (a page with A forced back to
 * value-by-value reads), nor is xᵀ·dz (along m and n): SwiftShader still gathers each
 * component of a `vec4` lane by lane, and much of that product's time is reading back its
 * 784×256 output. The whole timing script, before (13:36, load 1.0-2.2) and after (13:45,
 * load 7.4-8.3), `matmul()` against gpu.js WebGL2 in the same page: 256³ 13.3 → 14.1 (gpu.js
 * 9.0, 11.0), 512³ 103.5 → 89.6 (56.0, 71.9), 1024³ 841 → 598 (475, 506), x·w1 21.3 → 16.0
 * (11.1, 13.0), h·w2 7.0 → 6.1 (4.9, 5.1), xᵀ·dz 23.4 → 25.3 (20.6, 20.5) ms.
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
 * WGSL lines every matmul kernel opens with: the call's sizes and strides read from `dims`
 * (the layout `matmulWithTiling` writes), the batch's offsets added to `aBase` and `bBase`, and
 * `outBase`, where the batch's output starts. Needs `group` (the workgroup id) in scope.
 */
function callIntegerLines(batchRank: number): string {
  return `  let m = dims[1];
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
  let outBase = batch * m * n;`;
}

/**
 * The opening of both direct kernels' entry point: the workgroup size, the call's sizes and
 * strides read from `dims`, the batch's offsets, and the first row and column of the thread's
 * block (`firstRow`, `firstColumn`).
 */
function directKernelOpening(batchRank: number, tiling: MatmulTiling): string {
  const { tileM, tileN, blockM, blockN } = tiling;
  return `@compute @workgroup_size(${tileN / blockN}, ${tileM / blockM})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
${callIntegerLines(batchRank)}
  let firstRow = i32(group.y) * ${tileM} + i32(local.y) * ${blockM};
  let firstColumn = i32(group.x) * ${tileN} + i32(local.x) * ${blockN};`;
}

/**
 * WGSL of the kernel without workgroup memory: each thread walks k itself, loading its
 * `blockM` values of A and `blockN` of B per step from the buffers (clamped to the matrix, so
 * edge threads need no branch in the loop) and storing only the in-range part of its block.
 */
function directMatmulSource(dtype: DType, batchRank: number, tiling: MatmulTiling): string {
  const { blockM, blockN } = tiling;
  const type = wgslElementType(dtype, 'matmul');
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
${directKernelOpening(batchRank, tiling)}
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

/**
 * How the direct kernel reads an operand: value by value through its strides (any layout), four
 * values of one row (column) of the k axis per load (`alongK`: its k stride is 1), or four
 * consecutive rows of A (columns of B) at one k per load (`alongOuter`: its m or n stride is 1).
 */
type OperandReading = 'strided' | 'alongK' | 'alongOuter';

/**
 * The reading for an operand with these strides along k and along its own axis (m for A, n for
 * B), offset and batch strides. A `vec4` load must start at a multiple of 4 from the buffer's
 * start, so every offset it can start from (the offset, batch offsets, the other axis's
 * steps) must be a multiple of 4; `blockOuter` must be too for `alongOuter`.
 */
function operandReading(
  kStride: number,
  outerStride: number,
  offset: number,
  batchStrides: readonly number[],
  blockOuter: number,
): OperandReading {
  if (offset % 4 !== 0 || batchStrides.some((stride) => stride % 4 !== 0)) return 'strided';
  if (kStride === 1 && outerStride % 4 === 0) return 'alongK';
  if (outerStride === 1 && kStride % 4 === 0 && blockOuter % 4 === 0) return 'alongOuter';
  return 'strided';
}

/**
 * WGSL of the direct kernel reading A and B as {@link OperandReading} says (not both strided:
 * that is {@link directMatmulSource}). Each thread's `blockM × blockN` sums are `blockM` rows of
 * `blockN / 4` `vec4` accumulators; at each k step it forms A's `blockM` values and B's
 * `blockN / 4` vectors and adds `a_row * b_vector`. On a software adapter each load is a
 * gather across the SIMD lanes behind an index computation and bounds checks; a `vec4` load
 * still gathers its four components, but computes and checks its index once.
 *
 * An operand read `alongK` is loaded once per 4 k steps, so k runs in chunks of 4 (written out)
 * and a tail of `k % 4` steps that uses only the loaded components it needs. Every `vec4` load
 * starts at a valid element and a multiple of 4 (buffers are multiples of 16 bytes), so it
 * stays inside the buffer; the components beyond the matrix it brings in (past k in the tail,
 * past m or n at an edge) are either unused or land in sums that are not stored.
 *
 * With `vectorStores` (n a multiple of 4, so every output row starts at a multiple of 4) the
 * sums are stored as `vec4`s, a quarter of the guarded stores.
 */
function vectorDirectMatmulSource(
  dtype: DType,
  batchRank: number,
  tiling: MatmulTiling,
  aReading: OperandReading,
  bReading: OperandReading,
  vectorStores: boolean,
): string {
  const { blockM, blockN } = tiling;
  const type = wgslElementType(dtype, 'matmul');
  const vector = `vec4<${type}>`;
  const rowsOfBlock = Array.from({ length: blockM }, (_, row) => row);
  const rowQuarters = Array.from({ length: blockM / 4 }, (_, quarter) => quarter);
  const columnsOfBlock = Array.from({ length: blockN }, (_, column) => column);
  const columnQuarters = Array.from({ length: blockN / 4 }, (_, quarter) => quarter);
  const chunked = aReading === 'alongK' || bReading === 'alongK';
  const accumulator = (row: number, quarter: number) => `sum${row}_${quarter}`;

  const aSetup = {
    alongK: rowsOfBlock.map(
      (row) => `  let aRowVector${row} = (aBase + min(firstRow + ${row}, m - 1) * aRowStride) / 4;`,
    ),
    alongOuter: [
      '  let lastAlignedRow = ((m - 1) / 4) * 4;',
      '  let aStepVectors = aColumnStride / 4;',
      ...rowQuarters.map(
        (quarter) => `  let aRowsVector${quarter} = (aBase + min(firstRow + ${4 * quarter}, lastAlignedRow)) / 4;`,
      ),
    ],
    strided: rowsOfBlock.map((row) => `  let aRow${row} = aBase + min(firstRow + ${row}, m - 1) * aRowStride;`),
  }[aReading];
  const bSetup = {
    alongK: columnsOfBlock.map(
      (column) => `  let bColumnVector${column} = (bBase + min(firstColumn + ${column}, n - 1) * bColumnStride) / 4;`,
    ),
    alongOuter: [
      '  let lastAlignedColumn = ((n - 1) / 4) * 4;',
      '  let bStepVectors = bRowStride / 4;',
      ...columnQuarters.map(
        (quarter) =>
          `  let bColumnsVector${quarter} = (bBase + min(firstColumn + ${4 * quarter}, lastAlignedColumn)) / 4;`,
      ),
    ],
    strided: columnsOfBlock.map(
      (column) => `  let bColumn${column} = bBase + min(firstColumn + ${column}, n - 1) * bColumnStride;`,
    ),
  }[bReading];

  /** The loads of the operands read `alongK`, once per chunk of 4 k steps (chunk number `chunk`). */
  const chunkLoads = [
    ...(aReading === 'alongK'
      ? rowsOfBlock.map((row) => `    let aVector${row} = in0[aRowVector${row} + chunk];`)
      : []),
    ...(bReading === 'alongK'
      ? columnsOfBlock.map((column) => `    let bVector${column} = in1[bColumnVector${column} + chunk];`)
      : []),
  ];

  /** One k step; `part` is its place in the chunk (the component of the `alongK` vectors). */
  const stepLines = (part: number | undefined): string[] => {
    const aValue = (row: number) =>
      aReading === 'alongK'
        ? `aVector${row}[${part}]`
        : aReading === 'alongOuter'
          ? `aRows${row >> 2}[${row & 3}]`
          : `a${row}`;
    const aLoads =
      aReading === 'alongOuter'
        ? rowQuarters.map((quarter) => `let aRows${quarter} = in0[aRowsVector${quarter} + aStep];`)
        : aReading === 'strided'
          ? rowsOfBlock.map((row) => `let a${row} = in0[aRow${row} + aStep];`)
          : [];
    const bLoads = columnQuarters.map((quarter) => {
      const columns = [0, 1, 2, 3].map((offset) => 4 * quarter + offset);
      if (bReading === 'alongOuter') return `let b${quarter} = in1[bColumnsVector${quarter} + bStep];`;
      if (bReading === 'alongK')
        return `let b${quarter} = ${vector}(${columns.map((column) => `bVector${column}[${part}]`).join(', ')});`;
      return `let b${quarter} = ${vector}(${columns.map((column) => `in1[bColumn${column} + bStep]`).join(', ')});`;
    });
    const advances = [
      ...(aReading === 'alongOuter'
        ? ['aStep += aStepVectors;']
        : aReading === 'strided'
          ? ['aStep += aColumnStride;']
          : []),
      ...(bReading === 'alongOuter'
        ? ['bStep += bStepVectors;']
        : bReading === 'strided'
          ? ['bStep += bRowStride;']
          : []),
    ];
    return [
      '    {',
      ...[...aLoads, ...bLoads].map((line) => `      ${line}`),
      ...rowsOfBlock.map(
        (row) =>
          `      ${columnQuarters.map((quarter) => `${accumulator(row, quarter)} += ${aValue(row)} * b${quarter};`).join(' ')}`,
      ),
      ...advances.map((line) => `      ${line}`),
      '    }',
    ];
  };

  const loop = chunked
    ? `  for (var chunk = 0; chunk < k / 4; chunk++) {
${[...chunkLoads, ...[0, 1, 2, 3].flatMap(stepLines)].join('\n')}
  }
  // The last k % 4 steps: one more chunk's loads, of which only the first components are used.
  let remaining = k % 4;
  if (remaining > 0) {
    let chunk = k / 4;
${[...chunkLoads, ...stepLines(0)].join('\n')}
    if (remaining > 1) {
${stepLines(1).join('\n')}
      if (remaining > 2) {
${stepLines(2).join('\n')}
      }
    }
  }`
    : `  for (var step = 0; step < k; step++) {
${stepLines(undefined).join('\n')}
  }`;

  return `${bindingDeclarations('matmul', [dtype, dtype], [dtype], {
    vectorInputs: [...(aReading === 'strided' ? [] : [0]), ...(bReading === 'strided' ? [] : [1])],
    vectorOutputs: vectorStores ? [0] : [],
  })}
${directKernelOpening(batchRank, tiling)}
  // Rows and columns beyond the matrix read its last row or column (or last aligned group of
  // 4, whose components past the edge are not the matrix's); their sums are not stored.
${aSetup.join('\n')}
${bSetup.join('\n')}
${rowsOfBlock.map((row) => `  ${columnQuarters.map((quarter) => `var ${accumulator(row, quarter)} = ${vector}(0);`).join(' ')}`).join('\n')}
  // aStep and bStep walk k through the strides (in vec4s for operands read along their rows or columns).
  var aStep = 0;
  var bStep = 0;
${loop}
${rowsOfBlock
  .map(
    (row) => `  if (firstRow + ${row} < m) {
    let rowBase = outBase + (firstRow + ${row}) * n + firstColumn;
${
  vectorStores
    ? columnQuarters
        .map(
          (quarter) =>
            `    if (firstColumn + ${4 * quarter} < n) { out0[rowBase / 4 + ${quarter}] = ${accumulator(row, quarter)}; }`,
        )
        .join('\n')
    : columnsOfBlock
        .map(
          (column) =>
            `    if (firstColumn + ${column} < n) { out0[rowBase + ${column}] = ${accumulator(row, column >> 2)}[${column & 3}]; }`,
        )
        .join('\n')
}
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
${callIntegerLines(batchRank)}
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
  // The direct kernel reads an operand as vec4 where its layout allows (a variant per layout).
  const vectorLoads = tiling.workgroupMemory === false && tiling.vectorLoads !== false && tiling.blockN % 4 === 0;
  const aReading: OperandReading = vectorLoads
    ? operandReading(
        aLayout.strides[rank - 1]!,
        aLayout.strides[rank - 2]!,
        aLayout.offset,
        batch.strides[0]!,
        tiling.blockM,
      )
    : 'strided';
  const bReading: OperandReading = vectorLoads
    ? operandReading(
        bLayout.strides[rank - 2]!,
        bLayout.strides[rank - 1]!,
        bLayout.offset,
        batch.strides[1]!,
        tiling.blockN,
      )
    : 'strided';
  const vectorStores = (aReading !== 'strided' || bReading !== 'strided') && n % 4 === 0;
  const source = cachedSource(
    `matmul|${outDtype}|${batchRank}|${tiling.tileM},${tiling.tileN},${tiling.tileK},${tiling.blockM},${tiling.blockN},${tiling.workgroupMemory !== false}|${aReading},${bReading},${vectorStores}`,
    () => {
      checkTiling(tiling, op);
      if (tiling.workgroupMemory !== false) return matmulSource(outDtype, batchRank, tiling);
      return aReading === 'strided' && bReading === 'strided'
        ? directMatmulSource(outDtype, batchRank, tiling)
        : vectorDirectMatmulSource(outDtype, batchRank, tiling, aReading, bReading, vectorStores);
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

/** The layout of a dense row-major copy of a tensor of `shape`. */
function denseLayout(shape: readonly number[]): { readonly offset: number; readonly strides: number[] } {
  return { offset: 0, strides: contiguousStrides(shape) };
}
