/**
 * CPU gather, scatter-add, concatenation and padding over strided views.
 */
import type { TensorView } from '../backend.js';
import { allocateArray, type DType, type TypedArray } from '../dtype.js';
import { contiguousStrides, formatShape, sizeOf, type Shape } from '../shape.js';
import { forEachIndex } from './strided.js';

function checkIndex(op: string, value: number, axis: number, size: number, indexShape: Shape): void {
  if (value < 0 || value >= size) {
    throw new Error(
      `${op}: 'index' (shape ${formatShape(indexShape)}) holds ${value}, out of range for axis ${axis} of size ${size}`,
    );
  }
}

/** torch.gather: the output has the index's shape. */
export function gatherValues(x: TensorView, axis: number, index: TensorView): TypedArray {
  const out = allocateArray(x.dtype, sizeOf(index.shape));
  const values = x.data as TypedArray;
  const indices = index.data as TypedArray;
  const xStrides = x.strides.map((stride, which) => (which === axis ? 0 : stride));
  const size = x.shape[axis]!;
  const axisStride = x.strides[axis]!;
  forEachIndex(index.shape, [index.strides, xStrides], [index.offset, x.offset], (position, [indexOffset, xOffset]) => {
    const chosen = indices[indexOffset!]!;
    checkIndex('gather', chosen, axis, size, index.shape);
    out[position] = values[xOffset! + chosen * axisStride]!;
  });
  return out;
}

/** torch.scatter_add: a copy of target with source added at index positions. */
export function scatterAddValues(
  target: TensorView,
  axis: number,
  index: TensorView,
  source: TensorView,
  copy: (view: TensorView) => TypedArray,
): TypedArray {
  const out = copy(target);
  const outStrides = contiguousStrides(target.shape).map((stride, which) => (which === axis ? 0 : stride));
  const axisStride = contiguousStrides(target.shape)[axis]!;
  const indices = index.data as TypedArray;
  const sourceValues = source.data as TypedArray;
  const size = target.shape[axis]!;
  forEachIndex(
    index.shape,
    [index.strides, source.strides, outStrides],
    [index.offset, source.offset, 0],
    (_, [indexOffset, sourceOffset, outOffset]) => {
      const chosen = indices[indexOffset!]!;
      checkIndex('scatterAdd', chosen, axis, size, index.shape);
      out[outOffset! + chosen * axisStride]! += sourceValues[sourceOffset!]!;
    },
  );
  return out;
}

/** Copies a strided view into a region of a contiguous output. */
export function copyInto(source: TensorView, out: TypedArray, outShape: Shape, outOffset: number): void {
  const values = source.data as TypedArray;
  const outStrides = contiguousStrides(outShape);
  forEachIndex(
    source.shape,
    [source.strides, outStrides],
    [source.offset, outOffset],
    (_, [sourceOffset, targetOffset]) => {
      out[targetOffset!] = values[sourceOffset!]!;
    },
  );
}

/** Concatenation along `axis`. */
export function concatValues(
  inputs: readonly TensorView[],
  axis: number,
  outShape: Shape,
  outDtype: DType,
): TypedArray {
  const out = allocateArray(outDtype, sizeOf(outShape));
  const strides = contiguousStrides(outShape);
  let start = 0;
  for (const input of inputs) {
    copyInto(input, out, outShape, start * strides[axis]!);
    start += input.shape[axis]!;
  }
  return out;
}

/** Constant padding. */
export function padValues(
  x: TensorView,
  pads: readonly (readonly [number, number])[],
  value: number,
  outDtype: DType,
): TypedArray {
  const outShape = x.shape.map((dimension, axis) => dimension + pads[axis]![0] + pads[axis]![1]);
  const out = allocateArray(outDtype, sizeOf(outShape));
  if (value !== 0) out.fill(value);
  const strides = contiguousStrides(outShape);
  const offset = pads.reduce((total, [before], axis) => total + before * strides[axis]!, 0);
  copyInto(x, out, outShape, offset);
  return out;
}
