/**
 * The float32 input gradient of conv2d (the transposed convolution) on the padded-grid engine
 * (padded-grid-convolution.ts), threaded like the forward pass.
 *
 * `dx[n, c, h, w] = Σ_{o, ki, kj} W[o, c, ki, kj] · dy[n, o, oh, ow]` over the (oh, ow) with
 * `oh·s_h − padTop + ki·d_h = h` (and the same along the width). With the kernel flipped
 * (`ki' = kh − 1 − ki`) that is a stride-1 correlation of dy, spread out on a grid, with the
 * flipped, channel-transposed weight: the grid row of dy row `oh` is `oh·s_h + (kh − 1)·d_h −
 * padTop`, and dx row h reads grid rows `h + ki'·d_h`. Between the rows (and columns) of a
 * strided dy the grid holds zeros, so a stride s costs s_h·s_w times the products the gradient
 * needs; rows of dy that land outside the grid contribute to no dx element and are left out.
 *
 * The sums are the same products as in col2im(Wᵀ · dy) (the im2col path, which stays the
 * reference), but added in another order (over o, ki, kj in one float32 dot product instead
 * of over o first, then over the patches in float64-free col2im steps) and with zero products
 * for the spread-out positions, so the result differs from it by float32 rounding: within
 * 2·k·ε₃₂·Σ|terms| with k = (O/groups)·kh·kw, as the tests check.
 */
import type { ConvolutionGeometry } from '../kernel-operands.js';
import { copyPlanes, gridCorrelation } from './padded-grid-convolution.js';

/** The fewest input channels per group for which the grid pays (see {@link simdConv2dInputGradient}). */
const GRID_MINIMUM_CHANNELS = 4;

/**
 * Input gradient of conv2d for contiguous float32 `dy` `[N,O,oh,ow]` and `weight`
 * `[O,C/g,kh,kw]` into `out` `[N,C,H,W]` (every element written; H and W from `geometry`).
 * Returns false (doing nothing) when the SIMD kernels are unavailable or when the grid would
 * do more work than the im2col path, which the caller then takes (`Wᵀ · dy` per image and a
 * WebAssembly col2im): with a stride above 1 (s_h·s_w times the products; 16×16×28×28, 32 3×3
 * stride 2: 4.2–4.4 ms against 2.7–2.9 ms for the im2col path with the JavaScript col2im,
 * load 9; splitting dx into s_h·s_w phases, each a correlation without the zeros, was tried
 * and was still slower: 1.96 against 1.60 ms for the WebAssembly col2im, load 12, four small
 * products and a scatter per phase) and with fewer than 4
 * input channels per group (a 4-row panel for 1–3 channels against a patch of C·kh·kw rows;
 * 64×1×28×28, 32 3×3: 10.7 against 8.4 ms).
 *
 * @example
 * if (!simdConv2dInputGradient(dy, weight, geometry, dx)) conv2dInputGradientScalar(dy, weight, geometry, dx);
 */
export function simdConv2dInputGradient(
  dy: Float32Array,
  weight: Float32Array,
  geometry: ConvolutionGeometry,
  out: Float32Array,
): boolean {
  const { batch, inChannels, outChannels, height, width, groups, window } = geometry;
  const { kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft } = window;
  const { dilationHeight, dilationWidth, outputHeight, outputWidth } = window;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  if (strideHeight !== 1 || strideWidth !== 1 || inPerGroup < GRID_MINIMUM_CHANNELS) return false;
  const kernelArea = kernelHeight * kernelWidth;
  const gridHeight = height + (kernelHeight - 1) * dilationHeight;
  const gridWidth = width + (kernelWidth - 1) * dilationWidth;
  const planeFloats = gridHeight * gridWidth;
  // Where dy's row 0 and column 0 land on the grid (negative: cut off at the top or left).
  const rowShift = (kernelHeight - 1) * dilationHeight - padTop;
  const columnShift = (kernelWidth - 1) * dilationWidth - padLeft;
  const firstRow = Math.max(0, Math.ceil(-rowShift / strideHeight));
  const endRow = Math.min(outputHeight, Math.floor((gridHeight - 1 - rowShift) / strideHeight) + 1);
  const firstColumn = Math.max(0, Math.ceil(-columnShift / strideWidth));
  const endColumn = Math.min(outputWidth, Math.floor((gridWidth - 1 - columnShift) / strideWidth) + 1);
  // Patch element (o, ki', kj') of group g: dy channel g·O/g + o at grid offset (ki'·dh, kj'·dw).
  const patchSize = outPerGroup * kernelArea;
  const offsets = Array.from({ length: groups }, (_, g) => {
    const groupOffsets = new Int32Array(patchSize);
    for (let p = 0; p < patchSize; p++) {
      const o = Math.floor(p / kernelArea);
      const ki = Math.floor((p - o * kernelArea) / kernelWidth);
      const kj = p - o * kernelArea - ki * kernelWidth;
      groupOffsets[p] = (g * outPerGroup + o) * planeFloats + ki * dilationHeight * gridWidth + kj * dilationWidth;
    }
    return groupOffsets;
  });
  // The correlation's weight [C, (O/g)·kh·kw]: W'[g·C/g + c, (o, ki', kj')] = W[g·O/g + o, c, kh−1−ki', kw−1−kj'].
  const flipped = new Float32Array(inChannels * patchSize);
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < inPerGroup; c++) {
      let target = (g * inPerGroup + c) * patchSize;
      for (let o = 0; o < outPerGroup; o++) {
        const source = ((g * outPerGroup + o) * inPerGroup + c) * kernelArea;
        for (let k = kernelArea - 1; k >= 0; k--) flipped[target++] = weight[source + k]!;
      }
    }
  }
  const dyPlane = outputHeight * outputWidth;
  return gridCorrelation(
    {
      batch,
      planes: outChannels,
      gridHeight,
      gridWidth,
      groups,
      patchSize,
      outPerGroup: inPerGroup,
      outputHeight: height,
      outputWidth: width,
      offsets,
      weight: flipped,
      fill: (firstImage, images, grid, view) =>
        copyPlanes(
          dy,
          firstImage * outChannels * dyPlane + firstRow * outputWidth + firstColumn,
          view,
          grid + (firstRow * strideHeight + rowShift) * gridWidth + firstColumn * strideWidth + columnShift,
          [images * outChannels, endRow - firstRow, endColumn - firstColumn],
          [dyPlane, outputWidth, 1],
          [planeFloats, strideHeight * gridWidth, strideWidth],
        ),
    },
    out,
  );
}
