/**
 * Indexing ops: gather/takeAlongAxis/indexSelect, scatterAdd, oneHot, triu/tril.
 */
import type { DType } from '../dtype.js';
import { assertDType, isFloatingDType } from '../dtype.js';
import { checkOptionKeys } from '../validation/option-keys.js';
import { recordOp } from '../engine.js';
import { formatShape, normalizeAxis } from '../shape.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { arange } from './creation.js';
import { cast, equal, greaterEqual, lessEqual, sub, where } from './elementwise.js';
import { checkTensor, commonBackend, wrapStorage } from './internal.js';
import { expand, reshape, unsqueeze } from './movement.js';
import { max, min } from './reduction.js';

function checkIndexTensor(op: string, index: Tensor): void {
  checkTensor(op, 'index', index);
  if (index.dtype !== 'int32') {
    throw new Error(
      `${op}: 'index' must be an int32 tensor, got ${index.dtype} with shape ${formatShape(index.shape)}`,
    );
  }
}

/**
 * Throws unless every entry of `index` lies in [0, size). Checked by the op itself (not left to
 * the gather it delegates to) so that the error names the op the user called and the index as
 * given, not an internal broadcast of it.
 *
 * Only on backends that read synchronously: on the others (`webgpu`) the check would need an
 * asynchronous read in the middle of an op, so the kernels guard instead — an index out of range
 * gathers NaN (0 for integer dtypes) and scatters nothing, as documented by the backend.
 */
function checkIndexRange(op: string, index: Tensor, axis: number, size: number): void {
  if (index.size === 0 || !index.backend.supportsSyncRead) return;
  const low = composite(() => min(index).item());
  const high = composite(() => max(index).item());
  const bad = low < 0 ? low : high >= size ? high : undefined;
  if (bad !== undefined) {
    throw new RangeError(
      `${op}: 'index' (shape ${formatShape(index.shape)}) holds ${bad}, out of range for axis ${axis} of size ${size}`,
    );
  }
}

/**
 * torch.gather: `out[i][j] = x[index[i][j]][j]` for axis 0 (and likewise for any axis). The
 * index has the same rank as x; its size may be smaller on every axis but `axis`.
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const op = 'gather';
  checkTensor(op, 'x', x);
  checkIndexTensor(op, index);
  commonBackend(op, [x, index], ['x', 'index']);
  const normalized = normalizeAxis(op, axis, x.ndim, x.shape);
  if (index.ndim !== x.ndim || index.shape.some((d, a) => a !== normalized && d > x.shape[a]!)) {
    throw new Error(
      `${op}: 'index' has shape ${formatShape(index.shape)}, incompatible with 'x' of shape ${formatShape(x.shape)} on axis ${normalized}`,
    );
  }
  const out = wrapStorage(x.backend, x.backend.gather(x.view(), normalized, index.view()), index.shape, x.dtype);
  return isFloatingDType(x.dtype) ? recordOp('gather', [x, index], out, { axis: normalized }) : out;
}

/** NumPy's take_along_axis (argument order of NumPy; same as {@link gather}). */
export function takeAlongAxis(x: Tensor, indices: Tensor, axis: number): Tensor {
  return gather(x, axis, indices);
}

/**
 * Selects entries along `axis` by a 1-D index: `out.shape[axis] = index.length`.
 *
 * @example
 * indexSelect(embeddings, 0, tensor([3, 1], { dtype: 'int32' }))
 */
export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  const op = 'indexSelect';
  checkTensor(op, 'x', x);
  checkIndexTensor(op, index);
  if (index.ndim !== 1) throw new Error(`${op}: 'index' must be 1-D, got shape ${formatShape(index.shape)}`);
  commonBackend(op, [x, index], ['x', 'index']);
  const normalized = normalizeAxis(op, axis, x.ndim, x.shape);
  checkIndexRange(op, index, normalized, x.shape[normalized]!);
  return composite(() => {
    const shape = x.shape.map((d, a) => (a === normalized ? index.shape[0]! : d));
    const viewShape = x.shape.map((_, a) => (a === normalized ? index.shape[0]! : 1));
    // The broadcast index is a stride-0 view, so no index copy is made.
    return gather(x, normalized, expand(reshape(index, viewShape), shape));
  });
}

/**
 * torch.scatter_add: a copy of `target` with `source[i][j]` added at
 * `target[index[i][j]][j]` (axis 0).
 */
