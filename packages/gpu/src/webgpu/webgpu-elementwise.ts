/**
 * The elementwise primitives of the `webgpu` backend — copy, unary, binary, where and fused
 * kernels — as one kind of shader: each thread computes one output value from its operands'
 * strided positions (wgsl-strided.ts) through the kernel's expression (wgsl-expression.ts).
 * Float32 unary, binary and fused ops enter through webgpu-fusion.ts, which records them as
 * pending values and runs chains of them as one kernel; {@link elementwise} runs the others
 * (int32 and bool results) at once.
 *
 * Values are computed in `f32`, as on the WebGL backend: int32 operands are exact below 2^24.
 * Conversions into the output's dtype follow the CPU's: int32 truncates toward zero, bool is
 * "not zero" (NaN included).
 */
import { sizeOf, type DType, type FusedKernel, type TensorView } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { createStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
import { WGSL_MATH, wgslExpressionFunction } from './wgsl-expression.js';
import { stridedPositions, stridedWalk } from './wgsl-strided.js';

/** WGSL reading element `position` of `in<which>` (of `dtype`) as an f32. */
export function readAsFloat(which: number, dtype: DType, position: string): string {
  return dtype === 'float32' ? `in${which}[${position}]` : `f32(in${which}[${position}])`;
}

/** WGSL converting the f32 `value` into the element type of `dtype`, as the CPU stores it. */
export function storeFromFloat(dtype: DType, value: string): string {
  if (dtype === 'float32') return value;
  if (dtype === 'int32') return `i32(${value})`;
  // Not zero by the bits (sign masked, so -0 is false and NaN true): a compiler that assumes no
  // NaN could turn `value != 0.0` into an ordered test and make NaN false.
  return `select(0u, 1u, (bitcast<u32>(${value}) & 0x7fffffffu) != 0u)`;
}

const expressionIds = new WeakMap<object, number>();
let nextExpressionId = 0;

/**
 * A number per expression tree: two user kernels may share a name, never a tree object. The
 * op tables hand out one kernel object per op, so an op's number is the same on every call.
 */
export function expressionId(kernel: FusedKernel): number {
  let id = expressionIds.get(kernel.expression);
  if (id === undefined) {
    id = nextExpressionId++;
    expressionIds.set(kernel.expression, id);
  }
  return id;
}

/**
 * Runs `fused`'s expression over `inputs` (views broadcast to one shape) with `scalars`, into a
 * new storage of `outDtype`: the one shader behind unary, binary and fused ops.
 */
export function elementwise(
  op: string,
  kernel: FusedKernel,
  inputs: readonly TensorView[],
  scalars: readonly number[],
  outDtype: DType,
): WebGpuStorage {
  const shape = inputs[0]!.shape;
  const size = sizeOf(shape);
  const out = createStorage(outDtype, size, op);
  if (size === 0) return out;
  const walk = stridedWalk(shape, inputs);
  const dtypes = inputs.map((input) => input.dtype);
  const scalarStart = 1 + walk.meta.length;
  const key = `elementwise|${expressionId(kernel)}|${dtypes.join(',')}>${outDtype}|${walk.rank}|${scalars.length}`;
  const source = cachedSource(key, () => {
    const fn = wgslExpressionFunction('vaneValue', kernel.expression, kernel.arity, kernel.scalarCount);
    const operands = [
      ...inputs.map((_, which) => readAsFloat(which, dtypes[which]!, `at${which}`)),
      ...scalars.map((_, index) => `bitcast<f32>(dims[${scalarStart + index}])`),
    ];
    return [
      bindingDeclarations(op, dtypes, [outDtype]),
      WGSL_MATH,
      fn,
      threadKernel(
        `${stridedPositions(walk.rank, inputs.length)}\n  out0[thread] = ${storeFromFloat(outDtype, `vaneValue(${operands.join(', ')})`)};`,
      ),
    ].join('\n');
  });
  const scalarBits = Array.from(new Int32Array(Float32Array.from(scalars).buffer));
  dispatchThreads(op, source, inputs.map(viewStorage), [out], size, [...walk.meta, ...scalarBits]);
  return out;
}

/** `x`'s values, dense and row-major, converted to `dtype`. */
export function copyView(x: TensorView, dtype: DType): WebGpuStorage {
  const size = sizeOf(x.shape);
  const out = createStorage(dtype, size, 'copy');
  if (size === 0) return out;
  const walk = stridedWalk(x.shape, [x]);
  const source = cachedSource(`copy|${x.dtype}>${dtype}|${walk.rank}`, () => {
    const value =
      x.dtype === dtype
        ? 'in0[at0]'
        : x.dtype === 'bool' && dtype === 'int32'
          ? 'i32(in0[at0])'
          : storeFromFloat(dtype, readAsFloat(0, x.dtype, 'at0'));
    return [
      bindingDeclarations('copy', [x.dtype], [dtype]),
      threadKernel(`${stridedPositions(walk.rank, 1)}\n  out0[thread] = ${value};`),
    ].join('\n');
  });
  dispatchThreads('copy', source, [viewStorage(x)], [out], size, walk.meta);
  return out;
}

/** `condition ? a : b` per element, the three views broadcast to `outShape`. */
export function where(
  condition: TensorView,
  a: TensorView,
  b: TensorView,
  outShape: readonly number[],
  outDtype: DType,
): WebGpuStorage {
  const size = sizeOf(outShape);
  const out = createStorage(outDtype, size, 'where');
  if (size === 0) return out;
  const views = [condition, a, b];
  const walk = stridedWalk(outShape, views);
  const key = `where|${views.map((view) => view.dtype).join(',')}>${outDtype}|${walk.rank}`;
  const source = cachedSource(key, () => {
    const chosen = (which: number, view: TensorView) =>
      view.dtype === outDtype
        ? `in${which}[at${which}]`
        : storeFromFloat(outDtype, readAsFloat(which, view.dtype, `at${which}`));
    const test =
      condition.dtype === 'float32' ? 'in0[at0] != 0.0' : `in0[at0] != ${condition.dtype === 'int32' ? '0' : '0u'}`;
    return [
      bindingDeclarations(
        'where',
        views.map((view) => view.dtype),
        [outDtype],
      ),
      threadKernel(
        `${stridedPositions(walk.rank, 3)}\n  if (${test}) { out0[thread] = ${chosen(1, a)}; } else { out0[thread] = ${chosen(2, b)}; }`,
      ),
    ].join('\n');
  });
  dispatchThreads('where', source, views.map(viewStorage), [out], size, walk.meta);
  return out;
}
