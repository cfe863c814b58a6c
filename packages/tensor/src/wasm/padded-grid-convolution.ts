/**
 * The one float32 convolution engine of the SIMD path: a stride-1 correlation on a *padded
 * grid*, as one threaded gemm per group and chunk of images (the forward pass in
 * simd-convolution.ts, the input gradient in simd-convolution-input-gradient.ts).
 *
 * The caller copies its source (an image, or an output gradient) into grid planes in the kernel
 * memory, with every zero it needs written out (padding, or the zeros between the rows of a
 * strided output gradient), so that each patch element `p` reads the grid at a fixed offset
 * `offset(p)` from the output position: output `(oh, ow)` is the grid value at
 * `offset(p) + oh·gridWidth + ow`. A run of output positions is then a contiguous stretch of
 * the grid for every patch element, and the im2col panels are packed by a WebAssembly vector
 * gather through a table of those offsets (simd-gather-panels.ts), never materialised.
 *
 * The product is laid out transposed, `C[position, channel] = Σ_p cols[position, p] · W[channel, p]`:
 * positions are the gemm's rows (A, 4-row panels), channels its columns (B, 8-column panels).
 * The threads split a gemm by row panels, so each thread reads only its own positions' part
 * of the packed patches, and the weights (B) are small enough to stay in L1 for every thread.
 * With positions as the columns instead (the earlier layout), a thread's chunk of 4 channels
 * streamed the whole packed patch matrix, and the second thread made the bench row slower (16×16×28×28,
 * 32 3×3: 4.2 against 3.8 ms on one thread, quiet machine, 2026-12-05 02:10; its packing went
 * from 0.4 to 1.1 ms, the gemm only from 3.05 to 2.7). C is copied out by 4×4 SIMD transposes
 * (simd-transpose-quads.ts). Four or fewer channels go the other way round (see
 * `positionsAsRows`).
 *
 * Every output is `Σ_p A[i, p] · B[p, j]` summed in the order of p, in blocks of
 * `DEPTH_BLOCK`, as in matmul, so the result does not depend on the grid, the layout or the
 * chunking: the forward pass gives bit for bit what the earlier implicit-im2col kernels gave.
 */
import { heapAddress } from './kernel-heap.js';
import { gemmTilesKernel, reserve, simdKernels } from './kernel-runtime.js';
import { DEPTH_BLOCK } from './simd-gemm.js';
import { GEMM_COLUMNS, GEMM_ROWS } from './simd-kernels-module.js';
import { gatherPanels } from './simd-gather-panels.js';
import { transposeQuads, type TransposeQuads } from './simd-transpose-quads.js';
import { gatherRowsInNextGemm, wakeWorkersForGemm } from './thread-pool.js';
import { vectorCopy } from './simd-vector-copy.js';
import type { SimdExports } from './kernel-runtime.js';

/**
 * Positions per gemm call (summed over the chunk's images): packed patches of 2048 × 4 bytes
 * per patch element (1.2 MB for 144) stay in L2 between the gather and the gemm. Chosen on the
 * 16×16×28×28, 32 3×3 bench row, 25 alternating rounds at a load of 10–11 (2026-12-05), 10th
 * percentile on one thread: 1024 3.39 ms, 2048 3.30, 4096 3.56, 8192 4.17 (two threads: 3.88,
 * 3.60, 3.74, 3.80); the 64×1×28×28 row was flat (2.09–2.19 ms).
 */
const CHUNK_POSITIONS = 2048;

