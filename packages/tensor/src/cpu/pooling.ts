/**
 * CPU max and average pooling over NCHW planes, computed directly (windows are small).
 * Max pooling also records, per output, the flat index `h * W + w` of the chosen input element
 * within its plane, which the gradient scatters back to.
 */
import type { Window2d } from '../backend.js';
import type { TypedArray } from '../dtype.js';

/** Pools `planes` planes of size height×width from contiguous `x`. */
export function pool2dPlanes(
  kind: 'max' | 'avg',
  x: TypedArray,
  planes: number,
  height: number,
  width: number,
  window: Window2d,
  countIncludePad: boolean,
  out: TypedArray,
  indices: Int32Array | undefined,
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
  let target = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * height * width;
    for (let oh = 0; oh < outputHeight; oh++) {
      for (let ow = 0; ow < outputWidth; ow++) {
        let best = -Infinity;
        let bestIndex = -1;
        let sum = 0;
        let count = 0;
        for (let ki = 0; ki < kernelHeight; ki++) {
          const h = oh * strideHeight - padTop + ki * dilationHeight;
          if (h < 0 || h >= height) continue;
          for (let kj = 0; kj < kernelWidth; kj++) {
            const w = ow * strideWidth - padLeft + kj * dilationWidth;
            if (w < 0 || w >= width) continue;
            const value = x[base + h * width + w]!;
            if (kind === 'max') {
              if (value > best || bestIndex < 0 || value !== value) {
                best = value;
                bestIndex = h * width + w;
                if (value !== value) break;
              }
            } else {
              sum += value;
              count++;
            }
          }
        }
        if (kind === 'max') {
          out[target] = best;
          if (indices) indices[target] = bestIndex;
        } else {
          out[target] = sum / (countIncludePad ? kernelHeight * kernelWidth : Math.max(count, 1));
        }
        target++;
      }
    }
  }
}
