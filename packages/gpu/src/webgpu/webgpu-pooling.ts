/**
 * Max and average pooling of the `webgpu` backend over NCHW views: one thread per output value
 * loops over its window (windows are small; pooling is memory-bound, not worth tiling), reading
 * the input through its strides.
 *
 * Both follow the CPU backend's pool2dPlanes exactly: padding is skipped (−∞ for max), the
 * average divides by kh·kw with `countIncludePad` and by the count of real elements (at least 1)
 * without it, and max pooling records the flat position `h·W + w` of its choice within the input
 * plane (−1 when the window holds no real element). A NaN wins a max window, and as on the CPU
 * (whose scan leaves a window row at its first NaN and lets a later row's NaN replace it) the
 * index is that of the first NaN in the last window row holding one. NaN is tested by its bits:
 * shader compilers may assume there is none.
 */
import type { TensorView, Window2d } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { readAsFloat, storeFromFloat } from './webgpu-elementwise.js';
import { createStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
import { WGSL_MATH } from './wgsl-expression.js';
import { dimsLets, viewMeta, viewNames, WINDOW_NAMES, windowMeta } from './wgsl-window.js';

const NAMES = ['channels', 'height', 'width', ...WINDOW_NAMES, 'countIncludePad', ...viewNames('x')];

/**
 * Max or average pooling of `x` `[N, C, H, W]` → `[N, C, outH, outW]` in `x`'s dtype; max
 * pooling also returns the int32 flat position (within each input plane) of each maximum, which
 * its gradient scatters back to.
 */
export function pool2d(
  kind: 'max' | 'avg',
  x: TensorView,
  window: Window2d,
  countIncludePad: boolean,
): { values: WebGpuStorage; indices?: WebGpuStorage } {
  const op = `pool2d.${kind}`;
  if (x.shape.length !== 4) throw new Error(`webgpu.${op}: 'x' must be 4-D (NCHW), got shape [${x.shape}]`);
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const size = batch * channels * window.outputHeight * window.outputWidth;
  const values = createStorage(x.dtype, size, op);
  const indices = kind === 'max' ? createStorage('int32', size, op) : undefined;
  if (size > 0) {
    const x0 = readAsFloat(0, x.dtype, 'xOffset + n * xStride0 + c * xStride1 + h * xStride2 + w * xStride3');
    const scan =
      kind === 'max'
        ? `      let value = ${x0};
      let valueIsNaN = vaneIsNaN(value);
      // value > best is tested only for a number best: a NaN best is replaced only by a NaN.
      if (valueIsNaN || bestIndex < 0 || (!vaneIsNaN(best) && value > best)) {
        best = value;
        bestIndex = h * width + w;
        if (valueIsNaN) { break; }
      }`
        : `      sum += ${x0};
      count++;`;
    const result =
      kind === 'max'
        ? `  out0[thread] = ${storeFromFloat(x.dtype, 'best')};\n  out1[thread] = bestIndex;`
        : `  let divisor = select(max(count, 1), kernelHeight * kernelWidth, countIncludePad != 0);
  out0[thread] = ${storeFromFloat(x.dtype, 'sum / f32(divisor)')};`;
    const source = cachedSource(`pool2d|${kind}|${x.dtype}`, () =>
      [
        bindingDeclarations(op, [x.dtype], kind === 'max' ? [x.dtype, 'int32'] : [x.dtype]),
        WGSL_MATH,
        threadKernel(`${dimsLets(NAMES)}
  let at = i32(thread);
  let ow = at % outputWidth;
  let oh = (at / outputWidth) % outputHeight;
  let plane = at / (outputWidth * outputHeight);
  let c = plane % channels;
  let n = plane / channels;
  var best = -vaneInfinity();
  var bestIndex = -1;
  var sum = 0.0;
  var count = 0;
  for (var ki = 0; ki < kernelHeight; ki++) {
    let h = oh * strideHeight - padTop + ki * dilationHeight;
    if (h < 0 || h >= height) { continue; }
    for (var kj = 0; kj < kernelWidth; kj++) {
      let w = ow * strideWidth - padLeft + kj * dilationWidth;
      if (w < 0 || w >= width) { continue; }
${scan}
    }
  }
${result}`),
      ].join('\n'),
    );
    const meta = [channels, height, width, ...windowMeta(window), countIncludePad ? 1 : 0, ...viewMeta(x)];
    dispatchThreads(op, source, [viewStorage(x)], indices ? [values, indices] : [values], size, meta);
  }
  return indices ? { values, indices } : { values };
}
