/**
 * Cumulative sums and products (inclusive scans) along one axis on the `webgpu` backend, read
 * straight from a strided view and written dense and row-major.
 *
 * A tensor is a set of lines (every position of the other axes) each scanned along the axis.
 * Two kernels, chosen by how the work divides:
 *
 * - one thread per line, running along it, where lines are short (at most {@link LANES}
 *   values) or many (at least {@link MANY_LINES}: enough threads to fill a GPU);
 * - otherwise one workgroup of {@link LANES} threads per line, scanning it {@link LANES} values
 *   at a time: a Hillis–Steele scan in workgroup memory (log2(256) = 8 steps), plus the carry
 *   of the chunks before. A line's chunks run one after another within its workgroup, so a
 *   single very long line uses one workgroup of the GPU; a three-pass block scan (scan blocks,
 *   scan their totals, add) would spread it, at the cost of two more kernels.
 *
 * float32 scans run in f32 (the CPU's in float64, rounded per output), in a tree order within
 * each chunk: each output differs from the CPU's by rounding, about n·2^-24 relative to the
 * running Σ|x| at worst for n values before it. int32 and bool inputs scan exactly in i32.
 */
import { collapseDimensions, sizeOf, type DType, type TensorView } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatch, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { createStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
import { WGSL_MATH } from './wgsl-expression.js';
import {
  accumulatorDtype,
  accumulatorType,
  wgslCombine,
  wgslIdentity,
  wgslLoad,
  wgslStore,
  wgslWalkFunction,
  workgroupGrid,
} from './webgpu-reduction-wgsl.js';

/** Threads of the workgroup kernel, and the longest line one thread scans alone. */
const LANES = 256;
/** Lines from which one thread per line already fills a GPU's cores. */
const MANY_LINES = 16_384;
/** The first integer of the kernels' `dims` holding the walk over the lines (see `cumulative`). */
const WALK_START = 5;

function scanSource(
  kind: 'cumsum' | 'cumprod',
  x: TensorView,
  outDtype: DType,
  lineRank: number,
  layout: 'thread' | 'workgroup',
): string {
  const combining = kind === 'cumsum' ? 'sum' : 'prod';
  const accumulator = accumulatorDtype(combining, x.dtype);
  const type = accumulatorType(accumulator, kind);
  const identity = wgslIdentity(combining, accumulator);
  const combine = (a: string, b: string) => wgslCombine(combining, accumulator, a, b);
  const key = ['cumulative', kind, layout, `${x.dtype}>${outDtype}`, lineRank].join('|');
  return cachedSource(key, () => {
    // dims: [count, n (axis length), inner (lines' row-major extent after the axis), x's
    // offset, x's stride along the axis, line walk sizes, line walk strides].
    const declarations = [
      bindingDeclarations(kind, [x.dtype], [outDtype]),
      WGSL_MATH,
      wgslWalkFunction('vaneLine', lineRank, WALK_START, 'dims[3]'),
    ].join('\n');
    const load = (position: string) => wgslLoad(0, x.dtype, accumulator, position);
    const store = (value: string) => wgslStore(accumulator, outDtype, value);
    if (layout === 'thread')
      return `${declarations}
${threadKernel(`  let line = i32(thread);
  let base = vaneLine(line);
  let outBase = (line / dims[2]) * dims[1] * dims[2] + line % dims[2];
  var running: ${type} = ${identity};
  for (var r = 0; r < dims[1]; r++) {
    running = ${combine('running', load('base + r * dims[4]'))};
    out0[outBase + r * dims[2]] = ${store('running')};
  }`)}`;
    return `${declarations}
var<workgroup> vaneScan: array<${type}, ${LANES}>;
@compute @workgroup_size(${LANES})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  // Workgroups past the line count (the grid's rounding) scan nothing but reach every barrier.
  let line = i32(group.x + group.y * groups.x);
  let n = select(0, dims[1], line < dims[0]);
  let base = vaneLine(line);
  let outBase = (line / dims[2]) * dims[1] * dims[2] + line % dims[2];
  var carry: ${type} = ${identity};
  for (var first = 0; first < n; first += ${LANES}) {
    let r = first + i32(lane);
    var value: ${type} = ${identity};
    if (r < n) { value = ${load('base + r * dims[4]')}; }
    vaneScan[lane] = value;
    workgroupBarrier();
    for (var width = 1u; width < ${LANES}u; width = width * 2u) {
      var before: ${type} = ${identity};
      if (lane >= width) { before = vaneScan[lane - width]; }
      workgroupBarrier();
      if (lane >= width) { vaneScan[lane] = ${combine('before', 'vaneScan[lane]')}; }
      workgroupBarrier();
    }
    if (r < n) { out0[outBase + r * dims[2]] = ${store(combine('carry', 'vaneScan[lane]'))}; }
    carry = ${combine('carry', `vaneScan[${LANES - 1}]`)};
    // The next chunk overwrites vaneScan: every thread must have read its total first.
    workgroupBarrier();
  }
}`;
  });
}

/**
 * Running sums (cumsum) or products (cumprod) of `x` along `axis`, inclusive, in `outDtype`:
 * a dense row-major tensor of `x`'s shape.
 */
export function cumulative(kind: 'cumsum' | 'cumprod', x: TensorView, axis: number, outDtype: DType): WebGpuStorage {
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length)
    throw new Error(`webgpu.${kind}: axis ${axis} is outside the ${x.shape.length} axes of shape [${x.shape}]`);
  const size = sizeOf(x.shape);
  const out = createStorage(outDtype, size, kind);
  if (size === 0) return out;
  const length = x.shape[axis]!;
  const lines = size / length;
  const inner = sizeOf(x.shape.slice(axis + 1));
  // The other axes, in order: line number l is their row-major index, its output position
  // (l / inner)·n·inner + l % inner, its input position this walk's.
  const otherAxes = x.shape.map((_, other) => other).filter((other) => other !== axis);
  const walk = collapseDimensions(
    otherAxes.map((other) => x.shape[other]!),
    [otherAxes.map((other) => x.strides[other]!)],
  );
  const meta = [length, inner, x.offset, x.strides[axis]!, ...walk.shape, ...walk.strides[0]!];
  if (length <= LANES || lines >= MANY_LINES) {
    const source = scanSource(kind, x, outDtype, walk.shape.length, 'thread');
    dispatchThreads(kind, source, [viewStorage(x)], [out], lines, meta);
  } else {
    const source = scanSource(kind, x, outDtype, walk.shape.length, 'workgroup');
    dispatch({
      op: kind,
      source,
      inputs: [viewStorage(x)],
      outputs: [out],
      meta: [lines, ...meta],
      workgroups: workgroupGrid(lines),
    });
  }
  return out;
}
