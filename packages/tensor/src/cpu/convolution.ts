/**
 * CPU convolution through im2col and the packed matrix multiply.
 *
 * For each image and group, the input patches are unrolled into a matrix
 * `cols[(c, ki, kj), (oh, ow)]`; the forward pass is `W · cols`, the input gradient scatters
 * `Wᵀ · dy` back through col2im, and the weight gradient is `dy · colsᵀ`, summed over images.
 * This is the float64 path and the scalar reference; float32 in SIMD mode takes the kernels of
 * wasm/ (padded-grid-convolution.ts and simd-convolution.ts) first.
 */
import type { Window2d } from '../backend.js';
import type { TypedArray } from '../dtype.js';
import type { ConvolutionGeometry } from '../kernel-operands.js';
import { simdConv2dForward, simdConv2dWeightGradient } from '../wasm/simd-convolution.js';
import { simdConv2dInputGradient } from '../wasm/simd-convolution-input-gradient.js';
import { simdCol2im } from '../wasm/simd-col2im.js';
import { heapFloat32Array, releaseHeapArray } from '../wasm/kernel-heap.js';
import { gemm } from './matmul.js';

/** Unrolls the patches of one image's channels `[c0, c0 + channels)` into `cols`. */
export function im2col(
  x: TypedArray,
  imageOffset: number,
  c0: number,
  channels: number,
  height: number,
  width: number,
  window: Window2d,
  cols: TypedArray,
): void {
  const {
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    padTop,
    padLeft,
    dilationHeight,
    dilationWidth,
    outputHeight,
    outputWidth,
  } = window;
  const patches = outputHeight * outputWidth;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const plane = imageOffset + (c0 + c) * height * width;
    for (let ki = 0; ki < kernelHeight; ki++) {
      for (let kj = 0; kj < kernelWidth; kj++) {
        let target = row * patches;
        for (let oh = 0; oh < outputHeight; oh++) {
          const h = oh * strideHeight - padTop + ki * dilationHeight;
          if (h < 0 || h >= height) {
            cols.fill(0, target, target + outputWidth);
            target += outputWidth;
            continue;
          }
          // The in-bounds output columns form one range [first, end): zero-fill around it and
          // copy inside it without a bounds test per element.
          const shift = kj * dilationWidth - padLeft;
          const first = Math.min(outputWidth, Math.max(0, Math.ceil(-shift / strideWidth)));
          const end = Math.max(first, Math.min(outputWidth, Math.floor((width - 1 - shift) / strideWidth) + 1));
          const source = plane + h * width + shift;
          if (first > 0) cols.fill(0, target, target + first);
          if (strideWidth === 1) {
            for (let ow = first; ow < end; ow++) cols[target + ow] = x[source + ow]!;
          } else {
            for (let ow = first; ow < end; ow++) cols[target + ow] = x[source + ow * strideWidth]!;
          }
          if (end < outputWidth) cols.fill(0, target + end, target + outputWidth);
          target += outputWidth;
        }
        row++;
      }
    }
  }
}

/** Adds the columns of `cols` back into the image (the adjoint of {@link im2col}). */
export function col2im(
  cols: TypedArray,
  out: TypedArray,
  imageOffset: number,
  c0: number,
  channels: number,
  height: number,
  width: number,
  window: Window2d,
): void {
  const {
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    padTop,
    padLeft,
    dilationHeight,
    dilationWidth,
    outputHeight,
    outputWidth,
  } = window;
  let row = 0;
  const patches = outputHeight * outputWidth;
  for (let c = 0; c < channels; c++) {
    const plane = imageOffset + (c0 + c) * height * width;
    for (let ki = 0; ki < kernelHeight; ki++) {
      for (let kj = 0; kj < kernelWidth; kj++) {
        let source = row * patches;
        for (let oh = 0; oh < outputHeight; oh++) {
          const h = oh * strideHeight - padTop + ki * dilationHeight;
          if (h < 0 || h >= height) {
            source += outputWidth;
            continue;
          }
          const target = plane + h * width;
          for (let ow = 0; ow < outputWidth; ow++) {
            const w = ow * strideWidth - padLeft + kj * dilationWidth;
            if (w >= 0 && w < width) out[target + w]! += cols[source]!;
            source++;
          }
        }
        row++;
      }
    }
  }
}

function perGroup(geometry: ConvolutionGeometry) {
  const { inChannels, outChannels, groups, window } = geometry;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  const patchSize = inPerGroup * window.kernelHeight * window.kernelWidth;
  const patches = window.outputHeight * window.outputWidth;
  return { inPerGroup, outPerGroup, patchSize, patches };
}

