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
 * Packs A[p, q] for q in `[k0, k0 + depth)` (whole output rows over all images): the implicit
 * im2col value of patch element p at position q, in row panels of `GEMM_ROWS`.
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
  for (let p = 0; p < patchSize; p++) {
    const c = Math.floor(p / kernelArea);
    const ki = Math.floor((p - c * kernelArea) / kernelWidth);
    const kj = p - c * kernelArea - ki * kernelWidth;
    const range = ranges[kj]!;
    const shift = range[0];
    const first = range[1];
    const end = range[2];
    const panelOffset = base + (p >> 2) * GEMM_ROWS * depth + (p & 3);
    for (let r = 0; r < rows; r++) {
      const outputRow = row0 + r;
      const image = Math.floor(outputRow / outputHeight);
      const oh = outputRow - image * outputHeight;
      const h = oh * strideHeight - padTop + ki * dilationHeight;
      if (h < 0 || h >= height) continue; // Padding: the region was zeroed.
      let source = ((image * inChannels + group * inPerGroup + c) * height + h) * width + shift + first * strideWidth;
      let target = panelOffset + (r * outputWidth + first) * GEMM_ROWS;
      for (let ow = first; ow < end; ow++) {
        view[target] = x[source]!;
        source += strideWidth;
        target += GEMM_ROWS;
      }
    }
  }
}

/** Packs B[q, o] = dy[image, group·O + o, oh, ow] for q in `[k0, k0 + depth)`, in column panels. */
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
  const row0 = k0 / outputWidth;
  const rows = depth / outputWidth;
  for (let o = 0; o < outPerGroup; o++) {
    const panelOffset = base + (o >> 3) * GEMM_COLUMNS * depth + (o & 7);
    for (let r = 0; r < rows; r++) {
      const outputRow = row0 + r;
      const image = Math.floor(outputRow / outputHeight);
      const oh = outputRow - image * outputHeight;
      let source = ((image * outChannels + group * outPerGroup + o) * outputHeight + oh) * outputWidth;
      let target = panelOffset + r * outputWidth * GEMM_COLUMNS;
      for (let ow = 0; ow < outputWidth; ow++) {
        view[target] = dy[source++]!;
        target += GEMM_COLUMNS;
      }
    }
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
