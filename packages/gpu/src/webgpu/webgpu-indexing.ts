/**
 * Gather and scatter-add of the `webgpu` backend (torch.gather / torch.scatter_add along one
 * axis), reading every operand through its strides. Concatenation and padding live in
 * webgpu-movement.ts and are re-exported here (the backend imports them from this module).
 *
 * Index ranges are not checked on the host on this backend (that would need a synchronous
 * read), so the kernels guard every index themselves and never read outside a buffer:
 * {@link gather} yields NaN (float32) or 0 (int32, bool) for an index outside [0, size), and
 * {@link scatterAdd} ignores such an index.
 *
 * Scatter-add without atomics: WGSL has no float atomics, and atomic adds in any order would
 * not be deterministic anyway. So each thread owns one value of the result and looks along
 * `axis` for the index entries that point at it, adding their source values in the order the
 * CPU backend adds them (increasing position along `axis`): float32 results are bit-identical
 * to the CPU's. The cost is O(target size × index length along `axis`) index reads, fine for
 * the gradients of gather and moderate sizes; a sort-and-segment scatter is the upgrade path
 * for large embedding tables.
 */
import { sizeOf, type TensorView } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { convertedElement } from './webgpu-movement.js';
import { createStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
import { WGSL_MATH } from './wgsl-expression.js';
import { stridedPositions, stridedWalk } from './wgsl-strided.js';

export { concat, pad } from './webgpu-movement.js';

function checkIndex(op: string, x: TensorView, axis: number, index: TensorView): void {
  if (index.dtype !== 'int32') throw new Error(`webgpu.${op}: 'index' must be int32, got ${index.dtype}`);
  if (index.shape.length !== x.shape.length)
    throw new Error(`webgpu.${op}: 'index' has shape [${index.shape}], of another rank than [${x.shape}]`);
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length)
    throw new Error(`webgpu.${op}: 'axis' ${axis} is not an axis of shape [${x.shape}]`);
}

/**
 * torch.gather: the result has `index`'s shape and `x`'s dtype, and its value at a position is
 * `x`'s value at the same position but for `axis`, where `index` (int32) gives the coordinate.
 * An index outside [0, x.shape[axis]) gives NaN for float32 `x` and 0 for int32 and bool (the
 * tensor core's range check runs on the host only where reads are synchronous, so the kernel
 * guards its reads).
 *
 * @example
 * gather(x [[1, 2], [3, 4]], 1, index [[1], [0]]) // [[2], [3]]
 */
export function gather(x: TensorView, axis: number, index: TensorView): WebGpuStorage {
  const op = 'gather';
  checkIndex(op, x, axis, index);
  const size = sizeOf(index.shape);
  const out = createStorage(x.dtype, size, op);
  if (size === 0) return out;
  // x walked at index's coordinates with axis left out: the index entry adds axis's share.
  const xBesideAxis: TensorView = {
    ...x,
    shape: index.shape,
    strides: x.strides.map((stride, which) => (which === axis ? 0 : stride)),
  };
  const walk = stridedWalk(index.shape, [index, xBesideAxis]);
  const axisAt = 1 + walk.meta.length;
  const outside = x.dtype === 'float32' ? 'vaneNaN()' : x.dtype === 'int32' ? '0' : '0u';
  const source = cachedSource(`gather|${x.dtype}|${walk.rank}`, () =>
    [
      bindingDeclarations(op, ['int32', x.dtype], [x.dtype]),
      WGSL_MATH,
      threadKernel(`${stridedPositions(walk.rank, 2)}
  let chosen = in0[at0];
  if (chosen < 0 || chosen >= dims[${axisAt + 1}]) {
    out0[thread] = ${outside};
  } else {
    out0[thread] = in1[at1 + chosen * dims[${axisAt}]];
  }`),
    ].join('\n'),
  );
  dispatchThreads(op, source, [viewStorage(index), viewStorage(x)], [out], size, [
    ...walk.meta,
    x.strides[axis]!,
    x.shape[axis]!,
  ]);
  return out;
}

/**
 * torch.scatter_add: a dense copy of `target` with each `source` value added at the position
 * of `target` that is the source's position but for `axis`, where `index` (int32, `source`'s
 * positions below `index`'s shape) gives the coordinate. Repeated indices add up, in increasing
 * order along `axis` (as the CPU backend adds them); an index outside [0, target.shape[axis])
 * is ignored (the host range check does not run on this backend). A `source` of another dtype
 * than `target` is converted as `copy` converts (the op casts it first). Bool values add as the
 * integers 0 and 1, as the CPU backend's bytes do (two trues give 2, as there).
 *
 * @example
 * scatterAdd(target zeros([3]), 0, index [0, 2, 0], source [1, 2, 3]) // [4, 0, 2]
 */
export function scatterAdd(target: TensorView, axis: number, index: TensorView, source: TensorView): WebGpuStorage {
  const op = 'scatterAdd';
  checkIndex(op, target, axis, index);
  if (source.shape.length !== target.shape.length)
    throw new Error(`webgpu.${op}: 'source' has shape [${source.shape}], of another rank than [${target.shape}]`);
  const size = sizeOf(target.shape);
  const out = createStorage(target.dtype, size, op);
  if (size === 0) return out;
  const rank = target.shape.length;
  // dims: threads, rank, axis, target's shape, index's shape, then offset and strides of
  // target, index and source (rank + 1 values each): one pipeline for every rank.
  const shader = cachedSource(`scatterAdd|${target.dtype}|${source.dtype}`, () =>
    [
      bindingDeclarations(op, [target.dtype, 'int32', source.dtype], [target.dtype]),
      threadKernel(`  let rank = dims[1];
  let axis = dims[2];
  let indexShapeAt = 3 + rank;
  let targetViewAt = 3 + 2 * rank;
  let indexViewAt = 4 + 3 * rank;
  let sourceViewAt = 5 + 4 * rank;
  var rest = i32(thread);
  var targetAt = dims[targetViewAt];
  var indexAt = dims[indexViewAt];
  var sourceAt = dims[sourceViewAt];
  var position = 0;
  // Whether index reaches this value's coordinates on the other axes (index may be smaller).
  var covered = true;
  for (var a = rank - 1; a >= 0; a--) {
    let extent = dims[3 + a];
    let coordinate = rest % extent;
    rest = rest / extent;
    targetAt += coordinate * dims[targetViewAt + 1 + a];
    if (a == axis) {
      position = coordinate;
    } else {
      covered = covered && coordinate < dims[indexShapeAt + a];
      indexAt += coordinate * dims[indexViewAt + 1 + a];
      sourceAt += coordinate * dims[sourceViewAt + 1 + a];
    }
  }
  var total = in0[targetAt];
  if (covered) {
    let steps = dims[indexShapeAt + axis];
    let indexStep = dims[indexViewAt + 1 + axis];
    let sourceStep = dims[sourceViewAt + 1 + axis];
    for (var step = 0; step < steps; step++) {
      if (in1[indexAt + step * indexStep] == position) {
        total += ${convertedElement(2, source.dtype, target.dtype, 'sourceAt + step * sourceStep')};
      }
    }
  }
  out0[thread] = total;`),
    ].join('\n'),
  );
  const meta = [
    rank,
    axis,
    ...target.shape,
    ...index.shape,
    target.offset,
    ...target.strides,
    index.offset,
    ...index.strides,
    source.offset,
    ...source.strides,
  ];
  dispatchThreads(op, shader, [viewStorage(target), viewStorage(index), viewStorage(source)], [out], size, meta);
  return out;
}
