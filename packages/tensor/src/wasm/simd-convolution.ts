/**
 * Float32 convolution on the SIMD gemm kernel.
 *
 * - Forward: a stride-1 correlation on a padded grid of x (padded-grid-convolution.ts), with
 *   strides undone by phase planes (see {@link simdConv2dForward}).
 * - Input gradient: the transposed convolution, on the same grid engine
 *   (simd-convolution-input-gradient.ts).
 * - Weight gradient: `dW[o, p] = Σ_{n,s} dy[n, o, s] · cols_n[p, s]` with implicit im2col: the
 *   packing callbacks of {@link simdGemmPacked} read the image and the output gradient
 *   straight into the kernel's panels, computed transposed (m = patch size, n = output
 *   channels, k = images·positions) so that a small patch (3×3×1 = 9) pads to 12 rows rather
 *   than to 16 columns, and summed over every image inside the kernel's k-loop instead of in
 *   per-image partial products.
 *
 * Accumulation is float32 in the kernel, as for matmul.
 */
import type { ConvolutionGeometry } from '../kernel-operands.js';
import { heapAddress } from './kernel-heap.js';
import { simdKernels } from './kernel-runtime.js';
import { copyPlanes, gridCorrelation } from './padded-grid-convolution.js';
import { GEMM_COLUMNS, GEMM_ROWS } from './simd-kernels-module.js';
import { DEPTH_BLOCK, simdGemmPacked } from './simd-gemm.js';

/** The in-bounds output columns `[first, end)` for kernel column `kj` (all others read padding). */
function columnRange(kj: number, geometry: ConvolutionGeometry): readonly [number, number, number] {
  const { width, window } = geometry;
  const shift = kj * window.dilationWidth - window.padLeft;
  const first = Math.min(window.outputWidth, Math.max(0, Math.ceil(-shift / window.strideWidth)));
  const end = Math.max(first, Math.min(window.outputWidth, Math.floor((width - 1 - shift) / window.strideWidth) + 1));
  return [shift, first, end];
}

/**
 * Forward convolution of contiguous float32 `x` `[N,C,H,W]` with `weight` `[O,C/g,kh,kw]` into
 * `out` `[N,O,oh,ow]`, as a stride-1 correlation on a padded grid (padded-grid-convolution.ts).
 * The grid holds x with its padding written out as zeros; a stride s is undone by splitting
 * the padded image into s_h × s_w *phase planes* (`plane[r, t][a, b] = xPadded[a·s_h + r, b·s_w + t]`),
 * so that patch element (c, ki, kj) reads plane `(ki·dh mod s_h, kj·dw mod s_w)` at offset
 * `(⌊ki·dh / s_h⌋, ⌊kj·dw / s_w⌋)` with stride 1, and every im2col row is again a contiguous
 * stretch. Returns false (doing nothing) when the SIMD kernels are unavailable.
 *
 * @example
 * if (!simdConv2dForward(x, weight, geometry, out)) conv2dForwardScalar(x, weight, geometry, out);
 */
export function simdConv2dForward(
  x: Float32Array,
  weight: Float32Array,
  geometry: ConvolutionGeometry,
  out: Float32Array,
): boolean {
  const { batch, inChannels, outChannels, height, width, groups, window } = geometry;
  const { kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padBottom, padLeft, padRight } = window;
  const { dilationHeight, dilationWidth, outputHeight, outputWidth } = window;
  const inPerGroup = inChannels / groups;
  const kernelArea = kernelHeight * kernelWidth;
  const gridHeight = Math.ceil((height + padTop + padBottom) / strideHeight);
  const gridWidth = Math.ceil((width + padLeft + padRight) / strideWidth);
  const phases = strideHeight * strideWidth;
  const planeFloats = gridHeight * gridWidth;
  const offsets = Array.from({ length: groups }, (_, g) => {
    const groupOffsets = new Int32Array(inPerGroup * kernelArea);
    for (let p = 0; p < groupOffsets.length; p++) {
      const c = Math.floor(p / kernelArea);
      const ki = Math.floor((p - c * kernelArea) / kernelWidth);
      const kj = p - c * kernelArea - ki * kernelWidth;
      const [rowPhase, row] = [(ki * dilationHeight) % strideHeight, Math.floor((ki * dilationHeight) / strideHeight)];
      const [columnPhase, column] = [
        (kj * dilationWidth) % strideWidth,
        Math.floor((kj * dilationWidth) / strideWidth),
      ];
      const plane = ((g * inPerGroup + c) * strideHeight + rowPhase) * strideWidth + columnPhase;
      groupOffsets[p] = plane * planeFloats + row * gridWidth + column;
    }
    return groupOffsets;
  });
  const imageFloats = height * width;
  return gridCorrelation(
    {
      batch,
      planes: inChannels * phases,
      gridHeight,
      gridWidth,
      groups,
      patchSize: inPerGroup * kernelArea,
      outPerGroup: outChannels / groups,
      outputHeight,
      outputWidth,
      offsets,
      weight,
      fill: (firstImage, images, grid, view) => {
        // Per phase plane (r, t): the rows h and columns w of x whose padded coordinates are
        // ≡ r mod s_h and ≡ t mod s_w, each row a stride-s_w run of x into a contiguous grid row.
        for (let rowPhase = 0; rowPhase < strideHeight; rowPhase++) {
          const firstRow = (((rowPhase - padTop) % strideHeight) + strideHeight) % strideHeight;
          const rows = firstRow < height ? Math.ceil((height - firstRow) / strideHeight) : 0;
          for (let columnPhase = 0; columnPhase < strideWidth; columnPhase++) {
            const firstColumn = (((columnPhase - padLeft) % strideWidth) + strideWidth) % strideWidth;
            const columns = firstColumn < width ? Math.ceil((width - firstColumn) / strideWidth) : 0;
            const plane = rowPhase * strideWidth + columnPhase;
            copyPlanes(
              x,
              firstImage * inChannels * imageFloats + firstRow * width + firstColumn,
              view,
              grid +
                plane * planeFloats +
                ((firstRow + padTop - rowPhase) / strideHeight) * gridWidth +
                (firstColumn + padLeft - columnPhase) / strideWidth,
              [images * inChannels, rows, columns],
              [imageFloats, strideHeight * width, strideWidth],
              [phases * planeFloats, gridWidth, 1],
            );
          }
        }
      },
    },
    out,
  );
}