/** A stride-1 correlation on a padded grid, described for {@link gridCorrelation}. */
export interface GridCorrelation {
  /** Images. */
  batch: number;
  /** Grid planes per image, all groups together (group g owns its own offsets, see `offsets`). */
  planes: number;
  /** Rows and columns of one grid plane. */
  gridHeight: number;
  gridWidth: number;
  /** Groups: each has `patchSize` patch elements and `outPerGroup` output channels. */
  groups: number;
  patchSize: number;
  outPerGroup: number;
  /** The outputs kept per image: `outputHeight × outputWidth` of the grid's positions. */
  outputHeight: number;
  outputWidth: number;
  /** `offsets[g][p]`: the float offset, inside one image's grid, that patch element p of group g reads at output (0, 0). */
  offsets: readonly Int32Array[];
  /** The correlation's weight, `[groups · outPerGroup, patchSize]` row-major. */
  weight: Float32Array;
  /**
   * Writes the values of images `[firstImage, firstImage + images)` into the grid at float
   * index `grid` of `view` (image i's planes at `i · planes · gridHeight · gridWidth` floats), leaving
   * every other float as it was: the grid is zeroed once per call and each chunk writes the
   * same positions, so the zeros stay zero.
   */
  fill: (firstImage: number, images: number, grid: number, view: Float32Array) => void;
}

/**
 * Runs the correlation into `out` `[batch, groups · outPerGroup, outputHeight, outputWidth]`
 * (every element written). Returns false (doing nothing) when the SIMD kernels or the vector
 * copies are unavailable.
 *
 * @example
 * if (!gridCorrelation(problem, out)) conv2dForwardScalar(x, weight, geometry, out);
 */