/** Forward convolution of contiguous `x` `[N,C,H,W]` with contiguous `weight` `[O,C/g,kh,kw]`. */
export function conv2dForward(x: TypedArray, weight: TypedArray, geometry: ConvolutionGeometry, out: TypedArray): void {
  // Float32 takes the implicit-im2col SIMD path when the kernels are on; this function's
  // remaining body is the scalar reference it is tested against.
  if (
    x instanceof Float32Array &&
    weight instanceof Float32Array &&
    out instanceof Float32Array &&
    simdConv2dForward(x, weight, geometry, out)
  )
    return;
  const { batch, inChannels, outChannels, height, width, groups, window } = geometry;
  const { inPerGroup, outPerGroup, patchSize, patches } = perGroup(geometry);
  const cols = new (x.constructor as new (length: number) => TypedArray)(patchSize * patches);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      im2col(x, n * inChannels * height * width, g * inPerGroup, inPerGroup, height, width, window, cols);
      gemm(
        outPerGroup,
        patches,
        patchSize,
        { values: weight, offset: g * outPerGroup * patchSize, rowStride: patchSize, columnStride: 1 },
        { values: cols, offset: 0, rowStride: patches, columnStride: 1 },
        out,
        (n * outChannels + g * outPerGroup) * patches,
      );
    }
  }
}

/** Gradient with respect to the input: col2im(Wᵀ · dy). `out` must be zeroed. */
export function conv2dInputGradient(
  dy: TypedArray,
  weight: TypedArray,
  geometry: ConvolutionGeometry,
  out: TypedArray,
): void {
  // Float32 takes the padded-grid transposed convolution when the kernels are on; this
  // function's remaining body is the scalar reference it is tested against.
  if (
    dy instanceof Float32Array &&
    weight instanceof Float32Array &&
    out instanceof Float32Array &&
    simdConv2dInputGradient(dy, weight, geometry, out)
  )
    return;
  const { patchSize, patches } = perGroup(geometry);
  // Float32 columns in the kernel heap where they fit there, so that col2im runs in WebAssembly.
  const heapCols =
    dy instanceof Float32Array && out instanceof Float32Array && heapFloat32Array(patchSize * patches, false);
  const cols = heapCols || new (dy.constructor as new (length: number) => TypedArray)(patchSize * patches);
  try {
    inputGradientThroughColumns(dy, weight, geometry, out, cols);
  } finally {
    if (heapCols) releaseHeapArray(heapCols);
  }
}

/** The per-image `Wᵀ · dy` products and their col2im, through the scratch `cols`. */
function inputGradientThroughColumns(
  dy: TypedArray,
  weight: TypedArray,
  geometry: ConvolutionGeometry,
  out: TypedArray,
  cols: TypedArray,
): void {
  const { batch, inChannels, outChannels, height, width, groups, window } = geometry;
  const { inPerGroup, outPerGroup, patchSize, patches } = perGroup(geometry);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      gemm(
        patchSize,
        patches,
        outPerGroup,
        // Wᵀ: read the weight block transposed through its strides.
        { values: weight, offset: g * outPerGroup * patchSize, rowStride: 1, columnStride: patchSize },
        { values: dy, offset: (n * outChannels + g * outPerGroup) * patches, rowStride: patches, columnStride: 1 },
        cols,
        0,
      );
      const imageOffset = n * inChannels * height * width;
      if (
        !(cols instanceof Float32Array && out instanceof Float32Array) ||
        !simdCol2im(cols, out, imageOffset, g * inPerGroup, inPerGroup, height, width, window)
      )
        col2im(cols, out, imageOffset, g * inPerGroup, inPerGroup, height, width, window);
    }
  }
}

/** Gradient with respect to the weight: Σₙ dy · colsᵀ. */
export function conv2dWeightGradient(
  x: TypedArray,
  dy: TypedArray,
  geometry: ConvolutionGeometry,
  out: TypedArray,
): void {
  if (
    x instanceof Float32Array &&
    dy instanceof Float32Array &&
    out instanceof Float32Array &&
    simdConv2dWeightGradient(x, dy, geometry, out)
  )
    return;
  const { batch, inChannels, outChannels, height, width, groups, window } = geometry;
  const { inPerGroup, outPerGroup, patchSize, patches } = perGroup(geometry);
  const Constructor = x.constructor as new (length: number) => TypedArray;
  const cols = new Constructor(patchSize * patches);
  const partial = new Constructor(outPerGroup * patchSize);
  out.fill(0);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      im2col(x, n * inChannels * height * width, g * inPerGroup, inPerGroup, height, width, window, cols);
      gemm(
        outPerGroup,
        patchSize,
        patches,
        { values: dy, offset: (n * outChannels + g * outPerGroup) * patches, rowStride: patches, columnStride: 1 },
        { values: cols, offset: 0, rowStride: 1, columnStride: patches },
        partial,
        0,
      );
      const base = g * outPerGroup * patchSize;
      for (let index = 0; index < partial.length; index++) out[base + index]! += partial[index]!;
    }
  }
}
