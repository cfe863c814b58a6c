/**
 * Movement ops. reshape (of contiguous data), permute/transpose, expand, slice and flip are
 * views that share storage; pad and concat copy. Every differentiable one is recorded so
 * gradients flow through views.
 */
import { isFloatingDType, promoteTypes } from '../dtype.js';
import { isRecording, recordOp } from '../engine.js';
import {
  broadcastShapes,
  checkShape,
  contiguousStrides,
  formatShape,
  normalizeAxes,
  normalizeAxis,
  sizeOf,
  type Shape,
} from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { cast } from './elementwise.js';
import { checkOptionKeys, describeValue } from '../validation/option-keys.js';
import { checkTensor, commonBackend, viewOf, wrapStorage } from './internal.js';

const record = <T extends Tensor>(out: T, fn: () => T): T => (isFloatingDType(out.dtype) ? fn() : out);

/** A contiguous copy of `x` (or `x` itself if already contiguous). */
export function contiguous(x: Tensor): Tensor {
  checkTensor('contiguous', 'x', x);
  if (x.isContiguous) return x;
  const out = wrapStorage(x.backend, x.backend.copy(x.view(), x.dtype), x.shape, x.dtype);
  return record(out, () => recordOp('copy', [x], out, {}));
}

/**
 * Gives `x` a new shape with the same number of elements; one dimension may be -1 (inferred).
 * A view when `x` is contiguous, a copy otherwise.
 *
 * @example
 * reshape(arange(6), [2, -1]) // shape [2, 3]
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const op = 'reshape';
  checkTensor(op, 'x', x);
  // -1 is allowed here, so only the type is checked before inference; checkShape follows.
  if (!Array.isArray(shape)) checkShape(op, 'shape', shape);
  const target = [...shape];
  const inferred = target.indexOf(-1);
  if (inferred !== target.lastIndexOf(-1)) throw new Error(`${op}: 'shape' ${formatShape(shape)} has more than one -1`);
  if (inferred >= 0) {
    const known = sizeOf(target.filter((_, axis) => axis !== inferred));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(
        `${op}: cannot reshape tensor of shape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`,
      );
    }
    target[inferred] = x.size / known;
  }
  checkShape(op, 'shape', target);
  if (sizeOf(target) !== x.size) {
    throw new Error(
      `${op}: cannot reshape tensor of shape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`,
    );
  }
  let out: Tensor;
  if (x.isContiguous) out = viewOf(x, target, contiguousStrides(target), x.offset);
  else out = wrapStorage(x.backend, x.backend.copy(x.view(), x.dtype), target, x.dtype);
  return record(out, () => recordOp('reshape', [x], out, { inputShape: [...x.shape] }));
}

/** Flattens axes `startAxis..endAxis` (all by default) into one. */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  checkTensor('flatten', 'x', x);
  if (x.ndim === 0) return reshape(x, [1]);
  const start = normalizeAxis('flatten', startAxis, x.ndim, x.shape, 'startAxis');
  const end = normalizeAxis('flatten', endAxis, x.ndim, x.shape, 'endAxis');
  if (end < start) throw new Error(`flatten: 'endAxis' (${endAxis}) comes before 'startAxis' (${startAxis})`);
  const merged = sizeOf(x.shape.slice(start, end + 1));
  return reshape(x, [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

/** Removes size-1 axes (the given ones, or all). */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkTensor('squeeze', 'x', x);
  const axes =
    axis === undefined ? x.shape.flatMap((d, a) => (d === 1 ? [a] : [])) : normalizeAxes('squeeze', axis, x.shape);
  for (const a of axes) {
    if (x.shape[a] !== 1)
      throw new Error(`squeeze: axis ${a} of shape ${formatShape(x.shape)} has size ${x.shape[a]}, expected 1`);
  }
  return reshape(
    x,
    x.shape.filter((_, a) => !axes.includes(a)),
  );
}

/** Inserts a size-1 axis at `axis` (which may be negative, counting from the new rank). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', 'x', x);
  const position = normalizeAxis('unsqueeze', axis, x.ndim + 1, x.shape);
  const shape = [...x.shape];
  shape.splice(position, 0, 1);
  return reshape(x, shape);
}

/**
 * Reorders axes: `out.shape[i] = x.shape[axes[i]]`. A view.
 *
 * @example
 * permute(zeros([2, 3, 4]), [2, 0, 1]).shape // [4, 2, 3]
 */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  const op = 'permute';
  checkTensor(op, 'x', x);
  if (!Array.isArray(axes)) throw new Error(`${op}: 'axes' must be an array of integers, got ${describeValue(axes)}`);
  if (axes.length !== x.ndim) {
    throw new Error(`${op}: 'axes' [${axes.join(',')}] must list ${x.ndim} axes for shape ${formatShape(x.shape)}`);
  }
  const normalized = axes.map((axis) => normalizeAxis(op, axis, x.ndim, x.shape, 'axes'));
  if (new Set(normalized).size !== normalized.length) {
    throw new Error(`${op}: 'axes' [${axes.join(',')}] is not a permutation of 0..${x.ndim - 1}`);
  }
  const out = viewOf(
    x,
    normalized.map((axis) => x.shape[axis]!),
    normalized.map((axis) => x.strides[axis]!),
    x.offset,
  );
  return record(out, () => recordOp('permute', [x], out, { axes: normalized }));
}

