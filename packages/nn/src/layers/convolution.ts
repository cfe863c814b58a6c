/**
 * Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose2d`.
 *
 * Source: `packages/nn/src/layers/convolution.ts`.
 */
import {
  checkOptionKeys,
  conv1d,
  conv2d,
  convTranspose2d,
  formatShape,
  type DType,
  type Padding,
  type Pair,
  type RandomGenerator,
  type Tensor,
} from '@vane/tensor';
import { computeFans } from '../initializers/fan.js';
import { kaimingUniform, uniform } from '../initializers/initializers.js';
import { Module, parameter, type ParameterTree } from '../module.js';
import { checkParameterDType, checkPositiveInteger } from '../validation.js';

/** Options shared by the convolution layers. */
export interface ConvolutionOptions {
  stride?: Pair;
  /** Zero padding per side, or `'same'`/`'valid'` (not for ConvTranspose2d). */
  padding?: Padding;
  dilation?: Pair;
  /** Split channels into this many independent groups (default 1). */
  groups?: number;
  /** Add a learned bias per output channel (default true). */
  bias?: boolean;
  generator?: RandomGenerator;
  dtype?: DType;
}

function pair(value: Pair): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

// PyTorch's default for every convolution: W ~ kaiming_uniform(a=√5) = U(±1/√fanIn),
// b ~ U(±1/√fanIn), with fanIn computed from the weight's shape[1]·kh·kw.
function initialize(
  register: (name: string, value: Tensor) => void,
  weightShape: number[],
  bias: number,
  options: ConvolutionOptions,
): void {
  const initializer = { generator: options.generator, dtype: options.dtype };
  register('weight', kaimingUniform(weightShape, { a: Math.sqrt(5), ...initializer }));
  if (options.bias ?? true) {
    const [fanIn] = computeFans(weightShape);
    register('bias', uniform([bias], 1 / Math.sqrt(fanIn), initializer));
  }
}

const CONVOLUTION_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'generator', 'dtype'];

/** The checks every convolution layer makes on its options before building anything. */
function checkOptions(layer: string, options: object, allowed: readonly string[]): void {
  checkOptionKeys(layer, options, allowed);
  checkParameterDType(layer, (options as { dtype?: unknown }).dtype);
}

function checkGroups(layer: string, inChannels: number, outChannels: number, groups: number): void {
  checkPositiveInteger(layer, 'groups', groups);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`${layer}: 'groups' ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
  }
}

function checkInput(layer: string, input: Tensor, rank: number, channels: number): void {
  if (input.ndim !== rank || input.shape[1] !== channels) {
    const expected = rank === 3 ? `[N, ${channels}, L]` : `[N, ${channels}, H, W]`;
    throw new Error(`${layer}.apply: 'input' has shape ${formatShape(input.shape)}, expected ${expected}`);
  }
}

/**
 * 1-D convolution over `[N, C, L]`: `y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c]` with `weight`
 * `[outChannels, inChannels/groups, kernelSize]`.
 *
 * @example
 * new Conv1d(3, 8, 5, { padding: 2 }).forward(zeros([1, 3, 100])).shape; // [1, 8, 100]
 */
export class Conv1d extends Module {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly options: Omit<ConvolutionOptions, 'stride' | 'dilation' | 'padding'> & {
      stride?: number;
      dilation?: number;
      padding?: number | 'same' | 'valid';
    } = {},
  ) {
    super();
    checkOptions('Conv1d', options, CONVOLUTION_KEYS);
    checkPositiveInteger('Conv1d', 'inChannels', inChannels);
    checkPositiveInteger('Conv1d', 'outChannels', outChannels);
    checkPositiveInteger('Conv1d', 'kernelSize', kernelSize);
    const groups = options.groups ?? 1;
    checkGroups('Conv1d', inChannels, outChannels, groups);
    initialize(
      (name, value) => this.registerParameter(name, value),
      [outChannels, inChannels / groups, kernelSize],
      outChannels,
      options,
    );
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    checkInput('Conv1d', input, 3, this.inChannels);
    const { stride, padding, dilation, groups } = this.options;
    return conv1d(input, parameter(params, 'weight', 'Conv1d'), {
      stride,
      padding,
      dilation,
      groups,
      bias: params.bias as Tensor | undefined,
    });
  }
}

/**
 * 2-D convolution over `[N, C, H, W]` with `weight` `[outChannels, inChannels/groups, kh, kw]`;
 * output size per axis `⌊(H + 2p − d·(k−1) − 1)/s⌋ + 1`.
 *
 * @example
 * new Conv2d(1, 8, 3, { padding: 1 }).forward(zeros([2, 1, 8, 8])).shape; // [2, 8, 8, 8]
 */
export class Conv2d extends Module {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: Pair,
    readonly options: ConvolutionOptions = {},
  ) {
    super();
    checkOptions('Conv2d', options, CONVOLUTION_KEYS);
    checkPositiveInteger('Conv2d', 'inChannels', inChannels);
    checkPositiveInteger('Conv2d', 'outChannels', outChannels);
    const groups = options.groups ?? 1;
    checkGroups('Conv2d', inChannels, outChannels, groups);
    initialize(
      (name, value) => this.registerParameter(name, value),
      [outChannels, inChannels / groups, ...pair(kernelSize)],
      outChannels,
      options,
    );
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    checkInput('Conv2d', input, 4, this.inChannels);
    const { stride, padding, dilation, groups } = this.options;
    return conv2d(input, parameter(params, 'weight', 'Conv2d'), {
      stride,
      padding,
      dilation,
      groups,
      bias: params.bias as Tensor | undefined,
    });
  }
}

/**
 * Transposed 2-D convolution (the gradient of Conv2d with respect to its input, used for
 * upsampling): `weight` `[inChannels, outChannels/groups, kh, kw]`; output size per axis
 * `(H − 1)·s − 2p + d·(k − 1) + outputPadding + 1`.
 *
 * @example
 * new ConvTranspose2d(8, 4, 2, { stride: 2 }).forward(zeros([1, 8, 4, 4])).shape; // [1, 4, 8, 8]
 */
export class ConvTranspose2d extends Module {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: Pair,
    readonly options: Omit<ConvolutionOptions, 'padding'> & { padding?: Pair; outputPadding?: Pair } = {},
  ) {
    super();
    checkOptions('ConvTranspose2d', options, [...CONVOLUTION_KEYS, 'outputPadding']);
    checkPositiveInteger('ConvTranspose2d', 'inChannels', inChannels);
    checkPositiveInteger('ConvTranspose2d', 'outChannels', outChannels);
    const groups = options.groups ?? 1;
    checkGroups('ConvTranspose2d', inChannels, outChannels, groups);
    initialize(
      (name, value) => this.registerParameter(name, value),
      [inChannels, outChannels / groups, ...pair(kernelSize)],
      outChannels,
      options,
    );
  }

  apply(params: ParameterTree, input: Tensor): Tensor {
    checkInput('ConvTranspose2d', input, 4, this.inChannels);
    const { stride, padding, outputPadding, dilation, groups } = this.options;
    return convTranspose2d(input, parameter(params, 'weight', 'ConvTranspose2d'), {
      stride,
      padding,
      outputPadding,
      dilation,
      groups,
      bias: params.bias as Tensor | undefined,
    });
  }
}
