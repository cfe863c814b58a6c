/**
 * 2-D convolution of the `webgpu` backend (NCHW input, `[outChannels, inChannels/groups, kh, kw]`
 * weight) and its two gradients, computed directly from the window rather than through im2col
 * and the matrix product:
 *
 * - `conv2d`: one thread per output value, looping over its group's input channels and the
 *   kernel window.
 * - `conv2dTransposeInput`: one thread per input value (the gather form of the transposed
 *   convolution), looping over its group's output channels and the kernel taps whose strided
 *   window lands on it — no scatter, so no float atomics (which WGSL lacks) and a fixed order.
 * - `conv2dWeightGradient`: one thread per weight value, summing over images and output
 *   positions — split into chunks of positions (then a second kernel adding the chunks) when
 *   the weight has too few values to occupy the device; fixed orders again, so results are
 *   deterministic.
 *
 * Why direct loops: these are simple, exact about padding, dilation and groups, and read every
 * operand through its strides (views need no dense copy); the performance-critical product is
 * the matrix multiply. A tiled or im2col-through-matmul convolution is the upgrade path where
 * convolutions dominate.
 *
 * Values are accumulated in `f32` in another order than the CPU's matrix products, so results
 * agree with the CPU backend to float32 rounding, not bit for bit. Max and average pooling live
 * in webgpu-pooling.ts and are re-exported here (the backend imports the window ops from this
 * module).
 */
