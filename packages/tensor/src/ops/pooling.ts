/**
 * Max and average pooling over NCHW inputs.
 */
import { isFloatingDType } from '../dtype.js';
import { isRecording, recordOp } from '../engine.js';
import { formatShape } from '../shape.js';
import { checkOptionKeys, describeValue } from '../validation/option-keys.js';
import { checkTensor, wrapStorage } from './internal.js';
import type { Tensor } from '../tensor.js';
import { makeWindow, type Pair } from './window.js';

/** Options of the pooling ops. `stride` defaults to the kernel size, as PyTorch. */
export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
}

/** The option names of maxPool2d (avgPool2d adds countIncludePad). */
const POOL_OPTIONS = ['stride', 'padding', 'dilation'] as const;

function checkInput(op: string, x: Tensor): void {
  checkTensor(op, 'x', x);
  if (x.ndim !== 4) throw new Error(`${op}: 'x' has shape ${formatShape(x.shape)}, expected [N,C,H,W]`);
  if (!isFloatingDType(x.dtype)) throw new Error(`${op}: 'x' must be float32 or float64, got ${x.dtype}`);
}

/**
 * Max pooling. Padding counts as −∞. The gradient goes to the (first) maximum of each window.
 *
 * @example
 * maxPool2d(x, 2) // halves H and W
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: Pool2dOptions = {}): Tensor {
  const op = 'maxPool2d';
  checkOptionKeys(op, options, POOL_OPTIONS);
  checkInput(op, x);
  const window = makeWindow(op, x.shape[2]!, x.shape[3]!, kernelSize, {
    stride: options.stride ?? kernelSize,
    padding: options.padding,
    dilation: options.dilation,
  });
  if (window.padTop * 2 > window.kernelHeight || window.padLeft * 2 > window.kernelWidth) {
    throw new Error(
      `${op}: 'padding' must be at most half the kernel size, got padding [${window.padTop},${window.padLeft}] for kernel ${window.kernelHeight}x${window.kernelWidth}`,
    );
  }
  const result = x.backend.pool2d('max', x.view(), window, false);
  const shape = [x.shape[0]!, x.shape[1]!, window.outputHeight, window.outputWidth];
  const out = wrapStorage(x.backend, result.values, shape, x.dtype);
  if (!isRecording()) {
    x.backend.release(result.indices);
    return out;
  }
  // The tape owns the indices; its gradient rule scatters through them.
  const indices = wrapStorage(x.backend, result.indices, shape, 'int32');
  return recordOp('maxPool2d', [x], out, { window, indices });
}

/**
 * Average pooling. With `countIncludePad` (the default, as PyTorch) padded zeros count in the
 * divisor; without it only real elements do.
 */
export function avgPool2d(
  x: Tensor,
  kernelSize: Pair,
  options: Pool2dOptions & { countIncludePad?: boolean } = {},
): Tensor {
  const op = 'avgPool2d';
  checkOptionKeys(op, options, [...POOL_OPTIONS, 'countIncludePad']);
  checkInput(op, x);
  const window = makeWindow(op, x.shape[2]!, x.shape[3]!, kernelSize, {
    stride: options.stride ?? kernelSize,
    padding: options.padding,
    dilation: options.dilation,
  });
  const countIncludePad = options.countIncludePad ?? true;
  if (typeof countIncludePad !== 'boolean')
    throw new TypeError(`${op}: 'countIncludePad' must be a boolean, got ${describeValue(countIncludePad)}`);
  const result = x.backend.pool2d('avg', x.view(), window, countIncludePad);
  const out = wrapStorage(
    x.backend,
    result.values,
    [x.shape[0]!, x.shape[1]!, window.outputHeight, window.outputWidth],
    x.dtype,
  );
  return recordOp('avgPool2d', [x], out, { window, countIncludePad });
}
