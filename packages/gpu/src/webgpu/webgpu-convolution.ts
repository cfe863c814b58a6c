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
 * - `conv2dWeightGradient`: one workgroup per weight value, its threads splitting the
 *   batch × output positions that the value is summed over, then a tree sum in workgroup
 *   memory — or, for weights of many values, one thread per value; fixed orders again, so
 *   results are deterministic.
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
import {
  bindingDeclarations,
  cachedSource,
  dispatch,
  dispatchThreads,
  THREADS_PER_WORKGROUP,
  threadKernel,
} from './webgpu-dispatch.js';
import { readAsFloat, storeFromFloat } from './webgpu-elementwise.js';
import { createStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
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
 * Below this many weight values the weight gradient takes a workgroup per value (threads split
 * the sum, so a few values still occupy the device); from it on, one thread per value (enough
 * threads to fill a GPU, and no barriers: SwiftShader runs a barrier-synchronised workgroup per
 * value about 100 times slower, 26 s for 65,792 values where a thread per value takes
 * milliseconds). It also keeps the workgroup grid below WebGPU's 65,535 per dimension.
 */
export const WEIGHT_GRADIENT_WORKGROUP_LIMIT = 16_384;

/** WGSL of the weight gradient's sum for weight value `element` into `sum`, positions `first`, `first + step`, …. */
function weightGradientSum(x: TensorView, dy: TensorView, first: string, step: string): string {
  return `    let kj = element % kernelWidth;
    let ki = (element / kernelWidth) % kernelHeight;
    let channelsPerGroup = channels / groupCount;
    let cl = (element / (kernelWidth * kernelHeight)) % channelsPerGroup;
    let o = element / (kernelWidth * kernelHeight * channelsPerGroup);
    let c = (o / (outChannels / groupCount)) * channelsPerGroup + cl;
    let positions = batch * outputHeight * outputWidth;
    for (var p = ${first}; p < positions; p += ${step}) {
      let ow = p % outputWidth;
      let oh = (p / outputWidth) % outputHeight;
      let n = p / (outputWidth * outputHeight);
      let h = oh * strideHeight - padTop + ki * dilationHeight;
      let w = ow * strideWidth - padLeft + kj * dilationWidth;
      if (h >= 0 && h < height && w >= 0 && w < width) {
        sum += ${readView(0, x.dtype, 'x', ['n', 'c', 'h', 'w'])} * ${readView(1, dy.dtype, 'dy', ['n', 'o', 'oh', 'ow'])};
      }
    }`;
}

/**
 * The gradient of conv2d with respect to its weight: `[O, C/groups, kh, kw]`, each value
 * Σ over images and output positions of `x · dy`. Below {@link WEIGHT_GRADIENT_WORKGROUP_LIMIT}
 * values, one workgroup per value: its threads take every {@link THREADS_PER_WORKGROUP}-th
 * (image, output position) and a tree sum in workgroup memory adds their partial sums; from it
 * on, one thread per value sums in order. Both orders are fixed: results are deterministic.
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
  const outChannels = dy.shape[1]!;
  const shape = [outChannels, channels / groups, window.kernelHeight, window.kernelWidth];
  const size = sizeOf(shape);
  const out = createStorage(outDtype, size, op);
  if (size === 0) return out;
  const names = [...GEOMETRY_NAMES, ...viewNames('x'), ...viewNames('dy')];
  const perWorkgroup = size < WEIGHT_GRADIENT_WORKGROUP_LIMIT;
  const key = `conv2dWeightGradient|${perWorkgroup ? 'workgroup' : 'thread'}|${x.dtype},${dy.dtype}>${outDtype}`;
  const source = cachedSource(key, () => {
    const bindings = bindingDeclarations(op, [x.dtype, dy.dtype], [outDtype]);
    if (!perWorkgroup)
      return [
        bindings,
        threadKernel(`${dimsLets(names)}
  let element = i32(thread);
  var sum = 0.0;
  {
${weightGradientSum(x, dy, '0', '1')}
  }
  out0[thread] = ${storeFromFloat(outDtype, 'sum')};`),
      ].join('\n');
    return [
      bindings,
      `var<workgroup> partial: array<f32, ${THREADS_PER_WORKGROUP}>;
@compute @workgroup_size(${THREADS_PER_WORKGROUP})
fn main(@builtin(workgroup_id) workgroup: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
${dimsLets(names)}
  let element = i32(workgroup.x);
  var sum = 0.0;
  {
${weightGradientSum(x, dy, 'i32(lane)', String(THREADS_PER_WORKGROUP))}
  }
  partial[lane] = sum;
  workgroupBarrier();
  for (var span = ${THREADS_PER_WORKGROUP / 2}u; span > 0u; span = span / 2u) {
    if (lane < span) { partial[lane] += partial[lane + span]; }
    workgroupBarrier();
  }
  if (lane == 0u) { out0[element] = ${storeFromFloat(outDtype, 'partial[0]')}; }
}`,
    ].join('\n');
  });
  const meta = [
    batch,
    channels,
    height,
    width,
    outChannels,
    groups,
    ...windowMeta({ ...window, outputHeight: dy.shape[2]!, outputWidth: dy.shape[3]! }),
    ...viewMeta(x),
    ...viewMeta(dy),
  ];
  const inputs = [viewStorage(x), viewStorage(dy)];
  if (perWorkgroup) dispatch({ op, source, inputs, outputs: [out], meta: [size, ...meta], workgroups: [size, 1, 1] });
  else dispatchThreads(op, source, inputs, [out], size, meta);
  return out;
}
