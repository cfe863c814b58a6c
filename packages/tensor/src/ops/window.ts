/**
 * Window geometry for convolution and pooling: normalising `stride`, `padding` (numbers,
 * pairs, four sides, 'valid' or 'same') and `dilation` into a {@link Window2d}.
 */
import type { Window2d } from '../backend.js';
import { describeValue } from '../validation/option-keys.js';

/** One number for both axes, or `[height, width]`. */
export type Pair = number | readonly [number, number];

/** Padding: a number or pair (symmetric), `[top, bottom, left, right]`, 'valid' (0) or 'same'. */
export type Padding = Pair | readonly [number, number, number, number] | 'valid' | 'same';

function pair(op: string, name: string, value: Pair, minimum: number): [number, number] {
  const values = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(values) || values.length !== 2 || values.some((v) => !Number.isInteger(v) || v < minimum)) {
    throw new Error(`${op}: '${name}' must be an integer ≥ ${minimum} or a pair of them, got ${describeValue(value)}`);
  }
  return [values[0]!, values[1]!];
}

/**
 * Builds the window for an input of `height`×`width`.
 *
 * 'same' pads so that the output has ⌈size/stride⌉ positions, splitting an odd total with the
 * extra row/column at the bottom/right (as TensorFlow, and PyTorch for stride 1).
 */
export function makeWindow(
  op: string,
  height: number,
  width: number,
  kernel: Pair,
  options: { stride?: Pair; padding?: Padding; dilation?: Pair },
): Window2d {
  const [kernelHeight, kernelWidth] = pair(op, 'kernelSize', kernel, 1);
  const [strideHeight, strideWidth] = pair(op, 'stride', options.stride ?? 1, 1);
  const [dilationHeight, dilationWidth] = pair(op, 'dilation', options.dilation ?? 1, 1);
  const padding = options.padding ?? 0;
  let pads: [number, number, number, number];
  const extentHeight = (kernelHeight - 1) * dilationHeight + 1;
  const extentWidth = (kernelWidth - 1) * dilationWidth + 1;
  if (padding === 'valid') pads = [0, 0, 0, 0];
  else if (padding === 'same') {
    const totalHeight = Math.max((Math.ceil(height / strideHeight) - 1) * strideHeight + extentHeight - height, 0);
    const totalWidth = Math.max((Math.ceil(width / strideWidth) - 1) * strideWidth + extentWidth - width, 0);
    pads = [
      Math.floor(totalHeight / 2),
      Math.ceil(totalHeight / 2),
      Math.floor(totalWidth / 2),
      Math.ceil(totalWidth / 2),
    ];
  } else if (Array.isArray(padding) && padding.length === 4) {
    if (padding.some((p) => !Number.isInteger(p) || p < 0)) {
      throw new Error(`${op}: 'padding' must hold non-negative integers, got ${JSON.stringify(padding)}`);
    }
    pads = [...padding] as [number, number, number, number];
  } else if (typeof padding === 'string') {
    throw new Error(`${op}: 'padding' must be a number, a pair, four numbers, 'valid' or 'same', got '${padding}'`);
  } else {
    const [h, w] = pair(op, 'padding', padding as Pair, 0);
    pads = [h, h, w, w];
  }
  const outputHeight = Math.floor((height + pads[0] + pads[1] - extentHeight) / strideHeight) + 1;
  const outputWidth = Math.floor((width + pads[2] + pads[3] - extentWidth) / strideWidth) + 1;
  if (outputHeight <= 0 || outputWidth <= 0) {
    throw new Error(
      `${op}: kernel ${kernelHeight}x${kernelWidth} (dilation ${dilationHeight}x${dilationWidth}) does not fit input ${height}x${width} with padding [${pads.join(',')}]`,
    );
  }
  return {
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    padTop: pads[0],
    padBottom: pads[1],
    padLeft: pads[2],
    padRight: pads[3],
    dilationHeight,
    dilationWidth,
    outputHeight,
    outputWidth,
  };
}
