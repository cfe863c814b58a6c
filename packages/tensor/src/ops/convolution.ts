/**
 * Convolutions in NCHW layout, as PyTorch: conv1d, conv2d, convTranspose2d, plus the two
 * gradient helpers autodiff uses (`conv2dInputGradient`, `conv2dWeightGradient`).
 */
import type { Window2d } from '../backend.js';
import { isFloatingDType } from '../dtype.js';
import { isRecording, recordOp } from '../engine.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { add } from './elementwise.js';
import { checkOptionKeys, describeValue } from '../validation/option-keys.js';
import { checkTensor, commonBackend, wrapStorage } from './internal.js';
import { reshape, squeeze, unsqueeze } from './movement.js';
import { makeWindow, type Pair, type Padding } from './window.js';

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  groups?: number;
  /** Added per output channel: shape `[outChannels]`. */
  bias?: Tensor;
}

/** The option names of conv1d and conv2d. */
const CONV_OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'bias'] as const;

function checkFloat(op: string, name: string, t: Tensor): void {
  if (!isFloatingDType(t.dtype)) throw new Error(`${op}: '${name}' must be float32 or float64, got ${t.dtype}`);
}

function addBias(op: string, out: Tensor, bias: Tensor | undefined, channels: number, rank: number): Tensor {
  if (!bias) return out;
  checkTensor(op, 'bias', bias);
  if (bias.ndim !== 1 || bias.shape[0] !== channels) {
    throw new Error(`${op}: 'bias' has shape ${formatShape(bias.shape)}, expected [${channels}]`);
  }
  return add(out, reshape(bias, [channels, ...new Array<number>(rank - 2).fill(1)]));
}

/** `out` plus the bias; the bias-free `out` is freed unless a recording tape may need it. */
function withBias(op: string, out: Tensor, bias: Tensor, channels: number): Tensor {
  const result = composite(() => addBias(op, out, bias, channels, 4));
  if (!isRecording()) out.dispose();
  return result;
}

/**
 * 2-D convolution (cross-correlation, as every framework): `x` `[N, C, H, W]`, `weight`
 * `[O, C/groups, kh, kw]` → `[N, O, outH, outW]`.
 *
 * @example
 * conv2d(x, w, { stride: 2, padding: 'same', bias: b })
 */
export function conv2d(x: Tensor, weight: Tensor, options: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  checkOptionKeys(op, options, CONV_OPTIONS);
  checkTensor(op, 'x', x);
  checkTensor(op, 'weight', weight);
  commonBackend(op, [x, weight], ['x', 'weight']);
  checkFloat(op, 'x', x);
  if (x.ndim !== 4) throw new Error(`${op}: 'x' has shape ${formatShape(x.shape)}, expected [N,C,H,W]`);
  if (weight.ndim !== 4)
    throw new Error(`${op}: 'weight' has shape ${formatShape(weight.shape)}, expected [O,C/groups,kh,kw]`);
  if (weight.dtype !== x.dtype) throw new Error(`${op}: 'weight' is ${weight.dtype} but 'x' is ${x.dtype}`);
  const groups = options.groups ?? 1;
  const [, channels, height, width] = x.shape as [number, number, number, number];
  const outChannels = weight.shape[0]!;
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(
      `${op}: 'groups' ${groups} must divide the input channels (${channels}) and output channels (${outChannels})`,
    );
  }
  if (weight.shape[1] !== channels / groups) {
    throw new Error(
      `${op}: 'weight' has shape ${formatShape(weight.shape)}, expected [${outChannels},${channels / groups},*,*] for 'x' ${formatShape(x.shape)} with groups=${groups}`,
    );
  }
  const window = makeWindow(op, height, width, [weight.shape[2]!, weight.shape[3]!], options);
  const data = x.backend.conv2d(x.view(), weight.view(), window, groups, x.dtype);
  const out = wrapStorage(
    x.backend,
    data,
    [x.shape[0]!, outChannels, window.outputHeight, window.outputWidth],
    x.dtype,
  );
  recordOp('conv2d', [x, weight], out, { window, groups });
  return options.bias ? withBias(op, out, options.bias, outChannels) : out;
}

/** Options of {@link conv1d}: as conv2d, per single axis. */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'valid' | 'same' | readonly [number, number];
  dilation?: number;
  groups?: number;
  bias?: Tensor;
}

