/**
 * col2im in WebAssembly: adds the columns of an im2col matrix back into the image, the adjoint
 * of im2col and the last step of a convolution's input gradient on the im2col path
 * (cpu/convolution.ts). For each patch row (c, ki, kj), the in-bounds outputs form one
 * rectangle of rows [oh0, oh1) × columns [ow0, ow1), added into the image with the strides of
 * the convolution by one `add_floats` call (simd-vector-copy.ts), instead of a JavaScript loop
 * that tests every element's bounds. The additions are the same float32 additions in the same
 * order (rows of the patch matrix one after another), so the result is bit for bit the loop's.
 */
import type { Window2d } from '../backend.js';
import { heapAddress } from './kernel-heap.js';
import { stridedAdd } from './simd-vector-copy.js';

/** The in-bounds outputs `[first, end)` along one axis for kernel offset `shift` (`index·stride + shift` in `[0, size)`). */
function inBounds(shift: number, stride: number, size: number, outputs: number): [number, number] {
  const first = Math.min(outputs, Math.max(0, Math.ceil(-shift / stride)));
  const end = Math.max(first, Math.min(outputs, Math.floor((size - 1 - shift) / stride) + 1));
  return [first, end];
}

/**
 * Adds `cols` `[channels·kh·kw, outputHeight·outputWidth]` into channels `[c0, c0 + channels)`
 * of the image at float `imageOffset` of `out` `[·, C, height, width]`. Returns false (doing
 * nothing) unless both arrays are in the kernel memory and the SIMD kernels are on.
 *
 * @example
 * if (!simdCol2im(cols, out, offset, 0, channels, height, width, window)) col2im(cols, out, offset, 0, channels, height, width, window);
 */
export function simdCol2im(
  cols: Float32Array,
  out: Float32Array,
  imageOffset: number,
  c0: number,
  channels: number,
  height: number,
  width: number,
  window: Window2d,
): boolean {
  const add = stridedAdd();
  const colsAddress = heapAddress(cols);
  const outAddress = heapAddress(out);
  if (!add || colsAddress === undefined || outAddress === undefined) return false;
  const { kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft } = window;
  const { dilationHeight, dilationWidth, outputHeight, outputWidth } = window;
  const patches = outputHeight * outputWidth;
  const kernelArea = kernelHeight * kernelWidth;
  for (let ki = 0; ki < kernelHeight; ki++) {
    const rowShift = ki * dilationHeight - padTop;
    const [firstRow, endRow] = inBounds(rowShift, strideHeight, height, outputHeight);
    if (endRow <= firstRow) continue;
    for (let kj = 0; kj < kernelWidth; kj++) {
      const columnShift = kj * dilationWidth - padLeft;
      const [firstColumn, endColumn] = inBounds(columnShift, strideWidth, width, outputWidth);
      if (endColumn <= firstColumn) continue;
      // Every channel's row (c, ki, kj) at once: channels are the panels of the call.
      const row = ki * kernelWidth + kj;
      const source = row * patches + firstRow * outputWidth + firstColumn;
      const target =
        imageOffset +
        c0 * height * width +
        (firstRow * strideHeight + rowShift) * width +
        firstColumn * strideWidth +
        columnShift;
      add(
        colsAddress + source * 4,
        outAddress + target * 4,
        channels,
        endRow - firstRow,
        endColumn - firstColumn,
        kernelArea * patches * 4,
        outputWidth * 4,
        4,
        height * width * 4,
        strideHeight * width * 4,
        strideWidth * 4,
      );
    }
  }
  return true;
}
