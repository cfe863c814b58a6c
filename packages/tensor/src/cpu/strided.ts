/**
 * Strided-iteration helpers for the CPU kernels.
 *
 * `collapseDimensions` merges adjacent axes that every operand walks contiguously and drops
 * size-1 axes, so that a broadcast or transposed view costs as few loop levels as possible
 * (a contiguous tensor of any rank collapses to one axis).
 */
import type { Shape } from '../shape.js';

/** A shape and one stride list per operand after merging axes. */
export interface CollapsedLayout {
  shape: number[];
  strides: number[][];
}

/**
 * Merges axes `i` and `i+1` when, for every operand, `strides[i] === strides[i+1] * shape[i+1]`.
 *
 * @example
 * collapseDimensions([2, 3], [[3, 1], [0, 0]]) // { shape: [6], strides: [[1], [0]] }
 */
export function collapseDimensions(shape: Shape, strides: readonly (readonly number[])[]): CollapsedLayout {
  const keptAxes: number[] = [];
  for (let axis = 0; axis < shape.length; axis++) if (shape[axis] !== 1) keptAxes.push(axis);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const axis of keptAxes) {
    const dimension = shape[axis]!;
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 && strides.every((operand, which) => outStrides[which]![last] === operand[axis]! * dimension);
    if (mergeable) {
      outShape[last] = outShape[last]! * dimension;
      strides.forEach((operand, which) => {
        outStrides[which]![last] = operand[axis]!;
      });
    } else {
      outShape.push(dimension);
      strides.forEach((operand, which) => outStrides[which]!.push(operand[axis]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `visit(offsets)` with the flat offset of each operand for every index of `shape`, in
 * row-major order. Used by the kernels whose inner loop is not a simple elementwise map
 * (gather, scatter, concat); the hot elementwise loops are compiled instead.
 */
export function forEachIndex(
  shape: Shape,
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  visit: (position: number, offsets: number[]) => void,
): void {
  const rank = shape.length;
  const current = [...offsets];
  let size = 1;
  for (const dimension of shape) size *= dimension;
  if (size === 0) return;
  const counter = new Array<number>(rank).fill(0);
  for (let position = 0; position < size; position++) {
    visit(position, current);
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]!++;
      for (let which = 0; which < current.length; which++) current[which]! += strides[which]![axis]!;
      if (counter[axis]! < shape[axis]!) break;
      for (let which = 0; which < current.length; which++) current[which]! -= strides[which]![axis]! * shape[axis]!;
      counter[axis] = 0;
    }
  }
}