import { sizeOf, type DType, type TensorView, type Window2d } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { readAsFloat, storeFromFloat } from './webgpu-elementwise.js';
import { createStorage, releaseStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
import { dimsLets, viewMeta, viewNames, WINDOW_NAMES, windowMeta } from './wgsl-window.js';

export { pool2d } from './webgpu-pooling.js';

/** The integers every convolution kernel reads, after the thread (or value) count. */
const GEOMETRY_NAMES = ['batch', 'channels', 'height', 'width', 'outChannels', 'groupCount', ...WINDOW_NAMES];

function checkFourDimensional(op: string, name: string, view: TensorView): void {
  if (view.shape.length !== 4)
    throw new Error(`webgpu.${op}: '${name}' must be 4-D (NCHW or [O, C/groups, kh, kw]), got shape [${view.shape}]`);
}

/** WGSL reading `in<which>` (of `dtype`) at the 4-D coordinates of a view named `name`. */
function readView(which: number, dtype: DType, name: string, coordinates: readonly string[]): string {
  const terms = coordinates.map((coordinate, axis) => `(${coordinate}) * ${name}Stride${axis}`);
  return readAsFloat(which, dtype, `${name}Offset + ${terms.join(' + ')}`);
}

/**
 * 2-D convolution (cross-correlation): `x` `[N, C, H, W]`, `weight` `[O, C/groups, kh, kw]` →
 * `[N, O, outH, outW]`, one thread per output value (see the module comment).
 */
export function conv2d(
  x: TensorView,
  weight: TensorView,
  window: Window2d,
  groups: number,
  outDtype: DType,
): WebGpuStorage {
  const op = 'conv2d';
  checkFourDimensional(op, 'x', x);
  checkFourDimensional(op, 'weight', weight);
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const outChannels = weight.shape[0]!;
  const size = batch * outChannels * window.outputHeight * window.outputWidth;
  const out = createStorage(outDtype, size, op);
  if (size === 0) return out;
  const names = [...GEOMETRY_NAMES, ...viewNames('x'), ...viewNames('weight')];
  const source = cachedSource(`conv2d|${x.dtype},${weight.dtype}>${outDtype}`, () =>
    [
      bindingDeclarations(op, [x.dtype, weight.dtype], [outDtype]),
      threadKernel(`${dimsLets(names)}
  let at = i32(thread);
  let ow = at % outputWidth;
  let oh = (at / outputWidth) % outputHeight;
  let o = (at / (outputWidth * outputHeight)) % outChannels;
  let n = at / (outputWidth * outputHeight * outChannels);
  let channelsPerGroup = channels / groupCount;
  let firstChannel = (o / (outChannels / groupCount)) * channelsPerGroup;
  var sum = 0.0;
  for (var cl = 0; cl < channelsPerGroup; cl++) {
    for (var ki = 0; ki < kernelHeight; ki++) {
      let h = oh * strideHeight - padTop + ki * dilationHeight;
      if (h < 0 || h >= height) { continue; }
      for (var kj = 0; kj < kernelWidth; kj++) {
        let w = ow * strideWidth - padLeft + kj * dilationWidth;
        if (w < 0 || w >= width) { continue; }
        sum += ${readView(0, x.dtype, 'x', ['n', 'firstChannel + cl', 'h', 'w'])} * ${readView(1, weight.dtype, 'weight', ['o', 'cl', 'ki', 'kj'])};
      }
    }
  }
  out0[thread] = ${storeFromFloat(outDtype, 'sum')};`),
    ].join('\n'),
  );
  const meta = [
    batch,
    channels,
    height,
    width,
    outChannels,
    groups,
    ...windowMeta(window),
    ...viewMeta(x),
    ...viewMeta(weight),
  ];
  dispatchThreads(op, source, [viewStorage(x), viewStorage(weight)], [out], size, meta);
  return out;
}

/**
 * The gradient of conv2d with respect to its input (the transposed convolution): `dy`
 * `[N, O, outH, outW]`, `weight` `[O, C/groups, kh, kw]` → `[N, C, inputHeight, inputWidth]`.
 * One thread per input value sums `dy · weight` over the output positions whose window covers
 * it; an input value no window covers (beyond the last stride) is 0.
 */
export function conv2dTransposeInput(
  dy: TensorView,
  weight: TensorView,
  window: Window2d,
  groups: number,
  inputHeight: number,
  inputWidth: number,
  outDtype: DType,
): WebGpuStorage {
  const op = 'conv2dTransposeInput';
  checkFourDimensional(op, 'dy', dy);
  checkFourDimensional(op, 'weight', weight);
  const [batch, outChannels] = dy.shape as [number, number, number, number];
  const channels = weight.shape[1]! * groups;
  const size = batch * channels * inputHeight * inputWidth;
  const out = createStorage(outDtype, size, op);
  if (size === 0) return out;
  const names = [...GEOMETRY_NAMES, ...viewNames('dy'), ...viewNames('weight')];
  const source = cachedSource(`conv2dTransposeInput|${dy.dtype},${weight.dtype}>${outDtype}`, () =>
    [
      bindingDeclarations(op, [dy.dtype, weight.dtype], [outDtype]),
      threadKernel(`${dimsLets(names)}
  let at = i32(thread);
  let w = at % width;
  let h = (at / width) % height;
  let c = (at / (width * height)) % channels;
  let n = at / (width * height * channels);
  let channelsPerGroup = channels / groupCount;
  let outPerGroup = outChannels / groupCount;
  let firstOut = (c / channelsPerGroup) * outPerGroup;
  let cl = c % channelsPerGroup;
  var sum = 0.0;
  for (var ol = 0; ol < outPerGroup; ol++) {
    let o = firstOut + ol;
    for (var ki = 0; ki < kernelHeight; ki++) {
      // The output row whose window puts tap ki on row h, if it exists: oh·stride = h + pad − ki·dilation.
      let rowShift = h + padTop - ki * dilationHeight;
      if (rowShift < 0 || rowShift % strideHeight != 0) { continue; }
      let oh = rowShift / strideHeight;
      if (oh >= outputHeight) { continue; }
      for (var kj = 0; kj < kernelWidth; kj++) {
        let columnShift = w + padLeft - kj * dilationWidth;
        if (columnShift < 0 || columnShift % strideWidth != 0) { continue; }
        let ow = columnShift / strideWidth;
        if (ow >= outputWidth) { continue; }
        sum += ${readView(0, dy.dtype, 'dy', ['n', 'o', 'oh', 'ow'])} * ${readView(1, weight.dtype, 'weight', ['o', 'cl', 'ki', 'kj'])};
      }
    }
  }
  out0[thread] = ${storeFromFloat(outDtype, 'sum')};`),
    ].join('\n'),
  );
  // The window's output size is dy's (the op builds both from the same forward call).
  const meta = [
    batch,
    channels,
    inputHeight,
    inputWidth,
    outChannels,
    groups,
    ...windowMeta({ ...window, outputHeight: dy.shape[2]!, outputWidth: dy.shape[3]! }),
    ...viewMeta(dy),
    ...viewMeta(weight),
  ];
  dispatchThreads(op, source, [viewStorage(dy), viewStorage(weight)], [out], size, meta);
  return out;
}

/**
 * Threads the weight gradient aims to run: enough to occupy a GPU. A weight of fewer values
 * splits each value's sum into chunks of positions, one thread per (value, chunk).
 */
export const WEIGHT_GRADIENT_TARGET_THREADS = 65_536;

/** The fewest (image, output position) terms a chunk of the weight gradient's sum holds. */
export const WEIGHT_GRADIENT_MINIMUM_CHUNK = 64;

/**
 * How the weight gradient's sum over `positions` terms is split for a weight of `size` values:
 * `chunks` consecutive ranges of `chunkLength` terms (the last one shorter).
 */
export function weightGradientChunks(size: number, positions: number): { chunks: number; chunkLength: number } {
  const wanted = Math.min(
    Math.ceil(WEIGHT_GRADIENT_TARGET_THREADS / size),
    Math.ceil(positions / WEIGHT_GRADIENT_MINIMUM_CHUNK),
  );
  const chunkLength = Math.max(1, Math.ceil(positions / Math.max(1, wanted)));
  return { chunks: Math.max(1, Math.ceil(positions / chunkLength)), chunkLength };
}

/**
 * The gradient of conv2d with respect to its weight: `[O, C/groups, kh, kw]`, each value
 * Σ over images and output positions of `x · dy`.
 *
 * One thread per (weight value, chunk of consecutive positions) sums its chunk in order
 * ({@link weightGradientChunks}: chunks only when the weight has too few values to occupy the
 * device); with more than one chunk, a second kernel adds each value's chunk sums in order. No
 * workgroup barriers: SwiftShader runs a barrier-synchronised workgroup per value about 0.4 ms
 * each (a tree sum per value took 26 s for 65,792 values), and the order stays fixed, so
 * results are deterministic.
 */
export function conv2dWeightGradient(
  x: TensorView,
  dy: TensorView,
  window: Window2d,
  groups: number,
  outDtype: DType,
): WebGpuStorage {
  const op = 'conv2dWeightGradient';
  checkFourDimensional(op, 'x', x);
  checkFourDimensional(op, 'dy', dy);
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const [outChannels, outputHeight, outputWidth] = [dy.shape[1]!, dy.shape[2]!, dy.shape[3]!];
  const shape = [outChannels, channels / groups, window.kernelHeight, window.kernelWidth];
  const size = sizeOf(shape);
  const out = createStorage(outDtype, size, op);
  if (size === 0) return out;
  const { chunks, chunkLength } = weightGradientChunks(size, batch * outputHeight * outputWidth);
  const sumDtype = chunks === 1 ? outDtype : 'float32';
  const names = [...GEOMETRY_NAMES, ...viewNames('x'), ...viewNames('dy'), 'valueCount', 'chunkLength'];
  const source = cachedSource(`conv2dWeightGradient|${x.dtype},${dy.dtype}>${sumDtype}`, () =>
    [
      bindingDeclarations(op, [x.dtype, dy.dtype], [sumDtype]),
      threadKernel(`${dimsLets(names)}
  let element = i32(thread) % valueCount;
  let chunk = i32(thread) / valueCount;
  let kj = element % kernelWidth;
  let ki = (element / kernelWidth) % kernelHeight;
  let channelsPerGroup = channels / groupCount;
  let cl = (element / (kernelWidth * kernelHeight)) % channelsPerGroup;
  let o = element / (kernelWidth * kernelHeight * channelsPerGroup);
  let c = (o / (outChannels / groupCount)) * channelsPerGroup + cl;
  let firstPosition = chunk * chunkLength;
  let endPosition = min(firstPosition + chunkLength, batch * outputHeight * outputWidth);
  var sum = 0.0;
  for (var p = firstPosition; p < endPosition; p++) {
    let ow = p % outputWidth;
    let oh = (p / outputWidth) % outputHeight;
    let n = p / (outputWidth * outputHeight);
    let h = oh * strideHeight - padTop + ki * dilationHeight;
    let w = ow * strideWidth - padLeft + kj * dilationWidth;
    if (h >= 0 && h < height && w >= 0 && w < width) {
      sum += ${readView(0, x.dtype, 'x', ['n', 'c', 'h', 'w'])} * ${readView(1, dy.dtype, 'dy', ['n', 'o', 'oh', 'ow'])};
    }
  }
  out0[thread] = ${storeFromFloat(sumDtype, 'sum')};`),
    ].join('\n'),
  );
  const meta = [
    batch,
    channels,
    height,
    width,
    outChannels,
    groups,
    ...windowMeta({ ...window, outputHeight, outputWidth }),
    ...viewMeta(x),
    ...viewMeta(dy),
    size,
    chunkLength,
  ];
  const inputs = [viewStorage(x), viewStorage(dy)];
  if (chunks === 1) {
    dispatchThreads(op, source, inputs, [out], size, meta);
    return out;
  }
  const partial = createStorage('float32', size * chunks, op);
  dispatchThreads(op, source, inputs, [partial], size * chunks, meta);
  const total = cachedSource(`conv2dWeightGradient.chunks>${outDtype}`, () =>
    [
      bindingDeclarations(op, ['float32'], [outDtype]),
      threadKernel(`  var sum = 0.0;
  for (var chunk = 0; chunk < dims[1]; chunk++) { sum += in0[chunk * i32(dims[0]) + i32(thread)]; }
  out0[thread] = ${storeFromFloat(outDtype, 'sum')};`),
    ].join('\n'),
  );
  dispatchThreads(op, total, [partial], [out], size, [chunks]);
  releaseStorage(partial);
  return out;
}