export function gridCorrelation(problem: GridCorrelation, out: Float32Array): boolean {
  const kernels = simdKernels();
  const gather = gatherPanels();
  const transpose = transposeQuads();
  if (!kernels || !gather || !transpose) return false;
  const { batch, planes, gridHeight, gridWidth, groups, patchSize, outPerGroup, outputHeight, outputWidth } = problem;
  const positions = outputHeight * outputWidth;
  if (batch === 0 || positions === 0 || outPerGroup === 0) return true;
  const outChannels = groups * outPerGroup;
  if (patchSize === 0) {
    out.fill(0, 0, batch * outChannels * positions);
    return true;
  }
  const imageFloats = planes * gridHeight * gridWidth;
  // Few channels (at most one 4-row panel) go the other way round, channels as the gemm's rows
  // and positions as its columns: as columns they would pad to 8 (a depthwise convolution
  // would do 8 times the work), and a single row panel is too little to split anyway.
  const positionsAsRows = outPerGroup > GEMM_ROWS;
  const positionLanes = positionsAsRows ? GEMM_ROWS : GEMM_COLUMNS;
  // The product's positions per image: either the grid's rows end to end (`rowPitch` =
  // gridWidth, so the extra gridWidth − outputWidth columns of every row are computed), or,
  // where fewer, each output row alone, rounded up to whole panels (28 of 30 columns for a
  // 28-wide 3×3 'same' layer as rows of A). Either way whole panels, so that no panel straddles
  // two images; positions past the outputs read the next row, image or the slack after the
  // last one, and are dropped.
  const rowPanels = Math.ceil(outputWidth / positionLanes) * positionLanes;
  const byRow = rowPanels < gridWidth;
  const rowPitch = byRow ? rowPanels : gridWidth;
  const gridRows = byRow
    ? outputHeight * rowPanels
    : Math.ceil((outputHeight * gridWidth) / positionLanes) * positionLanes;
  let reach = 0;
  for (const groupOffsets of problem.offsets) for (const offset of groupOffsets) reach = Math.max(reach, offset);
  const lastRead = byRow ? (outputHeight - 1) * gridWidth + rowPanels : gridRows;
  const slack = Math.max(0, reach + lastRead - imageFloats);
  const imagesPerChunk = Math.max(1, Math.min(batch, Math.floor(CHUNK_POSITIONS / gridRows)));
  const chunkPositions = imagesPerChunk * gridRows;
  const depthLimit = Math.min(patchSize, DEPTH_BLOCK);
  const channelLanes = positionsAsRows ? GEMM_COLUMNS : GEMM_ROWS;
  const channelPanels = Math.ceil(outPerGroup / channelLanes);
  const paddedChannels = channelPanels * channelLanes;
  const gridFloats = imagesPerChunk * imageFloats + slack;
  // Gather entries per patch element: one vector (4 positions) as rows, two (8) as columns.
  const vectorsPerElement = positionLanes / 4;
  const [tableBase, gridBase, positionsBase, channelsBase, cBase] = reserve(kernels.memory, [
    patchSize * vectorsPerElement * 4,
    gridFloats * 4,
    chunkPositions * depthLimit * 4,
    paddedChannels * depthLimit * 4,
    chunkPositions * paddedChannels * 4,
  ]) as [number, number, number, number, number];
  // Views are taken after reserve: growing the memory detaches the previous buffer.
  const view = new Float32Array(kernels.memory.buffer);
  view.fill(0, gridBase / 4, gridBase / 4 + gridFloats);
  const gemmTiles = gemmTilesKernel(kernels);
  for (let n0 = 0; n0 < batch; n0 += imagesPerChunk) {
    const images = Math.min(imagesPerChunk, batch - n0);
    const chunkRows = images * gridRows;
    // The grid fill, gather and weight packing below run on this thread before the chunk's
    // product opens a parallel section; waking the workers now lets them be spinning, not
    // asleep, when it opens (as simd-gemm.ts does before its packing).
    const [rowPanelCount, columnPanelCount] = positionsAsRows
      ? [chunkRows / GEMM_ROWS, channelPanels]
      : [channelPanels, chunkRows / GEMM_COLUMNS];
    wakeWorkersForGemm(
      kernels.module,
      kernels.memory,
      rowPanelCount,
      columnPanelCount,
      Math.min(patchSize, DEPTH_BLOCK),
    );
    problem.fill(n0, images, gridBase / 4, view);
    for (let g = 0; g < groups; g++) {
      // The group's offsets, in bytes, as the gather's table.
      const offsets = problem.offsets[g]!;
      const table = new Int32Array(kernels.memory.buffer, tableBase, patchSize * vectorsPerElement);
      for (let p = 0; p < patchSize; p++)
        for (let vector = 0; vector < vectorsPerElement; vector++)
          table[p * vectorsPerElement + vector] = offsets[p]! * 4 + vector * 16;
      view.fill(0, cBase / 4, cBase / 4 + chunkRows * paddedChannels);
      for (let k0 = 0; k0 < patchSize; k0 += DEPTH_BLOCK) {
        const depth = Math.min(DEPTH_BLOCK, patchSize - k0);
        // The patches of the block: per image, one gather per panel of positions (4 rows of A
        // or 8 columns of B) × depth patch elements, written front to back (see
        // simd-gather-panels.ts).
        const segments = byRow ? outputHeight : 1;
        const segmentPositions = gridRows / segments;
        // As the gemm's rows, the threaded gemm's chunks gather their own panels (below).
        for (let image = 0; image < images && !positionsAsRows; image++) {
          for (let segment = 0; segment < segments; segment++) {
            gather(
              tableBase + k0 * vectorsPerElement * 4,
              depth * vectorsPerElement,
              gridBase + (image * imageFloats + segment * gridWidth) * 4,
              positionsBase + (image * gridRows + segment * segmentPositions) * depth * 4,
              segmentPositions / positionLanes,
              positionLanes * 4,
              positionLanes * depth * 4,
            );
          }
        }
        packWeights(
          problem.weight,
          g * outPerGroup,
          outPerGroup,
          patchSize,
          k0,
          depth,
          channelLanes,
          view,
          channelsBase / 4,
        );
        if (positionsAsRows) {
          gatherRowsInNextGemm(
            tableBase + k0 * 4,
            gridBase,
            imageFloats * 4,
            segments,
            segmentPositions / GEMM_ROWS,
            gridWidth * 4,
          );
          gemmTiles(positionsBase, channelsBase, cBase, chunkRows / GEMM_ROWS, channelPanels, depth, BLOCK_PANELS);
        } else
          gemmTiles(channelsBase, positionsBase, cBase, channelPanels, chunkRows / GEMM_COLUMNS, depth, BLOCK_PANELS);
      }
      for (let image = 0; image < images; image++) {
        const to = ((n0 + image) * outChannels + g * outPerGroup) * positions;
        if (positionsAsRows) {
          copyOutTransposed(
            kernels.exports,
            transpose,
            view,
            cBase / 4 + image * gridRows * paddedChannels,
            paddedChannels,
            rowPitch,
            problem,
            out,
            to,
          );
        } else {
          // C is [channels, positions]: each output row a contiguous stretch of a C row.
          copyPlanes(
            view,
            cBase / 4 + image * gridRows,
            out,
            to,
            [outPerGroup, outputHeight, outputWidth],
            [chunkRows, rowPitch, 1],
            [positions, outputWidth, 1],
          );
        }
      }
    }
  }
  return true;
}