export function scatterAdd(target: Tensor, axis: number, index: Tensor, source: Tensor): Tensor {
  const op = 'scatterAdd';
  checkTensor(op, 'target', target);
  checkTensor(op, 'source', source);
  checkIndexTensor(op, index);
  commonBackend(op, [target, index, source], ['target', 'index', 'source']);
  const normalized = normalizeAxis(op, axis, target.ndim, target.shape);
  if (
    index.ndim !== target.ndim ||
    index.shape.some((d, a) => d > source.shape[a]! || (a !== normalized && d > target.shape[a]!))
  ) {
    throw new Error(
      `${op}: 'index' has shape ${formatShape(index.shape)}, incompatible with 'target' ${formatShape(target.shape)} and 'source' ${formatShape(source.shape)} on axis ${normalized}`,
    );
  }
  const sourceTensor = source.dtype === target.dtype ? source : cast(source, target.dtype);
  const data = target.backend.scatterAdd(target.view(), normalized, index.view(), sourceTensor.view());
  const out = wrapStorage(target.backend, data, target.shape, target.dtype);
  return isFloatingDType(target.dtype)
    ? recordOp('scatterAdd', [target, index, sourceTensor], out, { axis: normalized })
    : out;
}

/**
 * One-hot encoding along a new last axis (float32 by default, as losses want).
 *
 * @example
 * oneHot(tensor([0, 2], { dtype: 'int32' }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Tensor, numClasses: number, options: { dtype?: DType } = {}): Tensor {
  const op = 'oneHot';
  checkOptionKeys(op, options, ['dtype']);
  const dtype = options?.dtype ?? 'float32';
  assertDType(op, dtype);
  checkIndexTensor(op, indices);
  if (!Number.isInteger(numClasses) || numClasses <= 0)
    throw new Error(`${op}: 'numClasses' must be a positive integer, got ${numClasses}`);
  // Checked where values can be read synchronously; elsewhere (webgpu) an out-of-range index
  // matches no class and gives an all-zero row.
  if (indices.size > 0 && indices.backend.supportsSyncRead) {
    const low = composite(() => min(indices).item());
    const high = composite(() => max(indices).item());
    if (low < 0 || high >= numClasses) {
      throw new Error(`${op}: 'indices' holds values in [${low}, ${high}], expected [0, ${numClasses - 1}]`);
    }
  }
  return composite(() => {
    const classes = arange(0, numClasses, 1, { dtype: 'int32', backend: indices.backend.name });
    return cast(equal(unsqueeze(indices, -1), classes), dtype);
  });
}

function triangle(op: 'triu' | 'tril', x: Tensor, diagonal: number): Tensor {
  checkTensor(op, 'x', x);
  if (x.ndim < 2) throw new Error(`${op}: 'x' must have at least 2 axes, got shape ${formatShape(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new Error(`${op}: 'diagonal' must be an integer, got ${diagonal}`);
  const rows = x.shape[x.ndim - 2]!;
  const columns = x.shape[x.ndim - 1]!;
  return composite(() => {
    const backend = x.backend.name;
    const offset = sub(
      reshape(arange(0, columns, 1, { dtype: 'int32', backend }), [1, columns]),
      reshape(arange(0, rows, 1, { dtype: 'int32', backend }), [rows, 1]),
    );
    // triu keeps j − i ≥ k; tril keeps j − i ≤ k.
    const mask = op === 'triu' ? greaterEqual(offset, diagonal) : lessEqual(offset, diagonal);
    return where(mask, x, x.dtype === 'bool' ? false : 0);
  });
}

/** Upper triangle of the last two axes (entries with column − row ≥ diagonal); the rest zero. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal);
}

/** Lower triangle of the last two axes (entries with column − row ≤ diagonal); the rest zero. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal);
}

declare module '../tensor.js' {
  interface Tensor {
    gather(axis: number, index: Tensor): Tensor;
    indexSelect(axis: number, index: Tensor): Tensor;
    scatterAdd(axis: number, index: Tensor, source: Tensor): Tensor;
    triu(diagonal?: number): Tensor;
    tril(diagonal?: number): Tensor;
  }
}

Object.assign(Tensor.prototype, {
  gather(this: Tensor, axis: number, index: Tensor) {
    return gather(this, axis, index);
  },
  indexSelect(this: Tensor, axis: number, index: Tensor) {
    return indexSelect(this, axis, index);
  },
  scatterAdd(this: Tensor, axis: number, index: Tensor, source: Tensor) {
    return scatterAdd(this, axis, index, source);
  },
  triu(this: Tensor, diagonal?: number) {
    return triu(this, diagonal);
  },
  tril(this: Tensor, diagonal?: number) {
    return tril(this, diagonal);
  },
});
