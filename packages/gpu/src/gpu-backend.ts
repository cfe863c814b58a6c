/**
 * The `gpu` backend: every primitive of the tensor core as a gpu.js kernel over float32
 * textures.
 *
 * Storages are 1-D pipeline textures holding `size` float32 values in row-major order; inputs
 * are read through their strides and offset (stride 0 on broadcast axes), so views never copy.
 * The elementwise kernels are gpu.js source generated from `@vane/tensor`'s expressions (the
 * unary op table, BINARY_EXPRESSIONS, fused kernels); the reductions use the binary kernels as
 * their combining step.
 */
import {
  contiguousStrides,
  BINARY_EXPRESSIONS,
  fusedFunction,
  unaryExpressionKernel,
  sizeOf,
  type Backend,
  type BinaryKernelName,
  type DType,
  type ExpressionKernel,
  type FusedKernel,
  type ReductionKind,
  type Shape,
  type TensorView,
  type TypedArray,
  type UnaryKernelName,
  type Window2d,
} from '@vane/tensor';
import { gpuExpressionFunction } from './expression-source.js';
import type { GpuFunctionSource } from './function-source.js';
import { define, refuseFloat64, stored } from './kernel-definition.js';
import { asStorage, deleteTexture, EMPTY, result, textureOf, type GpuStorage } from './storage.js';
import { releasePacks } from './pack-cache.js';
import { coordinates, names, position, viewArguments, viewParameters } from './index-arithmetic.js';
import { countUpload } from './gpu-stats.js';
import { readStorageAsync, readStorageSync } from './readback.js';
import { runKernel, type NativeFunction } from './kernel-runner.js';
import { packedMatmul } from './packed-matmul.js';
import { PendingStorage, pendingElementwise } from './elementwise-fusion.js';
import { quadEligible } from './quad-chain.js';
import { QUAD_VALUE } from './quad-fetch.js';
import { alignedWithOutput, SAME_TEXEL_FETCH, sameTexelAvailable } from './texel-fetch.js';
import { cachedConstant, constantValue, rememberConstant } from './scalar-constants.js';
import { REDUCTION_FAN_IN } from './fan-in.js';
import { argReduceTree } from './arg-reduce.js';
import { cumulativeScan } from './cumulative-scan.js';
import { softmaxGradientRowsOnGpu, softmaxRowsOnGpu } from './softmax-rows.js';

function convert(values: Float32Array, dtype: DType): TypedArray {
  switch (dtype) {
    case 'float32':
      return values.slice();
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
      return Uint8Array.from(values);
    default:
      throw new Error(`gpu.read: float64 is not supported on the gpu backend`);
  }
}

const isRowMajor = (view: TensorView) => {
  let expected = 1;
  for (let axis = view.shape.length - 1; axis >= 0; axis--) {
    if (view.shape[axis] !== 1 && view.strides[axis] !== expected) return false;
    expected *= view.shape[axis]!;
  }
  return true;
};

/** A strided map over `shape`: `expression` may read the views named in `inputs` at `position(name)`. */
function map(
  key: string,
  shape: Shape,
  inputs: readonly { name: string; view: TensorView }[],
  expression: string,
  scalars: readonly { name: string; value: number }[] = [],
  own: readonly GpuFunctionSource[] = [],
  natives: readonly NativeFunction[] = [],
): GpuStorage {
  const size = sizeOf(shape);
  if (size === 0) return EMPTY();
  const rank = shape.length;
  // An input laid out like the output (contiguous, same size) is read at the fragment's own
  // texel, with no index arithmetic; the others through their strides.
  const aligned = inputs.map(({ view }) => sameTexelAvailable() && alignedWithOutput(view, size));
  let body = expression;
  inputs.forEach(({ name }, index) => {
    if (aligned[index]) body = body.split(`${name}[${position(name, rank)}]`).join(`vaneSameTexel(${name})`);
  });
  const parameters = [
    ...inputs.flatMap(({ name }) => [name, ...viewParameters(name, rank)]),
    ...names('d', rank),
    ...scalars.map(({ name }) => name),
  ];
  const values = [
    ...inputs.flatMap(({ view }) => [textureOf(view), ...viewArguments(view)]),
    ...shape,
    ...scalars.map(({ value }) => value),
  ];
  const layout = aligned.some(Boolean) ? `/same${aligned.map(Number).join('')}` : '';
  const texture = runKernel(
    `${key}/rank${rank}${layout}`,
    () => ({
      ...define(parameters, `${coordinates(rank)}\n  return ${body};`, own),
      nativeFunctions: [...(layout ? [SAME_TEXEL_FETCH()] : []), ...natives],
    }),
    size,
    values,
  );
  return result(texture, size);
}

/**
 * True when an elementwise op can join a fused chain (elementwise-fusion.ts): float32 in and
 * out (int32 and bool results need their store conversions), on a WebGL path (chains share
 * operand textures through gpu.js clones), and not empty.
 */
function fusable(inputs: readonly TensorView[], outDtype: DType): boolean {
  return (
    outDtype === 'float32' &&
    inputs.every((view) => view.dtype === 'float32' && sizeOf(view.shape) > 0) &&
    sameTexelAvailable()
  );
}

/**
 * A one-value float32 elementwise op whose operands are all cached scalar constants (whose
 * values scalar-constants.ts knows), computed on the host and handed out as the cached constant
 * of its result: no dispatch, and no upload once that value is cached. Such ops are constants
 * of a step (a backward pass's seed 1 times mean's 1/n, negated), which otherwise run as a
 * one-texel kernel, about 0.2 ms each on llvmpipe whatever its size. The value is `kernel`'s
 * expression compiled to JavaScript, rounded to float32: for one arithmetic op that is the
 * float32 result a GPU gives; for a transcendental or a fused kernel it may differ from the
 * GPU's in the last bits, as the GPU's own functions do from the cpu's. Else undefined.
 */