/** 1-D convolution: `x` `[N, C, L]`, `weight` `[O, C/groups, k]` → `[N, O, outL]`. */
export function conv1d(x: Tensor, weight: Tensor, options: Conv1dOptions = {}): Tensor {
  const op = 'conv1d';
  checkOptionKeys(op, options, CONV_OPTIONS);
  checkTensor(op, 'x', x);
  checkTensor(op, 'weight', weight);
  if (x.ndim !== 3) throw new Error(`${op}: 'x' has shape ${formatShape(x.shape)}, expected [N,C,L]`);
  if (weight.ndim !== 3)
    throw new Error(`${op}: 'weight' has shape ${formatShape(weight.shape)}, expected [O,C/groups,k]`);
  // Checked here so that errors name conv1d and its 3-D shapes rather than the inner conv2d.
  commonBackend(op, [x, weight], ['x', 'weight']);
  const groups = options.groups ?? 1;
  const [channels, outChannels] = [x.shape[1]!, weight.shape[0]!];
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(
      `${op}: 'groups' ${groups} must divide the input channels (${channels}) and output channels (${outChannels})`,
    );
  }
  if (weight.shape[1] !== channels / groups) {
    throw new Error(
      `${op}: 'weight' has shape ${formatShape(weight.shape)}, expected [${outChannels},${channels / groups},*] for 'x' ${formatShape(x.shape)} with groups=${groups}`,
    );
  }
  if (options.bias) {
    checkTensor(op, 'bias', options.bias);
    if (options.bias.ndim !== 1 || options.bias.shape[0] !== outChannels) {
      throw new Error(`${op}: 'bias' has shape ${formatShape(options.bias.shape)}, expected [${outChannels}]`);
    }
  }
  // Checked here, in conv1d's one-axis terms, so that no error names the inner conv2d.
  const stride = oneAxisInteger(op, 'stride', options.stride ?? 1, 1);
  const dilation = oneAxisInteger(op, 'dilation', options.dilation ?? 1, 1);
  const padding = options.padding ?? 0;
  let before: number;
  let after: number;
  if (padding === 'same') [before, after] = sameSplit(x.shape[2]!, weight.shape[2]!, stride, dilation);
  else if (padding === 'valid') [before, after] = [0, 0];
  else if (typeof padding === 'number') before = after = oneAxisInteger(op, 'padding', padding, 0);
  else if (
    Array.isArray(padding) &&
    padding.length === 2 &&
    padding.every((side) => Number.isInteger(side) && side >= 0)
  )
    [before, after] = padding;
  else
    throw new Error(
      `${op}: 'padding' must be an integer ≥ 0, a pair [before, after] of them, 'valid' or 'same', got ${describeValue(padding)}`,
    );
  const extent = (weight.shape[2]! - 1) * dilation + 1;
  if (x.shape[2]! + before + after < extent) {
    throw new Error(
      `${op}: kernel ${weight.shape[2]} (dilation ${dilation}) does not fit input ${x.shape[2]} with padding [${before},${after}]`,
    );
  }
  return composite(() => {
    const out = conv2d(unsqueeze(x, 2), unsqueeze(weight, 2), {
      stride: [1, stride],
      dilation: [1, dilation],
      padding: [0, 0, before, after],
      groups: options.groups,
      bias: options.bias,
    });
    return squeeze(out, 2);
  });
}

/** A one-axis integer option of conv1d (stride, dilation, padding) of at least `minimum`. */
function oneAxisInteger(op: string, name: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new Error(`${op}: '${name}' must be an integer ≥ ${minimum}, got ${describeValue(value)}`);
  }
  return value;
}

function sameSplit(length: number, kernel: number, stride: number, dilation: number): [number, number] {
  const total = Math.max((Math.ceil(length / stride) - 1) * stride + (kernel - 1) * dilation + 1 - length, 0);
  return [Math.floor(total / 2), Math.ceil(total / 2)];
}

/**
 * The gradient of conv2d with respect to its input, also known as the transposed convolution:
 * `dy` `[N, O, outH, outW]`, `weight` `[O, C/groups, kh, kw]` → `[N, C, inputHeight, inputWidth]`.
 */
export function conv2dInputGradient(
  dy: Tensor,
  weight: Tensor,
  window: Window2d,
  groups: number,
  inputHeight: number,
  inputWidth: number,
): Tensor {
  const op = 'conv2dInputGradient';
  checkTensor(op, 'dy', dy);
  checkTensor(op, 'weight', weight);
  const data = dy.backend.conv2dTransposeInput(
    dy.view(),
    weight.view(),
    window,
    groups,
    inputHeight,
    inputWidth,
    dy.dtype,
  );
  const out = wrapStorage(
    dy.backend,
    data,
    [dy.shape[0]!, weight.shape[1]! * groups, inputHeight, inputWidth],
    dy.dtype,
  );
  return recordOp('conv2dTransposeInput', [dy, weight], out, { window, groups, inputHeight, inputWidth });
}

/**
 * The gradient of conv2d with respect to its weight: Σₙ dy ⋆ x, shape `[O, C/groups, kh, kw]`.
 * Recorded like any op, so second derivatives flow through a convolution's weight.
 */
