/**
 * The copying movement primitives of the `webgpu` backend: concatenation and constant padding,
 * both writing a new dense row-major storage from strided views (broadcast, flipped, sliced and
 * transposed views are read in place: no dense copy first).
 *
 * - `concat`: one dispatch per non-empty input, one thread per input value writing it into its
 *   region of the output (the regions tile the output, so every value is written once).
 * - `pad`: one dispatch, one thread per output value: the value of `x` under it, or the pad
 *   value outside `x`. The rank and sizes travel in `dims`, so one pipeline serves every rank
 *   and pad value of a dtype.
 */
import { contiguousStrides, sizeOf, type DType, type Shape, type TensorView } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { readAsFloat, storeFromFloat } from './webgpu-elementwise.js';
import { createStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
import { stridedPositions, stridedWalk } from './wgsl-strided.js';

/**
 * WGSL reading `in<which>[position]` (of dtype `from`) as a value of dtype `to`, converted as
 * the `copy` primitive converts (int32 truncates toward zero, bool is "not zero").
 */
export function convertedElement(which: number, from: DType, to: DType, position: string): string {
  if (from === to) return `in${which}[${position}]`;
  if (from === 'bool' && to === 'int32') return `i32(in${which}[${position}])`;
  return storeFromFloat(to, readAsFloat(which, from, position));
}

/** Copies `input` into the region of the dense `out` that starts at `offset` (with `out`'s `strides`). */
function copyIntoRegion(
  op: string,
  input: TensorView,
  out: WebGpuStorage,
  strides: readonly number[],
  offset: number,
): void {
  const size = sizeOf(input.shape);
  if (size === 0) return;
  const region: TensorView = { data: out, dtype: out.dtype, shape: input.shape, strides, offset };
  const walk = stridedWalk(input.shape, [input, region]);
  const source = cachedSource(`regionCopy|${input.dtype}>${out.dtype}|${walk.rank}`, () =>
    [
      bindingDeclarations(op, [input.dtype], [out.dtype]),
      threadKernel(
        `${stridedPositions(walk.rank, 2)}\n  out0[at1] = ${convertedElement(0, input.dtype, out.dtype, 'at0')};`,
      ),
    ].join('\n'),
  );
  dispatchThreads(op, source, [viewStorage(input)], [out], size, walk.meta);
}

/**
 * `inputs` (same rank, equal sizes but on `axis`) joined along `axis` into a new storage of
 * `outShape` and `outDtype`; inputs of another dtype are converted as `copy` converts (the
 * concat op casts them to the promoted dtype first).
 */
export function concat(inputs: readonly TensorView[], axis: number, outShape: Shape, outDtype: DType): WebGpuStorage {
  const op = 'concat';
  inputs.forEach((input, which) => {
    if (input.shape.length !== outShape.length)
      throw new Error(
        `webgpu.${op}: 'inputs[${which}]' has shape [${input.shape}], of another rank than the output [${outShape}]`,
      );
  });
  const out = createStorage(outDtype, sizeOf(outShape), op);
  const strides = contiguousStrides(outShape);
  let start = 0;
  for (const input of inputs) {
    copyIntoRegion(op, input, out, strides, start * strides[axis]!);
    start += input.shape[axis]!;
  }
  return out;
}

/**
 * The pad value as the 32-bit word a storage of `dtype` holds: the float32 nearest `value`, the
 * int32 a CPU Int32Array stores (truncated, modulo 2³²), or for bool 1 when the byte a CPU
 * Uint8Array stores is not 0 (bool storage holds only 0 and 1 on this backend).
 */
function padWord(value: number, dtype: DType): number {
  if (dtype === 'float32') return new Int32Array(Float32Array.of(value).buffer)[0]!;
  if (dtype === 'int32') return value | 0;
  return ((value | 0) & 255) !== 0 ? 1 : 0;
}

/**
 * `x` padded on each axis with `pads[axis] = [before, after]` copies of `value`, into a new
 * storage of `outDtype` (`x` converted as `copy` converts, `value` as described at padWord).
 */
export function pad(
  x: TensorView,
  pads: readonly (readonly [number, number])[],
  value: number,
  outDtype: DType,
): WebGpuStorage {
  const op = 'pad';
  if (pads.length !== x.shape.length)
    throw new Error(`webgpu.${op}: ${pads.length} pad pairs for 'x' of shape [${x.shape}] (one per axis expected)`);
  pads.forEach(([before, after], axis) => {
    if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0)
      throw new Error(`webgpu.${op}: 'pads[${axis}]' must be two non-negative integers, got [${before}, ${after}]`);
  });
  const rank = x.shape.length;
  const outShape = x.shape.map((extent, axis) => extent + pads[axis]![0] + pads[axis]![1]);
  const size = sizeOf(outShape);
  const out = createStorage(outDtype, size, op);
  if (size === 0) return out;
  const fill = outDtype === 'float32' ? 'bitcast<f32>(dims[2])' : outDtype === 'int32' ? 'dims[2]' : 'u32(dims[2])';
  // dims: threads, rank, the pad value's word, then the output shape, the pads before, x's
  // shape, x's offset and x's strides (rank values each).
  const source = cachedSource(`pad|${x.dtype}>${outDtype}`, () =>
    [
      bindingDeclarations(op, [x.dtype], [outDtype]),
      threadKernel(`  let rank = dims[1];
  var rest = i32(thread);
  var sourceAt = dims[3 + 3 * rank];
  var inside = true;
  for (var axis = rank - 1; axis >= 0; axis--) {
    let extent = dims[3 + axis];
    let shifted = rest % extent - dims[3 + rank + axis];
    rest = rest / extent;
    inside = inside && shifted >= 0 && shifted < dims[3 + 2 * rank + axis];
    sourceAt += shifted * dims[4 + 3 * rank + axis];
  }
  if (inside) {
    out0[thread] = ${convertedElement(0, x.dtype, outDtype, 'sourceAt')};
  } else {
    out0[thread] = ${fill};
  }`),
    ].join('\n'),
  );
  const meta = [
    rank,
    padWord(value, outDtype),
    ...outShape,
    ...pads.map(([before]) => before),
    ...x.shape,
    x.offset,
    ...x.strides,
  ];
  dispatchThreads(op, source, [viewStorage(x)], [out], size, meta);
  return out;
}
