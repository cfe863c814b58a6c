/**
 * Float32 convolution on the SIMD gemm kernel with implicit im2col: the patch matrix is never
 * materialised. The packing callbacks of {@link simdGemmPacked} read the image (and the output
 * gradient) directly into the kernel's panel layout, so each value is written once instead of
 * once into im2col columns and again into packed panels, and whole groups of images share one
 * gemm call instead of one small call per image.
 *
 * - Forward: `out[n, o, s] = Σ_p W[o, p] · cols_n[p, s]` as one gemm per group and chunk of
 *   images, with m = output channels, n = images·positions, k = patch size. With stride 1 the
 *   columns come from an explicitly padded copy of the input, where each im2col row is a
 *   contiguous stretch copied by a WebAssembly vector copy (see `paddedGridForward`).
 * - Weight gradient: `dW[o, p] = Σ_{n,s} dy[n, o, s] · cols_n[p, s]`, computed transposed
 *   (m = patch size, n = output channels, k = images·positions) so that a small patch (3×3×1 = 9)
 *   pads to 12 rows rather than to 16 columns, and summed over every image inside the kernel's
 *   k-loop instead of in per-image partial products.
 *
 * Accumulation is float32 in the kernel, as for matmul.
 */
import type { ConvolutionGeometry } from '../kernel-operands.js';
import { heapAddress, heapFloat32Array, releaseHeapArray } from './kernel-heap.js';
import { simdKernels, type SimdExports } from './kernel-runtime.js';
import { GEMM_COLUMNS, GEMM_ROWS } from './simd-kernels-module.js';
import { DEPTH_BLOCK, simdGemmPacked, type PackBlock } from './simd-gemm.js';
import { vectorCopy, type VectorCopy } from './simd-vector-copy.js';

// Columns per forward gemm: about 4K positions keeps packed B (patch × 4K floats for a small
// patch) and C (channels × 4K floats) near L2 size rather than streaming the whole batch.
const FORWARD_COLUMNS = 4096;

// Grid columns per forward gemm on the stride-1 path: half of the above. Its B block is packed
// just before the gemm reads it, so a smaller chunk finds it still in L2 (bench shape, chunks of
// 2 against 4 images, alternating in one process at load 7: 4.6 against 4.7 ms on one thread,
// 6.0 against 6.7 ms on two; a small lead inside that machine's noise).
const GRID_COLUMNS = 2048;

/** The in-bounds output columns `[first, end)` for kernel column `kj` (all others read padding). */
function columnRange(kj: number, geometry: ConvolutionGeometry): readonly [number, number, number] {
  const { width, window } = geometry;
  const shift = kj * window.dilationWidth - window.padLeft;
  const first = Math.min(window.outputWidth, Math.max(0, Math.ceil(-shift / window.strideWidth)));
  const end = Math.max(first, Math.min(window.outputWidth, Math.floor((width - 1 - shift) / window.strideWidth) + 1));
  return [shift, first, end];
}

/**
 * Packs rows `[k0, k0 + depth)` of one chunk's implicit im2col matrix (columns = images ×
 * positions) into B panels. A top-level function rather than a closure so V8 optimises it once
 * for every call; the panel target advances by one inside a panel and jumps to the next panel
 * every `GEMM_COLUMNS` columns instead of being recomputed per element.
 */
function packForwardColumns(
  x: Float32Array,
  geometry: ConvolutionGeometry,
  ranges: readonly (readonly [number, number, number])[],
  group: number,
  firstImage: number,
  images: number,
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
  const positions = outputHeight * outputWidth;
  const panelJump = GEMM_COLUMNS * depth - (GEMM_COLUMNS - 1);
  for (let p = k0; p < k0 + depth; p++) {
    const c = Math.floor(p / kernelArea);
    const ki = Math.floor((p - c * kernelArea) / kernelWidth);
    const kj = p - c * kernelArea - ki * kernelWidth;
    const range = ranges[kj]!;
    const shift = range[0];
    const first = range[1];
    const end = range[2];
    const rowOffset = base + (p - k0) * GEMM_COLUMNS;
    for (let image = 0; image < images; image++) {
      const plane = ((firstImage + image) * inChannels + group * inPerGroup + c) * height * width;
      for (let oh = 0; oh < outputHeight; oh++) {
        const h = oh * strideHeight - padTop + ki * dilationHeight;
        if (h < 0 || h >= height) continue; // Padding: the region was zeroed.
        let column = image * positions + oh * outputWidth + first;
        let target = rowOffset + (column >> 3) * GEMM_COLUMNS * depth + (column & 7);
        let source = plane + h * width + shift + first * strideWidth;
        for (let ow = first; ow < end; ow++) {
          view[target] = x[source]!;
          source += strideWidth;
          column++;
          target += (column & 7) === 0 ? panelJump : 1;
        }
      }
    }
  }
}