/**
 * Calls `visit(image, firstRow, endRow, r)` for each image's run of output rows inside the
 * k-block of output rows `[row0, row0 + rows)` (rows counted over all images), clipped to the
 * output rows `[low, high)` of that image; `r` is the run's first row within the block.
 */
function forEachImageRun(
  row0: number,
  rows: number,
  outputHeight: number,
  low: number,
  high: number,
  visit: (image: number, firstRow: number, endRow: number, r: number) => void,
): void {
  for (let image = Math.floor(row0 / outputHeight); image * outputHeight < row0 + rows; image++) {
    const firstRow = Math.max(low, row0 - image * outputHeight);
    const endRow = Math.min(high, row0 + rows - image * outputHeight);
    if (endRow > firstRow) visit(image, firstRow, endRow, image * outputHeight + firstRow - row0);
  }
}

/**
 * Packs A[p, q] for q in `[k0, k0 + depth)` (whole output rows over all images): the implicit
 * im2col value of patch element p at position q, in row panels of `GEMM_ROWS`. Per patch
 * element and image, the in-bounds rectangle (rows where the kernel row lands inside the image,
 * columns `ranges[kj]`) is one call of the kernel module's strided `pack` where x is in the
 * kernel memory, a JavaScript loop where it is not; everything else is padding, left zero.
 */
function packGradientPatches(
  x: Float32Array,
  geometry: ConvolutionGeometry,
  ranges: readonly (readonly [number, number, number])[],
  group: number,
  k0: number,
  depth: number,
  view: Float32Array,
  base: number,
): void {
  const { inChannels, height, width, groups, window } = geometry;
  const { kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, dilationHeight, outputHeight, outputWidth } =
    window;
  const inPerGroup = inChannels / groups;
  const kernelArea = kernelHeight * kernelWidth;
  const patchSize = inPerGroup * kernelArea;
  const row0 = k0 / outputWidth;
  const rows = depth / outputWidth;
  const kernels = simdKernels();
  const address = heapAddress(x);
  for (let p = 0; p < patchSize; p++) {
    const c = Math.floor(p / kernelArea);
    const ki = Math.floor((p - c * kernelArea) / kernelWidth);
    const kj = p - c * kernelArea - ki * kernelWidth;
    const [shift, first, end] = ranges[kj]!;
    if (end <= first) continue;
    const rowShift = ki * dilationHeight - padTop;
    // Output rows whose input row h = oh·sh + rowShift is inside the image.
    const low = Math.min(outputHeight, Math.max(0, Math.ceil(-rowShift / strideHeight)));
    const high = Math.max(low, Math.min(outputHeight, Math.floor((height - 1 - rowShift) / strideHeight) + 1));
    const panelOffset = base + (p >> 2) * GEMM_ROWS * depth + (p & 3);
    forEachImageRun(row0, rows, outputHeight, low, high, (image, firstRow, endRow, r) => {
      const source =
        ((image * inChannels + group * inPerGroup + c) * height + firstRow * strideHeight + rowShift) * width +
        shift +
        first * strideWidth;
      const target = panelOffset + (r * outputWidth + first) * GEMM_ROWS;
      if (kernels && address !== undefined) {
        kernels.exports.pack(
          address + source * 4,
          target * 4,
          1,
          endRow - firstRow,
          end - first,
          0,
          strideHeight * width * 4,
          strideWidth * 4,
          0,
          outputWidth * GEMM_ROWS * 4,
          GEMM_ROWS * 4,
        );
        return;
      }
      for (let row = 0; row < endRow - firstRow; row++) {
        let from = source + row * strideHeight * width;
        let to = target + row * outputWidth * GEMM_ROWS;
        for (let ow = first; ow < end; ow++, from += strideWidth, to += GEMM_ROWS) view[to] = x[from]!;
      }
    });
  }
}