/**
 * Transposes: with no axes, reverses them all (NumPy's `.T`); with two axes, swaps them
 * (PyTorch's `transpose(dim0, dim1)`); with an array, permutes.
 */
export function transpose(x: Tensor, first?: number | readonly number[], second?: number): Tensor {
  checkTensor('transpose', 'x', x);
  if (Array.isArray(first)) return permute(x, first);
  const axes = Array.from({ length: x.ndim }, (_, axis) => axis);
  if (first === undefined) return permute(x, axes.reverse());
  const a = normalizeAxis('transpose', first as number, x.ndim, x.shape);
  const b = normalizeAxis('transpose', second ?? -1, x.ndim, x.shape);
  [axes[a], axes[b]] = [axes[b]!, axes[a]!];
  return permute(x, axes);
}

/**
 * Broadcasts `x` to `shape` without copying (stride 0 on expanded axes); -1 keeps a size.
 */
export function expand(x: Tensor, shape: Shape): Tensor {
  const op = 'expand';
  checkTensor(op, 'x', x);
  if (!Array.isArray(shape)) checkShape(op, 'shape', shape);
  const offset = shape.length - x.ndim;
  if (offset < 0)
    throw new Error(`${op}: target ${formatShape(shape)} has fewer axes than 'x' ${formatShape(x.shape)}`);
  const target = shape.map((dimension, axis) =>
    dimension === -1 && axis >= offset ? x.shape[axis - offset]! : dimension,
  );
  checkShape(op, 'shape', target);
  const strides = target.map((dimension, axis) => {
    const source = axis - offset;
    if (source < 0) return 0;
    if (x.shape[source] === dimension) return x.strides[source]!;
    if (x.shape[source] === 1) return 0;
    throw new Error(`${op}: cannot expand shape ${formatShape(x.shape)} to ${formatShape(shape)} (axis ${axis})`);
  });
  const out = viewOf(x, target, strides, x.offset);
  return record(out, () => recordOp('expand', [x], out, { inputShape: [...x.shape] }));
}

/** Same as {@link expand}, named as in NumPy. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkTensor('broadcastTo', 'x', x);
  checkShape('broadcastTo', 'shape', shape);
  const broadcast = broadcastShapes('broadcastTo', [x.shape, shape], ['x', 'shape']);
  if (broadcast.length !== shape.length || broadcast.some((dimension, axis) => dimension !== shape[axis])) {
    throw new Error(
      `broadcastTo: cannot broadcast 'x' of shape ${formatShape(x.shape)} to ${formatShape(shape)} (the result would be ${formatShape(broadcast)})`,
    );
  }
  return expand(x, shape);
}

/**
 * One axis of a slice: an index (which removes the axis), `null` (the whole axis), or a
 * range with optional `start`, `stop` and `step` (negative values count from the end).
 */
export type SliceSpec = number | null | { start?: number; stop?: number; step?: number };

/**
 * Slices with Python semantics, one spec per leading axis. A view.
 *
 * @example
 * slice(x, [null, { start: 1, stop: -1 }])   // x[:, 1:-1]
 * slice(x, [{ step: -1 }])                   // x[::-1]
 * slice(x, [0])                              // x[0]
 */
