/**
 * Layout facts about tensor views that both GPU backends' elementwise fusion ask: whether two
 * shapes (or stride lists) are the same numbers, and whether a view reads its storage exactly in
 * the storage's own order (so a pending chain behind it can be inlined).
 */
import type { Shape, TensorView } from '@vane/tensor';

/** True when `a` and `b` hold the same numbers in the same order (shapes, strides). */
export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/**
 * True when `view` reads its storage's values 0…size−1 in row-major order over `shape` (offset
 * 0, the same shape, row-major strides; a size-1 axis may have any stride).
 *
 * @example
 * rowMajorOver({ ...view, shape: [2, 3], strides: [3, 1], offset: 0 }, [2, 3]) // true
 */
export function rowMajorOver(view: TensorView, shape: Shape): boolean {
  if (view.offset !== 0 || !sameNumbers(view.shape, shape)) return false;
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && view.strides[axis] !== expected) return false;
    expected *= shape[axis]!;
  }
  return true;
}