/**
 * Forward convolution of contiguous float32 `x` `[N,C,H,W]` with `weight` `[O,C/g,kh,kw]` into
 * `out` `[N,O,oh,ow]`. Returns false (doing nothing) when the SIMD kernels are unavailable.
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
  const { batch, inChannels, outChannels, groups, window } = geometry;
  const { kernelHeight, kernelWidth, outputHeight, outputWidth } = window;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  const kernelArea = kernelHeight * kernelWidth;
  const patchSize = inPerGroup * kernelArea;
  const positions = outputHeight * outputWidth;
  if (positions === 0 || batch === 0 || outPerGroup === 0) return true;
  if (window.strideHeight === 1 && window.strideWidth === 1 && paddedGridForward(x, weight, geometry, out)) return true;
  const imagesPerChunk = Math.max(1, Math.min(batch, Math.floor(FORWARD_COLUMNS / positions)));
  const ranges = Array.from({ length: kernelWidth }, (_, kj) => columnRange(kj, geometry));
  for (let g = 0; g < groups; g++) {
    for (let n0 = 0; n0 < batch; n0 += imagesPerChunk) {
      const images = Math.min(imagesPerChunk, batch - n0);
      const columns = images * positions;
      const product = simdGemmPacked(
        outPerGroup,
        columns,
        patchSize,
        DEPTH_BLOCK,
        () => DEPTH_BLOCK,
        weightPacker(weight, g, outPerGroup, patchSize),
        (k0, depth, view, base) => packForwardColumns(x, geometry, ranges, g, n0, images, k0, depth, view, base),
      );
      if (!product) return false;
      const { view, start, rowStride } = product;
      for (let o = 0; o < outPerGroup; o++) {
        for (let image = 0; image < images; image++) {
          const from = start + o * rowStride + image * positions;
          out.set(
            view.subarray(from, from + positions),
            ((n0 + image) * outChannels + g * outPerGroup + o) * positions,
          );
        }
      }
    }
  }
  return true;
}

/** Packs rows `[k0, k0 + depth)` of group `group`'s weight block `[O/g, patch]` into A panels. */
function weightPacker(weight: Float32Array, group: number, outPerGroup: number, patchSize: number): PackBlock {
  return (k0, depth, view, base) => {
    for (let i = 0; i < outPerGroup; i++) {
      let source = (group * outPerGroup + i) * patchSize + k0;
      let target = base + (i >> 2) * GEMM_ROWS * depth + (i & 3);
      for (let p = 0; p < depth; p++, target += GEMM_ROWS) view[target] = weight[source++]!;
    }
  };
}

/**
 * Copies `planes × rows` rows of `width` floats between kernel-memory byte addresses, the
 * strides given in floats as [plane, row]: whole vectors with `copy`, the last `width mod 4`
 * floats of each row with the scalar `pack`.
 */
function copyRows(
  exports: SimdExports,
  copy: VectorCopy,
  from: number,
  to: number,
  [planes, rows, width]: readonly [number, number, number],
  [fromPlane, fromRow]: readonly [number, number],
  [toPlane, toRow]: readonly [number, number],
): void {
  const vectors = width >> 2;
  if (vectors > 0) copy(from, to, planes, rows, vectors, fromPlane * 4, fromRow * 4, toPlane * 4, toRow * 4);
  const rest = width - vectors * 4;
  if (rest > 0) {
    const skip = vectors * 16;
    exports.pack(from + skip, to + skip, planes, rows, rest, fromPlane * 4, fromRow * 4, 4, toPlane * 4, toRow * 4, 4);
  }
}

/**
 * The stride-1 forward pass on a padded grid. The input is copied once into the kernel memory
 * with its zero padding made explicit (`[N, C, H + padTop + padBottom, W + padLeft + padRight]`),
 * and the output is computed on the grid of output rows × padded width: column `s = oh·W' + ow`
 * then reads `xPadded[c, oh + ki·dh, ow + kj·dw]`, which is `xPadded[offset(c, ki, kj) + s]`,
 * an affine function of s. So each im2col row is a contiguous stretch of the padded image, and
 * the kernel module's `pack` copies it into the B panels in WebAssembly instead of the
 * per-element JavaScript loop of {@link packForwardColumns} (which was half of the forward
 * time: 3.6 of 6.7 ms on the 16×16×28×28, 32 3×3 bench row, one thread). The extra
 * `dw·(kw − 1)` columns per output row (7% for a 28-wide 3×3 'same' layer) are computed and
 * dropped. The sums are the same products added in the same order as on the other path.
 * Returns false (doing nothing) when the padded copy cannot live in the kernel memory.
 */