export function slice(x: Tensor, specs: readonly SliceSpec[]): Tensor {
  const op = 'slice';
  checkTensor(op, 'x', x);
  if (!Array.isArray(specs)) throw new Error(`${op}: 'specs' must be an array, got ${describeValue(specs)}`);
  specs.forEach((spec: unknown, axis) => {
    if (spec === null || typeof spec === 'number') return;
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      throw new Error(
        `${op}: 'specs[${axis}]' must be an index, null or { start, stop, step }, got ${describeValue(spec)}`,
      );
    }
    checkOptionKeys(op, spec, ['start', 'stop', 'step']);
  });
  if (specs.length > x.ndim) throw new Error(`${op}: ${specs.length} slice specs for shape ${formatShape(x.shape)}`);
  const starts: number[] = [];
  const steps: number[] = [];
  const shape: number[] = [];
  const removed: number[] = [];
  let offset = x.offset;
  for (let axis = 0; axis < x.ndim; axis++) {
    const size = x.shape[axis]!;
    const spec = specs[axis] ?? null;
    let start = 0;
    let step = 1;
    let length = size;
    if (typeof spec === 'number') {
      if (!Number.isInteger(spec) || spec < -size || spec >= size) {
        throw new Error(
          `${op}: index ${spec} is out of range for axis ${axis} of size ${size} (shape ${formatShape(x.shape)})`,
        );
      }
      start = spec < 0 ? spec + size : spec;
      length = 1;
      removed.push(axis);
    } else if (spec !== null) {
      step = spec.step ?? 1;
      if (!Number.isInteger(step) || step === 0)
        throw new Error(`${op}: 'step' must be a non-zero integer, got ${spec.step}`);
      const clampIndex = (value: number | undefined, fallback: number, low: number, high: number) => {
        if (value === undefined) return fallback;
        if (!Number.isInteger(value))
          throw new Error(`${op}: slice bounds must be integers, got ${value} on axis ${axis}`);
        const shifted = value < 0 ? value + size : value;
        return Math.min(Math.max(shifted, low), high);
      };
      if (step > 0) {
        start = clampIndex(spec.start, 0, 0, size);
        const stop = clampIndex(spec.stop, size, 0, size);
        length = Math.max(0, Math.ceil((stop - start) / step));
      } else {
        start = clampIndex(spec.start, size - 1, -1, size - 1);
        const stop = clampIndex(spec.stop, -1, -1, size - 1);
        length = Math.max(0, Math.ceil((stop - start) / step));
      }
    }
    starts.push(start);
    steps.push(step);
    shape.push(length);
    if (length > 0) offset += start * x.strides[axis]!;
  }
  const strides = x.strides.map((stride, axis) => stride * steps[axis]!);
  const view = viewOf(x, shape, strides, offset);
  const out = record(view, () => recordOp('slice', [x], view, { inputShape: [...x.shape], starts, steps }));
  if (removed.length === 0) return out;
  const dropped = dropAxes(out, removed);
  // The intermediate view is only needed by a recording tape; otherwise free it at once.
  if (!isRecording()) out.dispose();
  return dropped;
}

// Dropping size-1 axes never needs a copy, even for non-contiguous views.
function dropAxes(x: Tensor, removed: readonly number[]): Tensor {
  const shape = x.shape.filter((_, axis) => !removed.includes(axis));
  const strides = x.strides.filter((_, axis) => !removed.includes(axis));
  const out = viewOf(x, shape, strides, x.offset);
  return record(out, () => recordOp('reshape', [x], out, { inputShape: [...x.shape] }));
}

/** Reverses the order of elements along the given axes. A view (negative strides). */
export function flip(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkTensor('flip', 'x', x);
  const axes = normalizeAxes('flip', axis, x.shape);
  let offset = x.offset;
  const strides = x.strides.map((stride, a) => {
    if (!axes.includes(a) || x.shape[a]! === 0) return stride;
    offset += (x.shape[a]! - 1) * stride;
    return -stride;
  });
  const out = viewOf(x, x.shape, strides, offset);
  return record(out, () => recordOp('flip', [x], out, { axes }));
}