/**
 * Packs B[q, o] = dy[image, group·O + o, oh, ow] for q in `[k0, k0 + depth)`, in column panels:
 * per panel of 8 channels and image, one call of the strided `pack` where dy is in the kernel
 * memory, a JavaScript loop where it is not.
 */
function packGradientOutputs(
  dy: Float32Array,
  geometry: ConvolutionGeometry,
  group: number,
  k0: number,
  depth: number,
  view: Float32Array,
  base: number,
): void {
  const { outChannels, groups, window } = geometry;
  const { outputHeight, outputWidth } = window;
  const outPerGroup = outChannels / groups;
  const positions = outputHeight * outputWidth;
  const row0 = k0 / outputWidth;
  const rows = depth / outputWidth;
  const kernels = simdKernels();
  const address = heapAddress(dy);
  for (let o0 = 0; o0 < outPerGroup; o0 += GEMM_COLUMNS) {
    const channels = Math.min(GEMM_COLUMNS, outPerGroup - o0);
    const panelOffset = base + (o0 >> 3) * GEMM_COLUMNS * depth;
    forEachImageRun(row0, rows, outputHeight, 0, outputHeight, (image, firstRow, endRow, r) => {
      const source = ((image * outChannels + group * outPerGroup + o0) * outputHeight + firstRow) * outputWidth;
      const target = panelOffset + r * outputWidth * GEMM_COLUMNS;
      const count = (endRow - firstRow) * outputWidth;
      if (kernels && address !== undefined) {
        // Channels (panel level), then the run's positions as one contiguous stretch.
        kernels.exports.pack(
          address + source * 4,
          target * 4,
          channels,
          1,
          count,
          positions * 4,
          0,
          4,
          4,
          0,
          GEMM_COLUMNS * 4,
        );
        return;
      }
      for (let o = 0; o < channels; o++) {
        let from = source + o * positions;
        let to = target + o;
        for (let q = 0; q < count; q++, to += GEMM_COLUMNS) view[to] = dy[from++]!;
      }
    });
  }
}

/**
 * Weight gradient `Σₙ dy · colsᵀ` for contiguous float32 `x` `[N,C,H,W]` and `dy` `[N,O,oh,ow]`
 * into `out` `[O,C/g,kh,kw]` (every element written). Returns false (doing nothing) when the
 * SIMD kernels are unavailable.
 *
 * @example
 * if (!simdConv2dWeightGradient(x, dy, geometry, out)) conv2dWeightGradientScalar(x, dy, geometry, out);
 */
export function simdConv2dWeightGradient(
  x: Float32Array,
  dy: Float32Array,
  geometry: ConvolutionGeometry,
  out: Float32Array,
): boolean {
  const { batch, inChannels, outChannels, groups, window } = geometry;
  const { kernelHeight, kernelWidth, outputHeight, outputWidth } = window;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  const kernelArea = kernelHeight * kernelWidth;
  const patchSize = inPerGroup * kernelArea;
  const positions = outputHeight * outputWidth;
  const outputRows = batch * outputHeight;
  if (patchSize === 0 || outPerGroup === 0) return true;
  if (positions === 0 || batch === 0) {
    out.fill(0);
    return true;
  }
  // k runs over (image, output row, output column); each block holds whole output rows so the
  // packers find an output row's in-bounds range once per row rather than per element.
  const rowsPerBlock = Math.max(1, Math.floor(DEPTH_BLOCK / outputWidth));
  const blockDepth = rowsPerBlock * outputWidth;
  const ranges = Array.from({ length: kernelWidth }, (_, kj) => columnRange(kj, geometry));
  for (let g = 0; g < groups; g++) {
    const product = simdGemmPacked(
      patchSize,
      outPerGroup,
      outputRows * outputWidth,
      blockDepth,
      () => blockDepth,
      (k0, depth, view, base) => packGradientPatches(x, geometry, ranges, g, k0, depth, view, base),
      (k0, depth, view, base) => packGradientOutputs(dy, geometry, g, k0, depth, view, base),
    );
    if (!product) return false;
    const { view, start, rowStride } = product;
    const groupBase = g * outPerGroup * patchSize;
    for (let o = 0; o < outPerGroup; o++) {
      for (let p = 0; p < patchSize; p++) out[groupBase + o * patchSize + p] = view[start + p * rowStride + o]!;
    }
  }
  return true;
}