export function conv2dWeightGradient(x: Tensor, dy: Tensor, window: Window2d, groups: number): Tensor {
  const op = 'conv2dWeightGradient';
  checkTensor(op, 'x', x);
  checkTensor(op, 'dy', dy);
  const data = x.backend.conv2dWeightGradient(x.view(), dy.view(), window, groups, x.dtype);
  const out = wrapStorage(
    x.backend,
    data,
    [dy.shape[1]!, x.shape[1]! / groups, window.kernelHeight, window.kernelWidth],
    x.dtype,
  );
  return recordOp('conv2dWeightGradient', [x, dy], out, { window, groups });
}

/** Options of {@link convTranspose2d}. */
export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Extra rows/columns added at the bottom/right of the output (less than the stride). */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: Tensor;
}

/**
 * Transposed 2-D convolution, as PyTorch's conv_transpose2d: `x` `[N, Cin, H, W]`, `weight`
 * `[Cin, Cout/groups, kh, kw]` → `[N, Cout, outH, outW]` with
 * outH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
 */
export function convTranspose2d(x: Tensor, weight: Tensor, options: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  checkOptionKeys(op, options, ['stride', 'padding', 'outputPadding', 'dilation', 'groups', 'bias']);
  checkTensor(op, 'x', x);
  checkTensor(op, 'weight', weight);
  commonBackend(op, [x, weight], ['x', 'weight']);
  checkFloat(op, 'x', x);
  if (x.ndim !== 4) throw new Error(`${op}: 'x' has shape ${formatShape(x.shape)}, expected [N,C,H,W]`);
  if (weight.ndim !== 4 || weight.shape[0] !== x.shape[1]) {
    throw new Error(
      `${op}: 'weight' has shape ${formatShape(weight.shape)}, expected [${x.shape[1]},Cout/groups,kh,kw]`,
    );
  }
  if (weight.dtype !== x.dtype) throw new Error(`${op}: 'weight' is ${weight.dtype} but 'x' is ${x.dtype}`);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1 || x.shape[1]! % groups !== 0) {
    throw new Error(
      `${op}: 'groups' ${groups} must divide the input channels (${x.shape[1]}) of 'x' ${formatShape(x.shape)}`,
    );
  }
  const pair = (value: Pair | undefined, fallback: number, name: string, minimum: number): [number, number] => {
    const values =
      value === undefined ? [fallback, fallback] : typeof value === 'number' ? [value, value] : [value[0], value[1]];
    if (values.some((v) => !Number.isInteger(v) || v < minimum)) {
      throw new Error(
        `${op}: '${name}' must be an integer ≥ ${minimum} or a pair of them, got ${describeValue(value)}`,
      );
    }
    return values as [number, number];
  };
  const [strideHeight, strideWidth] = pair(options.stride, 1, 'stride', 1);
  const [padHeight, padWidth] = pair(options.padding, 0, 'padding', 0);
  const [extraHeight, extraWidth] = pair(options.outputPadding, 0, 'outputPadding', 0);
  const [dilationHeight, dilationWidth] = pair(options.dilation, 1, 'dilation', 1);
  if (extraHeight >= Math.max(strideHeight, dilationHeight) || extraWidth >= Math.max(strideWidth, dilationWidth)) {
    throw new Error(
      `${op}: 'outputPadding' [${extraHeight},${extraWidth}] must be smaller than the stride or the dilation`,
    );
  }
  const [kernelHeight, kernelWidth] = [weight.shape[2]!, weight.shape[3]!];
  const outHeight =
    (x.shape[2]! - 1) * strideHeight - 2 * padHeight + dilationHeight * (kernelHeight - 1) + extraHeight + 1;
  const outWidth = (x.shape[3]! - 1) * strideWidth - 2 * padWidth + dilationWidth * (kernelWidth - 1) + extraWidth + 1;
  if (outHeight <= 0 || outWidth <= 0) throw new Error(`${op}: the output would be ${outHeight}x${outWidth}`);
  // The forward convolution from the output space back to x's space has this window.
  const window: Window2d = {
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    padTop: padHeight,
    padBottom: padHeight,
    padLeft: padWidth,
    padRight: padWidth,
    dilationHeight,
    dilationWidth,
    outputHeight: x.shape[2]!,
    outputWidth: x.shape[3]!,
  };
  const out = conv2dInputGradient(x, weight, window, groups, outHeight, outWidth);
  return options.bias ? withBias(op, out, options.bias, weight.shape[1]! * groups) : out;
}

declare module '../tensor.js' {
  interface Tensor {
    conv2d(weight: Tensor, options?: Conv2dOptions): Tensor;
  }
}
Tensor.prototype.conv2d = function (this: Tensor, weight: Tensor, options?: Conv2dOptions) {
  return conv2d(this, weight, options);
};