/**
 * Pads with a constant: `pads[axis] = [before, after]` for the leading axes (missing axes
 * get no padding).
 *
 * @example
 * pad(tensor([1, 2]), [[1, 2]]) // [0, 1, 2, 0, 0]
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  const op = 'pad';
  checkTensor(op, 'x', x);
  if (!Array.isArray(pads))
    throw new Error(`${op}: 'pads' must be an array of [before, after] pairs, got ${describeValue(pads)}`);
  if (typeof value !== 'number') throw new Error(`${op}: 'value' must be a number, got ${describeValue(value)}`);
  if (pads.length > x.ndim) throw new Error(`${op}: ${pads.length} pad pairs for shape ${formatShape(x.shape)}`);
  const full = x.shape.map((_, axis) => {
    const pair = pads[axis] ?? [0, 0];
    if (!Array.isArray(pair) || pair.length !== 2 || pair.some((p) => !Number.isInteger(p) || p < 0)) {
      throw new Error(`${op}: 'pads[${axis}]' must be a pair of non-negative integers, got ${JSON.stringify(pair)}`);
    }
    return [pair[0], pair[1]] as [number, number];
  });
  const shape = x.shape.map((dimension, axis) => dimension + full[axis]![0] + full[axis]![1]);
  const out = wrapStorage(x.backend, x.backend.pad(x.view(), full, value, x.dtype), shape, x.dtype);
  return record(out, () => recordOp('pad', [x], out, { pads: full }));
}

/**
 * Joins tensors along an existing axis; dtypes are promoted.
 *
 * @example
 * concat([zeros([2, 3]), ones([1, 3])], 0).shape // [3, 3]
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  const op = 'concat';
  if (!Array.isArray(tensors as unknown) || tensors.length === 0)
    throw new Error(`${op}: 'tensors' must be a non-empty array`);
  tensors.forEach((t, index) => checkTensor(op, `tensors[${index}]`, t));
  const backend = commonBackend(
    op,
    tensors,
    tensors.map((_, index) => `tensors[${index}]`),
  );
  const first = tensors[0]!;
  const normalized = normalizeAxis(op, axis, first.ndim, first.shape);
  tensors.forEach((t, index) => {
    const matches = t.ndim === first.ndim && t.shape.every((d, a) => a === normalized || d === first.shape[a]);
    if (!matches) {
      throw new Error(
        `${op}: 'tensors[${index}]' has shape ${formatShape(t.shape)}, expected ${formatShape(first.shape.map((d, a) => (a === normalized ? '*' : d)) as never)} to match 'tensors[0]'`,
      );
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  return composite(() => {
    const inputs = tensors.map((t) => cast(t, dtype));
    const sizes = inputs.map((t) => t.shape[normalized]!);
    const shape = first.shape.map((d, a) => (a === normalized ? sizes.reduce((s, v) => s + v, 0) : d));
    const out = wrapStorage(
      backend,
      backend.concat(
        inputs.map((t) => t.view()),
        normalized,
        shape,
        dtype,
      ),
      shape,
      dtype,
    );
    return record(out, () => recordOp('concat', inputs, out, { axis: normalized, sizes }));
  });
}

/** Joins same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0)
    throw new Error("stack: 'tensors' must be a non-empty array");
  tensors.forEach((t, index) => {
    checkTensor('stack', `tensors[${index}]`, t);
    if (t.ndim !== tensors[0]!.ndim || t.shape.some((d, a) => d !== tensors[0]!.shape[a])) {
      throw new Error(
        `stack: 'tensors[${index}]' has shape ${formatShape(t.shape)}, expected ${formatShape(tensors[0]!.shape)}`,
      );
    }
  });
  commonBackend(
    'stack',
    tensors,
    tensors.map((_, index) => `tensors[${index}]`),
  );
  const position = normalizeAxis('stack', axis, tensors[0]!.ndim + 1, tensors[0]!.shape);
  return composite(() =>
    concat(
      tensors.map((t) => unsqueeze(t, position)),
      position,
    ),
  );
}

/**
 * Splits into pieces along `axis`: `sections` equal pieces (a number) or pieces of the given
 * sizes (an array). The pieces are views.
 */
export function split(x: Tensor, sections: number | readonly number[], axis = 0): Tensor[] {
  const op = 'split';
  checkTensor(op, 'x', x);
  const normalized = normalizeAxis(op, axis, x.ndim, x.shape);
  const size = x.shape[normalized]!;
  let sizes: number[];
  if (typeof sections === 'number') {
    if (!Number.isInteger(sections) || sections <= 0 || size % sections !== 0) {
      throw new Error(`${op}: axis ${normalized} of size ${size} cannot be split into ${sections} equal sections`);
    }
    sizes = new Array<number>(sections).fill(size / sections);
  } else if (Array.isArray(sections)) {
    sizes = [...sections];
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== size) {
      throw new Error(
        `${op}: sizes [${sizes.join(',')}] must be non-negative integers summing to ${size} (axis ${normalized} of ${formatShape(x.shape)})`,
      );
    }
  } else {
    throw new Error(
      `${op}: 'sections' must be a positive integer or an array of sizes, got ${describeValue(sections)}`,
    );
  }
  const pieces: Tensor[] = [];
  let start = 0;
  for (const length of sizes) {
    const specs: SliceSpec[] = x.shape.map(() => null);
    specs[normalized] = { start, stop: start + length };
    pieces.push(slice(x, specs));
    start += length;
  }
  return pieces;
}

