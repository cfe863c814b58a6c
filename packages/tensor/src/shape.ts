/**
 * Shape arithmetic: sizes, strides, broadcasting and axis normalisation.
 *
 * Every function that can fail takes the name of the public op that called it, so that the
 * error names the op, the argument and the shapes (`matmul: 'b' has shape [4,5], ...`). These
 * normalisers are where every op checks its shape and axis arguments, so a wrong type (a
 * string, an options object where an axis belongs) fails here with the op's name rather than
 * as a TypeError deep inside.
 */
import { describeValue } from './validation/option-keys.js';

/** A tensor's shape: one non-negative integer per dimension. `[]` is a scalar. */
export type Shape = readonly number[];

/** Formats a shape the way error messages print it: `[2,3]`. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dimension of shape) size *= dimension;
  return size;
}

/** Row-major (C-order) strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

/** True when two shapes are equal element by element. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let axis = 0; axis < a.length; axis++) if (a[axis] !== b[axis]) return false;
  return true;
}

/** Validates a user-given shape: non-negative integers. */
export function checkShape(op: string, argument: string, shape: readonly unknown[]): number[] {
  if (!Array.isArray(shape)) {
    throw new Error(`${op}: '${argument}' must be an array of non-negative integers, got ${describeValue(shape)}`);
  }
  for (const dimension of shape) {
    if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 0) {
      throw new Error(
        `${op}: '${argument}' must contain non-negative integers, got [${shape.map((dimension) => (typeof dimension === 'number' ? String(dimension) : describeValue(dimension))).join(',')}]`,
      );
    }
  }
  return shape as number[];
}

/**
 * The NumPy broadcast of several shapes: align trailing dimensions; each pair must be equal
 * or one of them 1.
 *
 * @example
 * broadcastShapes('add', [[2, 1, 3], [4, 1]]) // [2, 4, 3]
 */
export function broadcastShapes(op: string, shapes: readonly Shape[], names?: readonly string[]): number[] {
  const rank = Math.max(0, ...shapes.map((shape) => shape.length));
  const result = new Array<number>(rank).fill(1);
  for (let index = 0; index < shapes.length; index++) {
    const shape = shapes[index]!;
    const offset = rank - shape.length;
    for (let axis = 0; axis < shape.length; axis++) {
      const dimension = shape[axis]!;
      const current = result[offset + axis]!;
      if (dimension === current || dimension === 1) continue;
      if (current === 1) {
        result[offset + axis] = dimension;
        continue;
      }
      const described = shapes
        .map((other, which) => `'${names?.[which] ?? `input ${which}`}' has shape ${formatShape(other)}`)
        .join(', ');
      throw new Error(`${op}: shapes cannot be broadcast together: ${described}`);
    }
  }
  return result;
}

/**
 * Normalises a possibly negative axis into `[0, rank)`.
 *
 * @throws naming the op and the valid range, e.g. `sum: 'axis' 3 is out of range for shape [2,3]`.
 */
export function normalizeAxis(op: string, axis: number, rank: number, shape?: Shape, argument = 'axis'): number {
  if (!Number.isInteger(axis)) {
    throw new Error(`${op}: '${argument}' must be an integer, got ${describeValue(axis)}`);
  }
  const normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) {
    const where = shape ? `shape ${formatShape(shape)}` : `rank ${rank}`;
    throw new Error(`${op}: '${argument}' ${axis} is out of range for ${where} (valid: ${-rank}..${rank - 1})`);
  }
  return normalized;
}

/** Normalises one axis, several axes or `undefined` (all axes) into a sorted, unique list. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, shape: Shape): number[] {
  const rank = shape.length;
  if (axes === undefined) return Array.from({ length: rank }, (_, axis) => axis);
  if (typeof axes !== 'number' && !Array.isArray(axes)) {
    throw new Error(`${op}: 'axis' must be an integer, an array of integers or undefined, got ${describeValue(axes)}`);
  }
  const list: number[] = typeof axes === 'number' ? [axes] : [...axes];
  const normalized = list.map((axis) => normalizeAxis(op, axis, rank, shape));
  const unique = [...new Set(normalized)].sort((a, b) => a - b);
  if (unique.length !== normalized.length) {
    throw new Error(`${op}: 'axis' contains a repeated axis: [${list.join(',')}] for shape ${formatShape(shape)}`);
  }
  return unique;
}

/** The shape after reducing `axes`, keeping them as size-1 dimensions when `keepdims` is set. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const result: number[] = [];
  for (let axis = 0; axis < shape.length; axis++) {
    if (axes.includes(axis)) {
      if (keepdims) result.push(1);
    } else result.push(shape[axis]!);
  }
  return result;
}