/** Row panels per block of gemm_tiles, as in simd-gemm.ts: 192 positions of packed A stay in L2. */
const BLOCK_PANELS = 48;

/**
 * The weight block `weight[first + j, k0 + p]` in panels of `lanes` channels (8: B's columns,
 * element (p, j) at `(j >> 3)·8·depth + p·8 + (j & 7)`; 4: A's rows, likewise), padding
 * channels zeroed.
 */
function packWeights(
  weight: Float32Array,
  first: number,
  channels: number,
  patchSize: number,
  k0: number,
  depth: number,
  lanes: number,
  view: Float32Array,
  base: number,
): void {
  const panels = Math.ceil(channels / lanes);
  view.fill(0, base, base + panels * lanes * depth);
  for (let j = 0; j < channels; j++) {
    let source = (first + j) * patchSize + k0;
    let target = base + Math.floor(j / lanes) * lanes * depth + (j % lanes);
    for (let p = 0; p < depth; p++, target += lanes) view[target] = weight[source++]!;
  }
}

/**
 * Copies one image's block of C (positions × channels, from float `from` of `view`, rows
 * `paddedColumns` apart, output rows `rowPitch` positions apart) into its `outPerGroup` output planes at float `to` of `out`,
 * transposing: 4 positions × 4 channels at a time with `transpose_quads` where `out` is in the
 * kernel memory (the last `outputWidth mod 4` columns and `outPerGroup mod 4` channels with the
 * strided `pack`), a JavaScript loop where it is not.
 */
function copyOutTransposed(
  exports: SimdExports,
  transpose: TransposeQuads,
  view: Float32Array,
  from: number,
  paddedColumns: number,
  rowPitch: number,
  problem: GridCorrelation,
  out: Float32Array,
  to: number,
): void {
  const { outPerGroup, outputHeight, outputWidth } = problem;
  const positions = outputHeight * outputWidth;
  const outAddress = kernelAddress(out, view);
  if (outAddress === undefined) {
    for (let o = 0; o < outPerGroup; o++) {
      let target = to + o * positions;
      for (let oh = 0; oh < outputHeight; oh++) {
        let source = from + oh * rowPitch * paddedColumns + o;
        for (let ow = 0; ow < outputWidth; ow++, source += paddedColumns) out[target++] = view[source]!;
      }
    }
    return;
  }
  // Channels (panel level), output rows (outer) and columns (inner) `[first, count)`.
  const run = (channels: readonly [number, number], columns: readonly [number, number], quads: boolean) => {
    const [firstChannel, channelCount] = channels;
    const [firstColumn, columnCount] = columns;
    if (channelCount <= 0 || columnCount <= 0) return;
    const source = (from + firstColumn * paddedColumns + firstChannel) * 4;
    const target = outAddress + (to + firstChannel * positions + firstColumn) * 4;
    const rowSource = rowPitch * paddedColumns * 4;
    if (quads)
      transpose(
        source,
        target,
        channelCount >> 2,
        outputHeight,
        columnCount >> 2,
        16,
        rowSource,
        4 * paddedColumns * 4,
        4 * positions * 4,
        outputWidth * 4,
        16,
        paddedColumns * 4,
        positions * 4,
      );
    else
      exports.pack(
        source,
        target,
        channelCount,
        outputHeight,
        columnCount,
        4,
        rowSource,
        paddedColumns * 4,
        positions * 4,
        outputWidth * 4,
        4,
      );
  };
  const channelQuads = outPerGroup >> 2;
  const columnQuads = outputWidth >> 2;
  run([0, channelQuads * 4], [0, columnQuads * 4], true);
  run([0, channelQuads * 4], [columnQuads * 4, outputWidth - columnQuads * 4], false);
  run([channelQuads * 4, outPerGroup - channelQuads * 4], [0, outputWidth], false);
}