function foldedConstant(
  kernel: ExpressionKernel,
  inputs: readonly TensorView[],
  scalars: readonly number[],
  shape: Shape,
): GpuStorage | undefined {
  if (sizeOf(shape) !== 1) return undefined;
  const values: number[] = [];
  for (const view of inputs) {
    if (view.data instanceof PendingStorage) return undefined;
    const value = constantValue(asStorage(view.data).texture);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return upload(Float32Array.of(fusedFunction(kernel)(...values, ...scalars)), 'float32');
}

/** The op `fn` over `inputs` as a pending chain. */
function pending(
  fn: GpuFunctionSource,
  inputs: readonly TensorView[],
  scalars: readonly number[],
  shape: Shape,
): GpuStorage {
  const size = sizeOf(shape);
  if (size === 0) return EMPTY();
  const name = /function (\w+)/.exec(fn.source)![1]!;
  return pendingElementwise(fn, name, inputs, scalars, shape, size, map);
}

const read = (name: string, rank: number) => `${name}[${position(name, rank)}]`;

function copy(view: TensorView, dtype: DType): GpuStorage {
  refuseFloat64('copy', dtype);
  const value = read('x', view.shape.length);
  const expression = dtype === 'bool' && view.dtype !== 'bool' ? `vaneToBool(${value})` : stored(value, dtype);
  return map(
    `copy>${dtype === 'bool' && view.dtype !== 'bool' ? 'bool' : dtype}`,
    view.shape,
    [{ name: 'x', view }],
    expression,
  );
}

/** The contiguous storage of a view and its offset, copying only when the view is strided. */
function contiguous(view: TensorView): { texture: unknown; offset: number } {
  if (isRowMajor(view)) return { texture: textureOf(view), offset: view.offset };
  return { texture: copy(view, view.dtype).texture, offset: 0 };
}

function releaseTemporary(original: TensorView, texture: unknown): void {
  if (texture !== asStorage(original.data).texture) deleteTexture(texture);
}

/** Copies `view` into a contiguous texture with its axes in `order`. */
function permuted(view: TensorView, order: readonly number[]): GpuStorage {
  const shape = order.map((axis) => view.shape[axis]!);
  const strides = order.map((axis) => view.strides[axis]!);
  return copy({ ...view, shape, strides }, view.dtype);
}

/**
 * `view` with its axes in `order` as a contiguous run: the view's own storage and offset when
 * that order is already row-major (a sum over the last axis, say), a permuted copy otherwise.
 */
function reducedLast(view: TensorView, order: readonly number[]): { texture: unknown; offset: number } {
  const reordered = {
    ...view,
    shape: order.map((axis) => view.shape[axis]!),
    strides: order.map((axis) => view.strides[axis]!),
  };
  if (isRowMajor(reordered)) return { texture: textureOf(view), offset: view.offset };
  return { texture: permuted(view, order).texture, offset: 0 };
}

// Unary kernels are generated from the op table's forward expressions.
const unaryFunction = (kernel: UnaryKernelName) => {
  const table = unaryExpressionKernel(kernel);
  return gpuExpressionFunction(`vaneUnary_${kernel}`, table.expression, 1, table.scalarCount);
};
const binaryFunction = (kernel: BinaryKernelName) =>
  gpuExpressionFunction(`vaneBinary_${kernel}`, BINARY_EXPRESSIONS[kernel], 2, 0);

const call = (fn: GpuFunctionSource, argumentList: readonly string[]) =>
  `${/function (\w+)/.exec(fn.source)![1]}(${argumentList.slice(0, fn.settings.argumentTypes.length).join(', ')})`;

const REDUCTION_STEP: Record<ReductionKind, BinaryKernelName> = {
  sum: 'add',
  prod: 'mul',
  max: 'maximum',
  min: 'minimum',
  all: 'logicalAnd',
  any: 'logicalOr',
};
const REDUCTION_START: Partial<Record<ReductionKind, number>> = { sum: 0, prod: 1, all: 1, any: 0 };

function reduce(kind: ReductionKind, x: TensorView, axes: readonly number[], outDtype: DType): GpuStorage {
  refuseFloat64('reduce', outDtype);
  const kept = x.shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const outer = sizeOf(kept.map((axis) => x.shape[axis]!));
  const count = sizeOf(axes.map((axis) => x.shape[axis]!));
  if (outer === 0) return EMPTY();
  if (count === 0) {
    const start = REDUCTION_START[kind];
    if (start === undefined)
      throw new Error(
        `gpu.reduce: '${kind}' of an empty axis has no identity (shape [${x.shape.join(',')}], axes [${axes.join(',')}])`,
      );
    return map(`fill>${outDtype}`, [outer], [], 'value', [{ name: 'value', value: start }]);
  }
  // Runs are read in place where the kept axes and the reduced axes each form one strided
  // sequence (a sum over the batch axis of a row-major matrix: runs are its columns, read with
  // the row stride); otherwise the reduced axes are moved last by a permuted copy.
  const runStride = collapsedStride(x, kept);
  const valueStride = collapsedStride(x, axes);
  const inPlace = runStride !== undefined && valueStride !== undefined;
  // A pending chain read in place runs four values per fragment where it can, and the first pass
  // reads it as quads (see quadsForReduction).
  const quads = inPlace ? quadsForReduction(x) : undefined;
  const input = inPlace
    ? { texture: quads ?? textureOf(x), offset: x.offset, runStride, valueStride }
    : { ...reducedLast(x, [...kept, ...axes]), runStride: count, valueStride: 1 };
  let partials: GpuStorage | undefined;
  let layout = { offset: input.offset, runStride: input.runStride, valueStride: input.valueStride };
  let length = count;
  // A tree: each pass reduces runs of at most REDUCTION_FAN_IN values to one partial result, so
  // a reduction of n values takes ⌈log_fanIn n⌉ passes (one for a run of up to fanIn values).
  // Each pass's output is a counted storage (gpuTextureCount) until the next pass has read it.
  do {
    const parts = Math.ceil(length / REDUCTION_FAN_IN);
    const texture = partials?.texture ?? input.texture;
    const quadInput = partials === undefined && quads !== undefined;
    const next = result(reductionPass(kind, texture, quadInput, layout, length, parts, outer, outDtype), outer * parts);
    if (partials !== undefined) deleteTexture(partials.texture);
    partials = next;
    layout = { offset: 0, runStride: parts, valueStride: 1 };
    length = parts;
  } while (length > 1);
  // The quad texture belongs to the pending storage (and asking a pending storage for its
  // one-value texture would convert it).
  if (quads === undefined) releaseTemporary(x, input.texture);
  return partials;
}

/**
 * The four-values-per-texel texture of `x`'s storage (quad-fetch.ts) when it is a pending
 * elementwise chain that can run as quads or already did: the MLP's relu gradient, whose first
 * consumer is the bias gradient's sum over the batch and whose next ones are two matmul packs
 * that read quads. As one value per texel it would run four times the fragments, each reading
 * the blocked product it unpacks with a select over four or eight row textures (with 8×4 blocks
 * 0.8 ms per `[128, 256]` chain on llvmpipe, against about 0.3 ms as quads). A later consumer
 * that needs one value per texel gets a conversion pass (PendingStorage.texture). Undefined
 * otherwise (an uploaded or computed storage, or a chain that cannot run as quads).
 */
function quadsForReduction(x: TensorView): unknown {
  const data = x.data;
  if (!(data instanceof PendingStorage)) return undefined;
  const chain = data.chain;
  if (data.quadsOnly || (chain !== undefined && quadEligible(chain.call, chain.shape))) return data.quads;
  return undefined;
}

/**
 * The one stride that steps through `axes` of `view` in row-major order, or `undefined` when
 * they do not form one strided sequence (axes of extent 1 do not count; no axes: 0).
 */
function collapsedStride(view: TensorView, axes: readonly number[]): number | undefined {
  const used = axes.filter((axis) => view.shape[axis] !== 1);
  if (used.length === 0) return 0;
  for (let index = 0; index + 1 < used.length; index++) {
    const axis = used[index]!;
    const next = used[index + 1]!;
    if (view.strides[axis] !== view.strides[next]! * view.shape[next]!) return undefined;
  }
  return view.strides[used[used.length - 1]!]!;
}

export { REDUCTION_FAN_IN } from './fan-in.js';

/**
 * One pass of a reduction: `outer` runs of `length` values (run r's value i at
 * `offset + r·runStride + i·valueStride`), each cut into `parts` pieces of at most
 * {@link REDUCTION_FAN_IN} values; thread (run, part) combines its piece in order. Returns the
 * `outer × parts` partial results, row-major. With `quad`, `texture` holds four values per texel.
 */
function reductionPass(
  kind: ReductionKind,
  texture: unknown,
  quad: boolean,
  layout: { readonly offset: number; readonly runStride: number; readonly valueStride: number },
  length: number,
  parts: number,
  outer: number,
  outDtype: DType,
): unknown {
  const step = binaryFunction(REDUCTION_STEP[kind]);
  const start = REDUCTION_START[kind];
  // A quad texture holds value i in lane i mod 4 of texel i / 4 (quad-fetch.ts).
  const read = (index: string) => (quad ? `vaneQuadValue(x, ${index})` : `x[${index}]`);
  const body = `const thread = this.thread.x + 0.0;
  const run = Math.floor((thread + 0.5) / parts);
  const part = thread - run * parts;
  const base = xOffset + run * runStride + part * piece * valueStride;
  const count = Math.min(piece, length - part * piece);
  let accumulator = ${start === undefined ? read('base') : `${start}.0`};
  for (let index = ${start === undefined ? 1 : 0}; index < count; index++) {
    accumulator = ${call(step, ['accumulator', read('base + index * valueStride')])};
  }
  return ${stored('accumulator', outDtype)};`;
  return runKernel(
    `reduce${quad ? '-quads' : ''}/${kind}>${outDtype}`,
    () => ({
      ...define(['x', 'xOffset', 'runStride', 'valueStride', 'length', 'parts', 'piece'], body, [step]),
      nativeFunctions: quad ? [QUAD_VALUE()] : [],
    }),
    outer * parts,
    [texture, layout.offset, layout.runStride, layout.valueStride, length, parts, REDUCTION_FAN_IN],
  );
}

function argReduce(kind: 'argmax' | 'argmin', x: TensorView, axis: number): GpuStorage {
  const others = x.shape.map((_, index) => index).filter((index) => index !== axis);
  const outer = sizeOf(others.map((index) => x.shape[index]!));
  if (outer === 0) return EMPTY();
  const input = reducedLast(x, [...others, axis]);
  const indices = argReduceTree(kind, input.texture, input.offset, outer, x.shape[axis]!);
  releaseTemporary(x, input.texture);
  return indices;
}

function cumulative(kind: 'cumsum' | 'cumprod', x: TensorView, axis: number, outDtype: DType): GpuStorage {
  refuseFloat64('cumulative', outDtype);
  const size = sizeOf(x.shape);
  if (size === 0) return EMPTY();
  const length = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const input = contiguous(x);
  const scanned = cumulativeScan(kind, input.texture, input.offset, size / (length * inner), length, inner, outDtype);
  releaseTemporary(x, input.texture);
  return scanned;
}

function matmul(a: TensorView, b: TensorView, outDtype: DType): GpuStorage {
  refuseFloat64('matmul', outDtype);
  return packedMatmul(a, b, outDtype, sameTexelAvailable() ? map : undefined);
}

const WINDOW_PARAMETERS = [
  'kernelHeight',
  'kernelWidth',
  'strideHeight',
  'strideWidth',
  'padTop',
  'padLeft',
  'dilationHeight',
  'dilationWidth',
];
const windowArguments = (window: Window2d) => [
  window.kernelHeight,
  window.kernelWidth,
  window.strideHeight,
  window.strideWidth,
  window.padTop,
  window.padLeft,
  window.dilationHeight,
  window.dilationWidth,
];

/**
 * The im2col matrix of `x` for `window`: row `image·pixels + pixel` holds that output pixel's
 * receptive field, `channels·kernelHeight·kernelWidth` values (zeros in the padding).
 */
function im2colColumns(x: TensorView, window: Window2d): GpuStorage {
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const pixels = window.outputHeight * window.outputWidth;
  const depth = channels * window.kernelHeight * window.kernelWidth;
  const rows = batch * pixels;
  const input = contiguous(x);
  const body = `const flat = this.thread.x + 0.0;
  const row = Math.floor((flat + 0.5) / depth);
  const k = flat - row * depth;
  const image = Math.floor((row + 0.5) / pixels);
  const pixel = row - image * pixels;
  const oh = Math.floor((pixel + 0.5) / outputWidth);
  const ow = pixel - oh * outputWidth;
  const channel = Math.floor((k + 0.5) / (kernelHeight * kernelWidth));
  const within = k - channel * kernelHeight * kernelWidth;
  const ki = Math.floor((within + 0.5) / kernelWidth);
  const kj = within - ki * kernelWidth;
  const h = oh * strideHeight - padTop + ki * dilationHeight;
  const w = ow * strideWidth - padLeft + kj * dilationWidth;
  if (h >= 0 && h < height && w >= 0 && w < width) {
    return x[xOffset + ((image * channels + channel) * height + h) * width + w];
  }
  return 0.0;`;
  const parameters = [
    'x',
    'xOffset',
    'depth',
    'pixels',
    'outputWidth',
    'channels',
    'height',
    'width',
    ...WINDOW_PARAMETERS,
  ];
  const columns = result(
    runKernel('conv2d/im2col', () => define(parameters, body), rows * depth, [
      input.texture,
      input.offset,
      depth,
      pixels,
      window.outputWidth,
      channels,
      height,
      width,
      ...windowArguments(window),
    ]),
    rows * depth,
  );
  releaseTemporary(x, input.texture);
  return columns;
}

/**
 * conv2d as a matmul (groups = 1): the im2col matrix of `x` ({@link im2colColumns}) times the
 * weight seen as `[channels·kernelHeight·kernelWidth, outChannels]` on the packed matmul, and a
 * strided copy from `[batch, pixels, outChannels]` to `[batch, outChannels, h, w]`. Six
 * dispatches against one, but the multiply-adds run in the packed matmul.
 */
function im2colConv2d(x: TensorView, weight: TensorView, window: Window2d, outDtype: DType): GpuStorage {
  const [batch, channels] = x.shape as [number, number, number, number];
  const outChannels = weight.shape[0]!;
  const pixels = window.outputHeight * window.outputWidth;
  const depth = channels * window.kernelHeight * window.kernelWidth;
  const rows = batch * pixels;
  const columns = im2colColumns(x, window);
  const filter = isRowMajor(weight)
    ? { texture: textureOf(weight), offset: weight.offset }
    : { texture: copy(weight, weight.dtype).texture, offset: 0 };
  const columnsView: TensorView = {
    data: columns,
    dtype: 'float32',
    shape: [rows, depth],
    strides: [depth, 1],
    offset: 0,
  };
  // Weight element (o, k) is at o·depth + k: as a [depth, outChannels] matrix, strides [1, depth].
  const weightView: TensorView = {
    data: { texture: filter.texture, size: outChannels * depth },
    dtype: 'float32',
    shape: [depth, outChannels],
    strides: [1, depth],
    offset: filter.offset,
  };
  const product = packedMatmul(columnsView, weightView, 'float32');
  deleteTexture(columns.texture);
  releaseTemporary(weight, filter.texture);
  // product[image, pixel, o] → output[image, o, pixel].
  const productView: TensorView = {
    data: product,
    dtype: 'float32',
    shape: [batch, outChannels, pixels],
    strides: [pixels * outChannels, 1, outChannels],
    offset: 0,
  };
  const output = copy(productView, outDtype);
  deleteTexture(product.texture);
  return output;
}

/**
 * Kernels address their inputs with float arithmetic, exact up to 2^24; the im2col matrix is
 * many times larger than the tensors around it, so the im2col routes take convolutions whose
 * intermediates stay within that, and the direct kernels the rest.
 */
const FLOAT_INDEX_LIMIT = 2 ** 24;

/** True when conv2d's im2col intermediates (the matrix, and per-image products) fit FLOAT_INDEX_LIMIT. */
function im2colFits(batch: number, channels: number, outChannels: number, window: Window2d): boolean {
  const pixels = window.outputHeight * window.outputWidth;
  const depth = channels * window.kernelHeight * window.kernelWidth;
  return (
    pixels > 0 &&
    batch * pixels * Math.max(depth, outChannels) <= FLOAT_INDEX_LIMIT &&
    batch * outChannels * depth <= FLOAT_INDEX_LIMIT
  );
}

function conv2d(x: TensorView, weight: TensorView, window: Window2d, groups: number, outDtype: DType): GpuStorage {
  refuseFloat64('conv2d', outDtype);
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const outChannels = weight.shape[0]!;
  const outShape = [batch, outChannels, window.outputHeight, window.outputWidth];
  const size = sizeOf(outShape);
  if (size === 0) return EMPTY();
  if (groups === 1 && im2colFits(batch, channels, outChannels, window))
    return im2colConv2d(x, weight, window, outDtype);
  const input = contiguous(x);
  const filter = contiguous(weight);
  const body = `${coordinates(4)}
  const groupChannels = channels / groups;
  const group = Math.floor((c1 + 0.5) / (d1 / groups));
  let sum = 0.0;
  for (let channel = 0; channel < groupChannels; channel++) {
    for (let ki = 0; ki < kernelHeight; ki++) {
      const h = c2 * strideHeight - padTop + ki * dilationHeight;
      if (h >= 0 && h < height) {
        for (let kj = 0; kj < kernelWidth; kj++) {
          const w = c3 * strideWidth - padLeft + kj * dilationWidth;
          if (w >= 0 && w < width) {
            sum += x[xOffset + ((c0 * channels + group * groupChannels + channel) * height + h) * width + w] *
              weight[weightOffset + ((c1 * groupChannels + channel) * kernelHeight + ki) * kernelWidth + kj];
          }
        }
      }
    }
  }
  return ${stored('sum', outDtype)};`;
  const parameters = [
    'x',
    'xOffset',
    'weight',
    'weightOffset',
    ...names('d', 4),
    'channels',
    'height',
    'width',
    'groups',
    ...WINDOW_PARAMETERS,
  ];
  const texture = runKernel(`conv2d>${outDtype}`, () => define(parameters, body), size, [
    input.texture,
    input.offset,
    filter.texture,
    filter.offset,
    ...outShape,
    channels,
    height,
    width,
    groups,
    ...windowArguments(window),
  ]);
  releaseTemporary(x, input.texture);
  releaseTemporary(weight, filter.texture);
  return result(texture, size);
}

/**
 * The loop of a convolution's input gradient over the windows that cover input pixel (c2, c3):
 * for each kernel tap (ki, kj) it finds the output pixel (oh, ow) whose window puts that tap on
 * the input pixel (oh·stride = h + pad − k·dilation, when that divides exactly and lies inside
 * the output) and runs `body` there. Shared by col2im and the direct transposed convolution.
 */
function windowsCovering(body: string): string {
  return `for (let ki = 0; ki < kernelHeight; ki++) {
    const th = c2 + padTop - ki * dilationHeight;
    const oh = Math.floor((th + 0.5) / strideHeight);
    if (th >= 0 && th - oh * strideHeight === 0 && oh < outputHeight) {
      for (let kj = 0; kj < kernelWidth; kj++) {
        const tw = c3 + padLeft - kj * dilationWidth;
        const ow = Math.floor((tw + 0.5) / strideWidth);
        if (tw >= 0 && tw - ow * strideWidth === 0 && ow < outputWidth) {
          ${body}
        }
      }
    }
  }`;
}

/**
 * conv2d's input gradient as a matmul (groups = 1): the gradient of the im2col matrix, `dy` as
 * `[batch·pixels, O]` times the weight as `[O, C·kh·kw]` on the packed matmul, then col2im: each
 * input element sums the entries of the rows whose receptive field covers it (at most kh·kw).
 */
function im2colInputGradient(
  dy: TensorView,
  weight: TensorView,
  window: Window2d,
  inputHeight: number,
  inputWidth: number,
  outDtype: DType,
): GpuStorage {
  const batch = dy.shape[0]!;
  const outChannels = weight.shape[0]!;
  const channels = weight.shape[1]!;
  const pixels = window.outputHeight * window.outputWidth;
  const depth = channels * window.kernelHeight * window.kernelWidth;
  const gradient = contiguous(dy);
  // dy[image, o, pixel] as rows (image, pixel) of O values: a [batch, pixels, O] view.
  const gradientView: TensorView = {
    data: { texture: gradient.texture, size: batch * outChannels * pixels },
    dtype: 'float32',
    shape: [batch, pixels, outChannels],
    strides: [outChannels * pixels, 1, pixels],
    offset: gradient.offset,
  };
  const filter = isRowMajor(weight)
    ? { texture: textureOf(weight), offset: weight.offset }
    : { texture: copy(weight, weight.dtype).texture, offset: 0 };
  const weightView: TensorView = {
    data: { texture: filter.texture, size: outChannels * depth },
    dtype: 'float32',
    shape: [batch, outChannels, depth],
    strides: [0, depth, 1],
    offset: filter.offset,
  };
  const columns = packedMatmul(gradientView, weightView, 'float32');
  releaseTemporary(dy, gradient.texture);
  releaseTemporary(weight, filter.texture);
  const outShape = [batch, channels, inputHeight, inputWidth];
  const body = `${coordinates(4)}
  let sum = 0.0;
  ${windowsCovering(
    'sum += columns[((c0 * outputHeight + oh) * outputWidth + ow) * depth + (c1 * kernelHeight + ki) * kernelWidth + kj];',
  )}
  return ${stored('sum', outDtype)};`;
  const parameters = ['columns', ...names('d', 4), 'depth', 'outputHeight', 'outputWidth', ...WINDOW_PARAMETERS];
  const size = sizeOf(outShape);
  const texture = runKernel(`conv2d/col2im>${outDtype}`, () => define(parameters, body), size, [
    columns.texture,
    ...outShape,
    depth,
    window.outputHeight,
    window.outputWidth,
    ...windowArguments(window),
  ]);
  deleteTexture(columns.texture);
  return result(texture, size);
}

function conv2dTransposeInput(
  dy: TensorView,
  weight: TensorView,
  window: Window2d,
  groups: number,
  inputHeight: number,
  inputWidth: number,
  outDtype: DType,
): GpuStorage {
  refuseFloat64('conv2dTransposeInput', outDtype);
  const batch = dy.shape[0]!;
  const outChannels = weight.shape[0]!;
  const groupChannels = weight.shape[1]!;
  const outShape = [batch, groupChannels * groups, inputHeight, inputWidth];
  const size = sizeOf(outShape);
  if (size === 0) return EMPTY();
  if (groups === 1 && outChannels > 0 && im2colFits(batch, groupChannels, outChannels, window))
    return im2colInputGradient(dy, weight, window, inputHeight, inputWidth, outDtype);
  const gradient = contiguous(dy);
  const filter = contiguous(weight);
  // Input pixel h meets output row oh through kernel row ki when oh·stride = h + pad − ki·dilation.
  const body = `${coordinates(4)}
  const groupOutChannels = outChannels / groups;
  const group = Math.floor((c1 + 0.5) / groupChannels);
  const channel = c1 - group * groupChannels;
  let sum = 0.0;
  for (let member = 0; member < groupOutChannels; member++) {
    const o = group * groupOutChannels + member;
    ${windowsCovering(
      `sum += dy[dyOffset + ((c0 * outChannels + o) * outputHeight + oh) * outputWidth + ow] *
              weight[weightOffset + ((o * groupChannels + channel) * kernelHeight + ki) * kernelWidth + kj];`,
    )}
  }
  return ${stored('sum', outDtype)};`;
  const parameters = [
    'dy',
    'dyOffset',
    'weight',
    'weightOffset',
    ...names('d', 4),
    'outChannels',
    'groupChannels',
    'groups',
    'outputHeight',
    'outputWidth',
    ...WINDOW_PARAMETERS,
  ];
  const texture = runKernel(`conv2dTransposeInput>${outDtype}`, () => define(parameters, body), size, [
    gradient.texture,
    gradient.offset,
    filter.texture,
    filter.offset,
    ...outShape,
    outChannels,
    groupChannels,
    groups,
    window.outputHeight,
    window.outputWidth,
    ...windowArguments(window),
  ]);
  releaseTemporary(dy, gradient.texture);
  releaseTemporary(weight, filter.texture);
  return result(texture, size);
}

/**
 * conv2d's weight gradient as a matmul (groups = 1): per image, `dy` as `[outChannels, pixels]`
 * times the im2col matrix `[pixels, channels·kh·kw]` (one batched packed matmul), summed over
 * the batch.
 */
function im2colWeightGradient(x: TensorView, dy: TensorView, window: Window2d, outDtype: DType): GpuStorage {
  const [batch, channels] = x.shape as [number, number, number, number];
  const outChannels = dy.shape[1]!;
  const pixels = window.outputHeight * window.outputWidth;
  const depth = channels * window.kernelHeight * window.kernelWidth;
  const columns = im2colColumns(x, window);
  const gradient = contiguous(dy);
  const gradientView: TensorView = {
    data: { texture: gradient.texture, size: batch * outChannels * pixels },
    dtype: 'float32',
    shape: [batch, outChannels, pixels],
    strides: [outChannels * pixels, pixels, 1],
    offset: gradient.offset,
  };
  const columnsView: TensorView = {
    data: columns,
    dtype: 'float32',
    shape: [batch, pixels, depth],
    strides: [pixels * depth, depth, 1],
    offset: 0,
  };
  const perImage = packedMatmul(gradientView, columnsView, 'float32');
  deleteTexture(columns.texture);
  releaseTemporary(dy, gradient.texture);
  const perImageView: TensorView = {
    data: perImage,
    dtype: 'float32',
    shape: [batch, outChannels * depth],
    strides: [outChannels * depth, 1],
    offset: 0,
  };
  const summed = reduce('sum', perImageView, [0], outDtype);
  deleteTexture(perImage.texture);
  return summed;
}

function conv2dWeightGradient(
  x: TensorView,
  dy: TensorView,
  window: Window2d,
  groups: number,
  outDtype: DType,
): GpuStorage {
  refuseFloat64('conv2dWeightGradient', outDtype);
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const outChannels = dy.shape[1]!;
  const groupChannels = channels / groups;
  const outShape = [outChannels, groupChannels, window.kernelHeight, window.kernelWidth];
  const size = sizeOf(outShape);
  if (size === 0) return EMPTY();
  if (groups === 1 && batch > 0 && im2colFits(batch, channels, outChannels, window))
    return im2colWeightGradient(x, dy, window, outDtype);
  const input = contiguous(x);
  const gradient = contiguous(dy);
  const body = `${coordinates(4)}
  const group = Math.floor((c0 + 0.5) / (outChannels / groups));
  const channel = group * groupChannels + c1;
  let sum = 0.0;
  for (let image = 0; image < batch; image++) {
    for (let oh = 0; oh < outputHeight; oh++) {
      const h = oh * strideHeight - padTop + c2 * dilationHeight;
      if (h >= 0 && h < height) {
        for (let ow = 0; ow < outputWidth; ow++) {
          const w = ow * strideWidth - padLeft + c3 * dilationWidth;
          if (w >= 0 && w < width) {
            sum += x[xOffset + ((image * channels + channel) * height + h) * width + w] *
              dy[dyOffset + ((image * outChannels + c0) * outputHeight + oh) * outputWidth + ow];
          }
        }
      }
    }
  }
  return ${stored('sum', outDtype)};`;
  const parameters = [
    'x',
    'xOffset',
    'dy',
    'dyOffset',
    ...names('d', 4),
    'batch',
    'channels',
    'height',
    'width',
    'outChannels',
    'groupChannels',
    'groups',
    'outputHeight',
    'outputWidth',
    ...WINDOW_PARAMETERS,
  ];
  const texture = runKernel(`conv2dWeightGradient>${outDtype}`, () => define(parameters, body), size, [
    input.texture,
    input.offset,
    gradient.texture,
    gradient.offset,
    ...outShape,
    batch,
    channels,
    height,
    width,
    outChannels,
    groupChannels,
    groups,
    window.outputHeight,
    window.outputWidth,
    ...windowArguments(window),
  ]);
  releaseTemporary(x, input.texture);
  releaseTemporary(dy, gradient.texture);
  return result(texture, size);
}

function pool2d(
  kind: 'max' | 'avg',
  x: TensorView,
  window: Window2d,
  countIncludePad: boolean,
): { values: GpuStorage; indices?: GpuStorage } {
  refuseFloat64('pool2d', x.dtype);
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const outShape = [batch * channels, window.outputHeight, window.outputWidth];
  const size = sizeOf(outShape);
  if (size === 0) return kind === 'max' ? { values: EMPTY(), indices: EMPTY() } : { values: EMPTY() };
  const input = contiguous(x);
  const scan = (inner: string) => `${coordinates(3)}
  const base = xOffset + c0 * height * width;
  let best = 0.0;
  let bestIndex = -1;
  let sum = 0.0;
  let count = 0.0;
  for (let ki = 0; ki < kernelHeight; ki++) {
    const h = c1 * strideHeight - padTop + ki * dilationHeight;
    if (h >= 0 && h < height) {
      for (let kj = 0; kj < kernelWidth; kj++) {
        const w = c2 * strideWidth - padLeft + kj * dilationWidth;
        if (w >= 0 && w < width) {
          ${inner}
        }
      }
    }
  }`;
  const parameters = ['x', 'xOffset', ...names('d', 3), 'height', 'width', ...WINDOW_PARAMETERS];
  const values = [input.texture, input.offset, ...outShape, height, width, ...windowArguments(window)];
  let output: { values: GpuStorage; indices?: GpuStorage };
  if (kind === 'max') {
    // NaN wins and stops the scan; an all-padding window gives −∞ on the CPU, −3.4e38 here.
    const inner = `const value = x[base + h * width + w];
          if (bestIndex < 0 || value > best || value !== value) {
            if (best === best || bestIndex < 0) {
              best = value;
              bestIndex = h * width + w;
            }
          }`;
    const best = runKernel(
      `pool2d/max/values`,
      () => define(parameters, `${scan(inner)}\n  return bestIndex < 0 ? -3.4e38 : best;`),
      size,
      values,
    );
    const indices = runKernel(
      `pool2d/max/indices`,
      () => define(parameters, `${scan(inner)}\n  return bestIndex;`),
      size,
      values,
    );
    output = { values: result(best, size), indices: result(indices, size) };
  } else {
    // A float counter: gpu.js does not carry an integer `count++` into the division below.
    const inner = `sum += x[base + h * width + w];
          count += 1.0;`;
    const divisor = countIncludePad ? 'kernelHeight * kernelWidth' : 'Math.max(count, 1)';
    const averages = runKernel(
      `pool2d/avg/${countIncludePad}`,
      () => define(parameters, `${scan(inner)}\n  return sum / (${divisor});`),
      size,
      values,
    );
    output = { values: result(averages, size) };
  }
  releaseTemporary(x, input.texture);
  return output;
}

function gather(x: TensorView, axis: number, index: TensorView): GpuStorage {
  const rank = index.shape.length;
  const chosen = read('index', rank);
  return map(
    `gather/axis${axis}>${x.dtype}`,
    index.shape,
    [
      { name: 'x', view: x },
      { name: 'index', view: index },
    ],
    `x[${position('x', rank, { [axis]: chosen })}]`,
  );
}

function scatterAdd(target: TensorView, axis: number, index: TensorView, source: TensorView): GpuStorage {
  const rank = target.shape.length;
  const size = sizeOf(target.shape);
  if (size === 0) return EMPTY();
  // Each output element sums the sources whose index along `axis` points at it.
  const inRange = target.shape
    .map((_, dimension) => (dimension === axis ? '' : `c${dimension} < indexShape${dimension}`))
    .filter(Boolean)
    .join(' && ');
  const body = `${coordinates(rank)}
  let sum = 0.0;
  if (${inRange || 'true'}) {
    for (let along = 0; along < indexShape${axis}; along++) {
      if (index[${position('index', rank, { [axis]: 'along' })}] === c${axis}) {
        sum += source[${position('source', rank, { [axis]: 'along' })}];
      }
    }
  }
  return ${stored(`target[${position('target', rank)}] + sum`, target.dtype)};`;
  const parameters = [
    'target',
    ...viewParameters('target', rank),
    'index',
    ...viewParameters('index', rank),
    'source',
    ...viewParameters('source', rank),
    ...names('d', rank),
    ...names('indexShape', rank),
  ];
  const texture = runKernel(
    `scatterAdd/axis${axis}>${target.dtype}/rank${rank}`,
    () => define(parameters, body),
    size,
    [
      textureOf(target),
      ...viewArguments(target),
      textureOf(index),
      ...viewArguments(index),
      textureOf(source),
      ...viewArguments(source),
      ...target.shape,
      ...index.shape,
    ],
  );
  return result(texture, size);
}

// Texture units are few (16 in WebGL2's minimum), so long concatenations go in groups.
const CONCAT_GROUP = 6;

function concat(inputs: readonly TensorView[], axis: number, outShape: Shape, outDtype: DType): GpuStorage {
  refuseFloat64('concat', outDtype);
  const size = sizeOf(outShape);
  if (size === 0) return EMPTY();
  const present = inputs.filter((input) => sizeOf(input.shape) > 0);
  if (present.length > CONCAT_GROUP) {
    const parts: TensorView[] = [];
    for (let start = 0; start < present.length; start += CONCAT_GROUP) {
      const group = present.slice(start, start + CONCAT_GROUP);
      const shape = [...outShape];
      shape[axis] = group.reduce((total, input) => total + input.shape[axis]!, 0);
      const strides = contiguousStrides(shape);
      parts.push({ data: concat(group, axis, shape, outDtype), dtype: outDtype, shape, strides, offset: 0 });
    }
    const joined = concat(parts, axis, outShape, outDtype);
    for (const part of parts) deleteTexture(asStorage(part.data).texture);
    return joined;
  }
  const rank = outShape.length;
  const inputNames = present.map((_, position) => `input${position}`);
  let expression = '0.0';
  for (let position_ = present.length - 1; position_ >= 0; position_--) {
    const name = inputNames[position_]!;
    const value = `${name}[${position(name, rank, { [axis]: `c${axis} - ${name}Start` })}]`;
    expression =
      position_ === present.length - 1
        ? value
        : `(c${axis} < ${inputNames[position_ + 1]}Start ? ${value} : ${expression})`;
  }
  const parameters = [
    ...inputNames.flatMap((name) => [name, ...viewParameters(name, rank), `${name}Start`]),
    ...names('d', rank),
  ];
  let start = 0;
  const values: unknown[] = [];
  for (const input of present) {
    values.push(textureOf(input), ...viewArguments(input), start);
    start += input.shape[axis]!;
  }
  values.push(...outShape);
  const body = `${coordinates(rank)}\n  return ${stored(expression, outDtype)};`;
  const texture = runKernel(
    `concat/${present.length}/axis${axis}>${outDtype}/rank${rank}`,
    () => define(parameters, body),
    size,
    values,
  );
  return result(texture, size);
}

function pad(x: TensorView, pads: readonly (readonly [number, number])[], value: number, outDtype: DType): GpuStorage {
  refuseFloat64('pad', outDtype);
  const rank = x.shape.length;
  const outShape = x.shape.map((dimension, axis) => dimension + pads[axis]![0] + pads[axis]![1]);
  const shifted: Record<number, string> = {};
  const inside: string[] = [];
  for (let axis = 0; axis < rank; axis++) {
    shifted[axis] = `c${axis} - before${axis}`;
    inside.push(`c${axis} >= before${axis} && c${axis} < before${axis} + inputShape${axis}`);
  }
  const size = sizeOf(outShape);
  if (size === 0) return EMPTY();
  const body = `${coordinates(rank)}
  if (${inside.join(' && ') || 'true'}) {
    return ${stored(`x[${position('x', rank, shifted)}]`, outDtype)};
  }
  return fill;`;
  const parameters = [
    'x',
    ...viewParameters('x', rank),
    ...names('d', rank),
    ...names('before', rank),
    ...names('inputShape', rank),
    'fill',
  ];
  const texture = runKernel(`pad>${outDtype}/rank${rank}`, () => define(parameters, body), size, [
    sizeOf(x.shape) === 0 ? EMPTY_TEXTURE_PLACEHOLDER() : textureOf(x),
    ...viewArguments(x),
    ...outShape,
    ...pads.map(([before]) => before),
    ...x.shape,
    value,
  ]);
  return result(texture, size);
}

// Padding an empty tensor still needs a texture argument, never read.
let placeholder: GpuStorage | undefined;
function EMPTY_TEXTURE_PLACEHOLDER(): unknown {
  placeholder ??= upload(new Float32Array(1), 'float32');
  return placeholder.texture;
}

/** True when every value equals the first, a finite number other than −0 (Object.is: −0 is not 0). */
function isConstantFill(values: Float32Array): boolean {
  const first = values[0]!;
  if (!Number.isFinite(first) || Object.is(first, -0)) return false;
  for (let index = 1; index < values.length; index++) if (!Object.is(values[index], first)) return false;
  return true;
}

function upload(values: TypedArray, dtype: DType): GpuStorage {
  refuseFloat64('upload', dtype);
  if (values.length === 0) return EMPTY();
  const floats = values instanceof Float32Array ? values : Float32Array.from(values);
  // One value is a scalar constant (an operand like `lr` in `g.mul(lr)`): it stays on the device.
  if (floats.length === 1) {
    const cached = cachedConstant(floats[0]!);
    if (cached !== undefined) return result(cached, 1);
  }
  // A constant fill (zeros for a gradient accumulator, ones for a seed) is drawn on the device
  // from one uniform: a dispatch, not a host copy. Non-finite values keep the plain upload.
  if (floats.length > 1 && isConstantFill(floats))
    return map('fill', [floats.length], [], 'value', [{ name: 'value', value: floats[0]! }]);
  countUpload();
  const texture = runKernel('upload', () => define(['values'], 'return values[this.thread.x];'), floats.length, [
    floats,
  ]);
  if (floats.length === 1) rememberConstant(floats[0]!, texture);
  return result(texture, floats.length);
}

/**
 * Creates the `gpu` backend. The gpu.js device is created on the first primitive, so creating
 * (and registering) the backend never fails; using it without a graphics path throws.
 *
 * @example
 * registerBackend(createGpuBackend()); setBackend('gpu');
 */
export function createGpuBackend(): Backend {
  return {
    name: 'gpu',
    // The synchronous read blocks on the device; `read` does not where WebGL2 fences exist (readback.ts).
    supportsSyncRead: true,
    upload,
    read: async (data, dtype, size) => convert((await readStorageAsync(asStorage(data))).subarray(0, size), dtype),
    readSync: (data, dtype, size) => convert(readStorageSync(asStorage(data)).subarray(0, size), dtype),
    release(data) {
      if (data instanceof PendingStorage) {
        data.release();
        return;
      }
      const storage = asStorage(data);
      releasePacks(storage);
      deleteTexture(storage.texture);
      storage.texture = undefined;
    },
    copy,
    unary(kernel, x, outDtype, parameter) {
      refuseFloat64(kernel, outDtype);
      const fn = unaryFunction(kernel);
      if (fusable([x], outDtype))
        return (
          foldedConstant(unaryExpressionKernel(kernel), [x], [parameter], x.shape) ??
          pending(fn, [x], [parameter], x.shape)
        );
      return map(
        `unary/${kernel}>${outDtype}`,
        x.shape,
        [{ name: 'x', view: x }],
        stored(call(fn, [read('x', x.shape.length), 'parameter']), outDtype),
        [{ name: 'parameter', value: parameter }],
        [fn],
      );
    },
    binary(kernel, a, b, outShape, outDtype) {
      refuseFloat64(kernel, outDtype);
      const fn = binaryFunction(kernel);
      const rank = outShape.length;
      if (fusable([a, b], outDtype))
        return (
          foldedConstant(
            { name: kernel, arity: 2, scalarCount: 0, expression: BINARY_EXPRESSIONS[kernel] },
            [a, b],
            [],
            outShape,
          ) ?? pending(fn, [a, b], [], outShape)
        );
      return map(
        `binary/${kernel}>${outDtype}`,
        outShape,
        [
          { name: 'a', view: a },
          { name: 'b', view: b },
        ],
        stored(call(fn, [read('a', rank), read('b', rank)]), outDtype),
        [],
        [fn],
      );
    },
    where(condition, a, b, outShape, outDtype) {
      refuseFloat64('where', outDtype);
      const rank = outShape.length;
      return map(
        `where>${outDtype}`,
        outShape,
        [
          { name: 'condition', view: condition },
          { name: 'a', view: a },
          { name: 'b', view: b },
        ],
        stored(`(${read('condition', rank)} !== 0 ? ${read('a', rank)} : ${read('b', rank)})`, outDtype),
      );
    },
    fused(kernel: FusedKernel, inputs, scalars, outDtype) {
      refuseFloat64(kernel.name, outDtype);
      const name = `vaneFused_${kernel.name.replace(/[^\w]/g, '_')}`;
      // Generated from the kernel's expression tree (no function text is read).
      const fn = gpuExpressionFunction(name, kernel.expression, kernel.arity, kernel.scalarCount);
      if (fusable(inputs, outDtype))
        return (
          foldedConstant(kernel, inputs, scalars, inputs[0]!.shape) ?? pending(fn, inputs, scalars, inputs[0]!.shape)
        );
      const rank = inputs[0]!.shape.length;
      const inputNames = inputs.map((_, position_) => `input${position_}`);
      const scalarNames = scalars.map((_, position_) => `scalar${position_}`);
      return map(
        `fused/${kernel.name}/${inputs.length}/${scalars.length}>${outDtype}`,
        inputs[0]!.shape,
        inputs.map((view, position_) => ({ name: inputNames[position_]!, view })),
        stored(call(fn, [...inputNames.map((input) => read(input, rank)), ...scalarNames]), outDtype),
        scalars.map((value, position_) => ({ name: scalarNames[position_]!, value })),
        [fn],
      );
    },
    softmaxRows: softmaxRowsOnGpu,
    softmaxGradientRows: softmaxGradientRowsOnGpu,
    reduce,
    argReduce,
    cumulative,
    matmul,
    conv2d,
    conv2dTransposeInput,
    conv2dWeightGradient,
    pool2d,
    gather,
    scatterAdd,
    concat,
    pad,
  };
}