/** Splits into `chunks` pieces of size ⌈n/chunks⌉ along `axis` (the last may be smaller), as PyTorch. */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  checkTensor('chunk', 'x', x);
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new Error(`chunk: 'chunks' must be a positive integer, got ${chunks}`);
  const normalized = normalizeAxis('chunk', axis, x.ndim, x.shape);
  const size = x.shape[normalized]!;
  const piece = Math.ceil(size / chunks) || 1;
  const sizes: number[] = [];
  for (let start = 0; start < size; start += piece) sizes.push(Math.min(piece, size - start));
  return split(x, sizes.length ? sizes : [0], normalized);
}

/** Repeats `x` `reps[i]` times along each axis (NumPy's tile). */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  checkTensor('tile', 'x', x);
  checkShape('tile', 'reps', reps as number[]);
  const rank = Math.max(x.ndim, reps.length);
  const shape = [...new Array<number>(rank - x.ndim).fill(1), ...x.shape];
  const repeats = [...new Array<number>(rank - reps.length).fill(1), ...reps];
  return composite(() => {
    const interleaved = shape.flatMap((d) => [1, d]);
    const expanded = expand(
      reshape(x, interleaved),
      shape.flatMap((d, a) => [repeats[a]!, d]),
    );
    return reshape(
      expanded,
      shape.map((d, a) => d * repeats[a]!),
    );
  });
}

declare module '../tensor.js' {
  interface Tensor {
    contiguous(): Tensor;
    reshape(shape: Shape): Tensor;
    flatten(startAxis?: number, endAxis?: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    unsqueeze(axis: number): Tensor;
    permute(axes: readonly number[]): Tensor;
    transpose(first?: number | readonly number[], second?: number): Tensor;
    expand(shape: Shape): Tensor;
    broadcastTo(shape: Shape): Tensor;
    slice(specs: readonly SliceSpec[]): Tensor;
    flip(axis?: number | readonly number[]): Tensor;
    pad(pads: readonly (readonly [number, number])[], value?: number): Tensor;
    split(sections: number | readonly number[], axis?: number): Tensor[];
    chunk(chunks: number, axis?: number): Tensor[];
    tile(reps: readonly number[]): Tensor;
    /** NumPy's `.T`: all axes reversed. */
    readonly T: Tensor;
  }
}

Object.assign(Tensor.prototype, {
  contiguous(this: Tensor) {
    return contiguous(this);
  },
  reshape(this: Tensor, shape: Shape) {
    return reshape(this, shape);
  },
  flatten(this: Tensor, startAxis?: number, endAxis?: number) {
    return flatten(this, startAxis, endAxis);
  },
  squeeze(this: Tensor, axis?: number | readonly number[]) {
    return squeeze(this, axis);
  },
  unsqueeze(this: Tensor, axis: number) {
    return unsqueeze(this, axis);
  },
  permute(this: Tensor, axes: readonly number[]) {
    return permute(this, axes);
  },
  transpose(this: Tensor, first?: number | readonly number[], second?: number) {
    return transpose(this, first, second);
  },
  expand(this: Tensor, shape: Shape) {
    return expand(this, shape);
  },
  broadcastTo(this: Tensor, shape: Shape) {
    return broadcastTo(this, shape);
  },
  slice(this: Tensor, specs: readonly SliceSpec[]) {
    return slice(this, specs);
  },
  flip(this: Tensor, axis?: number | readonly number[]) {
    return flip(this, axis);
  },
  pad(this: Tensor, pads: readonly (readonly [number, number])[], value?: number) {
    return pad(this, pads, value);
  },
  split(this: Tensor, sections: number | readonly number[], axis?: number) {
    return split(this, sections, axis);
  },
  chunk(this: Tensor, chunks: number, axis?: number) {
    return chunk(this, chunks, axis);
  },
  tile(this: Tensor, reps: readonly number[]) {
    return tile(this, reps);
  },
});
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return transpose(this);
  },
  configurable: true,
});
