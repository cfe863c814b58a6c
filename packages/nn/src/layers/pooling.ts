/**
 * Pooling layers: `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`.
 *
 * Source: `packages/nn/src/layers/pooling.ts`.
 */
import {
  avgPool2d,
  checkOptionKeys,
  concat,
  formatShape,
  maxPool2d,
  mean,
  slice,
  type Pair,
  type Tensor,
} from '@vane/tensor';
import { Module, type ParameterTree } from '../module.js';

/** Options of the fixed-window pooling layers. */
export interface PoolingOptions {
  /** Window step (default: the kernel size, as PyTorch). */
  stride?: Pair;
  /** Implicit padding per side. */
  padding?: Pair;
}

function checkInput(layer: string, input: Tensor): void {
  if (input.ndim !== 4)
    throw new Error(`${layer}.apply: 'input' has shape ${formatShape(input.shape)}, expected [N, C, H, W]`);
}

/**
 * The maximum of each `kernelSize` window, `[N, C, H, W] → [N, C, H', W']`.
 *
 * @example
 * new MaxPool2d(2).forward(zeros([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: PoolingOptions & { dilation?: Pair } = {},
  ) {
    super();
    checkOptionKeys('MaxPool2d', options, ['stride', 'padding', 'dilation']);
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    checkInput('MaxPool2d', input);
    return maxPool2d(input, this.kernelSize, {
      stride: this.options.stride ?? this.kernelSize,
      padding: this.options.padding,
      dilation: this.options.dilation,
    });
  }
}

/**
 * The mean of each `kernelSize` window; padding counts as zeros in the mean unless
 * `countIncludePad: false` (PyTorch's default is true).
 *
 * @example
 * new AvgPool2d(2).forward(ones([1, 1, 4, 4])).shape; // [1, 1, 2, 2]
 */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: PoolingOptions & { countIncludePad?: boolean } = {},
  ) {
    super();
    checkOptionKeys('AvgPool2d', options, ['stride', 'padding', 'countIncludePad']);
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    checkInput('AvgPool2d', input);
    return avgPool2d(input, this.kernelSize, {
      stride: this.options.stride ?? this.kernelSize,
      padding: this.options.padding,
      countIncludePad: this.options.countIncludePad,
    });
  }
}

/**
 * Averages over an adaptive grid so the output is exactly `outputSize`: output cell `i` of
 * an axis of length `L` averages input positions `⌊i·L/out⌋ … ⌈(i+1)·L/out⌉ − 1`
 * (PyTorch's bins, which may overlap).
 *
 * @example
 * new AdaptiveAvgPool2d(1).forward(zeros([2, 16, 7, 7])).shape; // [2, 16, 1, 1] (global average pooling)
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }

  apply(_params: ParameterTree, input: Tensor): Tensor {
    checkInput('AdaptiveAvgPool2d', input);
    const [outHeight, outWidth] =
      typeof this.outputSize === 'number' ? [this.outputSize, this.outputSize] : this.outputSize;
    // A mean over a rectangle is the mean over rows of per-row means, so pool one axis at a time.
    return adaptiveAxis(adaptiveAxis(input, 2, outHeight), 3, outWidth);
  }
}

function adaptiveAxis(input: Tensor, axis: number, outSize: number): Tensor {
  const length = input.shape[axis]!;
  if (outSize === length) return input;
  const pieces: Tensor[] = [];
  for (let index = 0; index < outSize; index += 1) {
    const start = Math.floor((index * length) / outSize);
    const stop = Math.ceil(((index + 1) * length) / outSize);
    const specs = input.shape.map((_, current) => (current === axis ? { start, stop } : null));
    pieces.push(mean(slice(input, specs), axis, true));
  }
  return pieces.length === 1 ? pieces[0]! : concat(pieces, axis);
}