/** The byte address of `array` in the kernel memory (`view` spans it), or undefined when it is elsewhere. */
function kernelAddress(array: Float32Array, view: Float32Array): number | undefined {
  return array.buffer === view.buffer ? array.byteOffset : heapAddress(array);
}

/** Three counts or strides: planes, rows, columns. */
export type PlaneTriple = readonly [number, number, number];

/**
 * Copies `planes × rows × columns` floats from `source` (from float `sourceOffset`, strides in
 * floats) into `target` (from float `targetOffset`): a grid's fill, or a product's copy-out.
 * Whole vectors with `copy_vectors` where both sides run contiguously along a row (the last
 * `columns mod 4` with `pack`), the strided `pack` otherwise, and a JavaScript loop where
 * either array is not in the kernel memory. Copies nothing when a count is 0.
 *
 * @example
 * copyPlanes(x, 0, view, base + padTop * 30 + padLeft, [16, 28, 28], [784, 28, 1], [900, 30, 1]);
 */
export function copyPlanes(
  source: Float32Array,
  sourceOffset: number,
  target: Float32Array,
  targetOffset: number,
  [planes, rows, columns]: PlaneTriple,
  [sourcePlane, sourceRow, sourceColumn]: PlaneTriple,
  [targetPlane, targetRow, targetColumn]: PlaneTriple,
): void {
  if (planes <= 0 || rows <= 0 || columns <= 0) return;
  const kernels = simdKernels();
  const copy = vectorCopy();
  const view = kernels ? new Float32Array(kernels.memory.buffer, 0, 0) : undefined;
  const address = view && kernelAddress(source, view);
  const targetAddress = view && kernelAddress(target, view);
  if (!kernels || !copy || address === undefined || targetAddress === undefined) {
    for (let plane = 0; plane < planes; plane++) {
      for (let row = 0; row < rows; row++) {
        let from = sourceOffset + plane * sourcePlane + row * sourceRow;
        let to = targetOffset + plane * targetPlane + row * targetRow;
        for (let column = 0; column < columns; column++, from += sourceColumn, to += targetColumn)
          target[to] = source[from]!;
      }
    }
    return;
  }
  const from = address + sourceOffset * 4;
  const to = targetAddress + targetOffset * 4;
  const vectors = sourceColumn === 1 && targetColumn === 1 ? columns >> 2 : 0;
  if (vectors > 0)
    copy(from, to, planes, rows, vectors, sourcePlane * 4, sourceRow * 4, targetPlane * 4, targetRow * 4);
  const rest = columns - vectors * 4;
  if (rest > 0) {
    const skip = vectors * 4;
    kernels.exports.pack(
      from + skip * sourceColumn * 4,
      to + skip * targetColumn * 4,
      planes,
      rows,
      rest,
      sourcePlane * 4,
      sourceRow * 4,
      sourceColumn * 4,
      targetPlane * 4,
      targetRow * 4,
      targetColumn * 4,
    );
  }
}