function paddedGridForward(
  x: Float32Array,
  weight: Float32Array,
  geometry: ConvolutionGeometry,
  out: Float32Array,
): boolean {
  const kernels = simdKernels();
  const copy = vectorCopy();
  if (!kernels || !copy) return false;
  const { batch, inChannels, outChannels, height, width, groups, window } = geometry;
  const { kernelHeight, kernelWidth, padTop, padBottom, padLeft, padRight, dilationHeight, dilationWidth } = window;
  const { outputHeight, outputWidth } = window;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  const kernelArea = kernelHeight * kernelWidth;
  const patchSize = inPerGroup * kernelArea;
  const positions = outputHeight * outputWidth;
  const paddedHeight = height + padTop + padBottom;
  const paddedWidth = width + padLeft + padRight;
  const plane = paddedHeight * paddedWidth;
  // Grid columns per image, whole panels so that no panel straddles two images. The last
  // panel reads up to 7 floats past the image's grid (into the next plane, or into the slack
  // below): those columns are dropped.
  const gridColumns = Math.ceil((outputHeight * paddedWidth) / GEMM_COLUMNS) * GEMM_COLUMNS;
  const slack = GEMM_COLUMNS + dilationWidth * (kernelWidth - 1);
  const imagesPerChunk = Math.max(1, Math.min(batch, Math.floor(GRID_COLUMNS / gridColumns)));
  // One chunk of images at a time: the padded copy costs one chunk's memory, not the batch's,
  // and is still in cache when the packer reads it. At least 4096 floats: the heap leaves
  // smaller arrays to ordinary memory (kernel-heap.ts). Zeroed once: the copies below write
  // only the interior, so the padding stays zero for every chunk.
  const padded = heapFloat32Array(Math.max(4096, imagesPerChunk * inChannels * plane + slack), true);
  if (!padded) return false;
  try {
    const paddedAddress = heapAddress(padded)!;
    const { exports } = kernels;
    const sourceAddress = heapAddress(x);
    const outAddress = heapAddress(out);
    for (let n0 = 0; n0 < batch; n0 += imagesPerChunk) {
      const images = Math.min(imagesPerChunk, batch - n0);
      const planes = images * inChannels;
      const firstPlane = n0 * inChannels;
      if (sourceAddress !== undefined) {
        copyRows(
          exports,
          copy,
          sourceAddress + firstPlane * height * width * 4,
          paddedAddress + (padTop * paddedWidth + padLeft) * 4,
          [planes, height, width],
          [height * width, width],
          [plane, paddedWidth],
        );
      } else {
        for (let planeIndex = 0; planeIndex < planes; planeIndex++) {
          for (let h = 0; h < height; h++) {
            const from = ((firstPlane + planeIndex) * height + h) * width;
            padded.set(x.subarray(from, from + width), planeIndex * plane + (padTop + h) * paddedWidth + padLeft);
          }
        }
      }
      for (let g = 0; g < groups; g++) {
        const columns = images * gridColumns;
        const product = simdGemmPacked(
          outPerGroup,
          columns,
          patchSize,
          DEPTH_BLOCK,
          () => DEPTH_BLOCK,
          weightPacker(weight, g, outPerGroup, patchSize),
          (k0, depth, _view, base) => {
            // One pack call per image and run of patch rows that share (c, ki): kj steps the
            // source by dw floats and the target by one panel row.
            for (let p = k0; p < k0 + depth;) {
              const c = Math.floor(p / kernelArea);
              const ki = Math.floor((p - c * kernelArea) / kernelWidth);
              const kj = p - c * kernelArea - ki * kernelWidth;
              const run = Math.min(kernelWidth - kj, k0 + depth - p);
              const offset = (g * inPerGroup + c) * plane + ki * dilationHeight * paddedWidth + kj * dilationWidth;
              for (let image = 0; image < images; image++) {
                copy(
                  paddedAddress + (image * inChannels * plane + offset) * 4,
                  (base + image * gridColumns * depth + (p - k0) * GEMM_COLUMNS) * 4,
                  gridColumns / GEMM_COLUMNS,
                  run,
                  GEMM_COLUMNS / 4,
                  GEMM_COLUMNS * 4,
                  dilationWidth * 4,
                  GEMM_COLUMNS * depth * 4,
                  GEMM_COLUMNS * 4,
                );
              }
              p += run;
            }
          },
          true, // Every grid column of every row is copied: no padding columns to zero.
        );
        if (!product) return false;
        const { view, start, rowStride } = product;
        for (let o = 0; o < outPerGroup; o++) {
          const target = (n0 * outChannels + g * outPerGroup + o) * positions;
          if (outAddress !== undefined) {
            copyRows(
              exports,
              copy,
              (start + o * rowStride) * 4,
              outAddress + target * 4,
              [images, outputHeight, outputWidth],
              [gridColumns, paddedWidth],
              [outChannels * positions, outputWidth],
            );
            continue;
          }
          for (let image = 0; image < images; image++) {
            let from = start + o * rowStride + image * gridColumns;
            let to = target + image * outChannels * positions;
            for (let oh = 0; oh < outputHeight; oh++, from += paddedWidth) {
              for (let ow = 0; ow < outputWidth; ow++) out[to++] = view[from + ow]!;
            }
          }
        }
      }
    }
    return true;
  } finally {
    releaseHeapArray(padded);
  }
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
