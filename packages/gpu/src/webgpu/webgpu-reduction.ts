/**
 * Reductions (sum, prod, max, min, all, any) and arg-reductions (argmax, argmin) of the `webgpu`
 * backend, read straight from strided views (no copy): the kept axes and the reduced axes are
 * each collapsed into a short walk (wgsl-strided's merging), so an output's base position is
 * one walk and each reduced value's position another.
 *
 * Two shapes of kernel, chosen per call by how the work divides:
 *
 * - one thread per output, looping over its reduced values, where the reduced axis is short
 *   (at most {@link LANES} values: a workgroup would mostly idle) or the outputs alone are
 *   enough threads to fill a GPU (at least {@link MANY_OUTPUTS});
 * - otherwise one workgroup of {@link LANES} threads per (output, chunk of
 *   {@link CHUNK_LENGTH} values): each thread strides over the chunk (neighbouring threads read
 *   neighbouring values, coalesced when the reduced axis is contiguous) keeping one partial,
 *   then a tree reduction in workgroup memory. Where an output has more than one chunk, the
 *   chunks' partials ([outputs, chunks], in the accumulator's dtype) are reduced by a second
 *   call of the same code — so a million values into one output run on 256 workgroups, then 256
 *   partials on one thread, instead of one workgroup doing it all.
 *
 * Sums accumulate in f32 (the CPU in float64) and in a different order, so float sums differ
 * from the CPU's by rounding: about √n·2^-24 relative to Σ|x| for n values. max/min and the
 * arg-reductions are exact; int32 and bool sums are exact (wrapping as the CPU's int32 store).
 *
 * Arg-reductions match argReduceBlock (cpu/reduce.ts): the first NaN along the axis wins,
 * else the first maximum (minimum). Each thread keeps (value, index), and combining prefers
 * NaN, then the larger (smaller) value, then the smaller index: an order-free rule giving the
 * CPU's answer however the values were split between threads.
 */
import { collapseDimensions, sizeOf, type DType, type ReductionKind, type TensorView } from '@vane/tensor';
import { bindingDeclarations, cachedSource, dispatch, dispatchThreads, threadKernel } from './webgpu-dispatch.js';
import { createStorage, releaseStorage, viewStorage, type WebGpuStorage } from './webgpu-storage.js';
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

export { cumulative } from './webgpu-reduction-scan.js';

/** Threads per workgroup of the workgroup kernels (and the longest reduction given one thread). */
const LANES = 256;
/** Values one workgroup reduces: 16 per thread, enough to hide the tree's barriers. */
const CHUNK_LENGTH = LANES * 16;
/** Outputs from which one thread per output already fills a GPU's cores. */
const MANY_OUTPUTS = 16_384;
/** The first integer of a reduction kernel's `dims` holding the kept walk (see `reductionMeta`). */
const WALK_START = 5;

type ArgKind = 'argmax' | 'argmin';
type Kind = ReductionKind | ArgKind;

/** A collapsed walk: sizes and the input's strides along them. */
interface Walk {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

/** One reduction kernel call: the input, the two walks, and for arg-reductions after the first pass the partial indices. */
interface Reduction {
  readonly kind: Kind;
  readonly x: TensorView;
  readonly kept: Walk;
  readonly reduced: Walk;
  /** Indices of the partial extremes in `x` (a second pass of an arg-reduction), else undefined. */
  readonly indices?: WebGpuStorage;
}

/** The kept (in order) and reduced axes of `x`, each collapsed into as few axes as its strides allow. */
function walks(x: TensorView, axes: readonly number[]): { kept: Walk; reduced: Walk } {
  const collapse = (chosen: readonly number[]): Walk => {
    const layout = collapseDimensions(
      chosen.map((axis) => x.shape[axis]!),
      [chosen.map((axis) => x.strides[axis]!)],
    );
    return { shape: layout.shape, strides: layout.strides[0]! };
  };
  const keptAxes = x.shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  return { kept: collapse(keptAxes), reduced: collapse(axes) };
}

/**
 * The `dims` after the count: [reduced, chunks, chunk length, x's offset, kept sizes, kept
 * strides, reduced sizes, reduced strides].
 */
function reductionMeta(call: Reduction, chunks: number, chunkLength: number): number[] {
  return [
    sizeOf(call.reduced.shape),
    chunks,
    chunkLength,
    call.x.offset,
    ...call.kept.shape,
    ...call.kept.strides,
    ...call.reduced.shape,
    ...call.reduced.strides,
  ];
}

/** WGSL of the two walks: `vaneKept(output)` (x's offset included) and `vaneReduced(index)`. */
function walkFunctions(call: Reduction): string {
  const keptRank = call.kept.shape.length;
  // dims[4] is x's offset; the walks' integers follow the count and the four integers above.
  return [
    wgslWalkFunction('vaneKept', keptRank, WALK_START, 'dims[4]'),
    wgslWalkFunction('vaneReduced', call.reduced.shape.length, WALK_START + 2 * keptRank, '0'),
  ].join('\n');
}

function isArg(kind: Kind): kind is ArgKind {
  return kind === 'argmax' || kind === 'argmin';
}

/**
 * WGSL `vaneBetter(value, index, best, bestIndex) -> bool`: whether (value, index) replaces the
 * current best of an arg-reduction. An index of -1 is "nothing yet" (a thread with no values).
 */
function betterFunction(kind: ArgKind, valueType: string): string {
  const beats = kind === 'argmax' ? '>' : '<';
  const nanRule =
    valueType === 'f32'
      ? `  let valueNaN = vaneIsNaN(value);
  let bestNaN = vaneIsNaN(best);
  if (valueNaN || bestNaN) { return valueNaN && (!bestNaN || index < bestIndex); }\n`
      : '';
  return `fn vaneBetter(value: ${valueType}, index: i32, best: ${valueType}, bestIndex: i32) -> bool {
  if (index < 0) { return false; }
  if (bestIndex < 0) { return true; }
${nanRule}  return value ${beats} best || (value == best && index < bestIndex);
}`;
}

/**
 * The kernel source: `layout` 'thread' (one thread per output) or 'workgroup' (one workgroup per
 * output and chunk); `final` writes the op's result, else the partials (arg-reductions: values
 * at out0, indices at out1).
 */
function reductionSource(call: Reduction, layout: 'thread' | 'workgroup', final: boolean, outDtype: DType): string {
  const { kind, x } = call;
  const accumulator = accumulatorDtype(kind, x.dtype);
  const type = accumulatorType(accumulator, kind);
  const key = [
    'reduce',
    kind,
    layout,
    final ? 'final' : 'partial',
    `${x.dtype}>${outDtype}`,
    call.kept.shape.length,
    call.reduced.shape.length,
    call.indices ? 'indexed' : 'positional',
  ].join('|');
  return cachedSource(key, () => {
    const inputs: DType[] = call.indices ? [x.dtype, 'int32'] : [x.dtype];
    const outputs: DType[] = isArg(kind) ? (final ? ['int32'] : [accumulator, 'int32']) : [outDtype];
    const load = wgslLoad(0, x.dtype, accumulator, 'at');
    // The accumulation step, over a value at `at` with reduced index `r`; the state is `best`
    // (and `bestIndex` for arg-reductions).
    let start: string;
    let step: string;
    let write: (slot: string, best: string, bestIndex: string) => string;
    if (isArg(kind)) {
      start = `  var best: ${type} = ${type}(0);\n  var bestIndex = -1;`;
      const index = call.indices ? 'in1[at]' : 'r';
      step = `    let value = ${load};\n    let index = ${index};\n    if (vaneBetter(value, index, best, bestIndex)) { best = value; bestIndex = index; }`;
      write = (slot, best, bestIndex) =>
        final ? `out0[${slot}] = ${bestIndex};` : `out0[${slot}] = ${best}; out1[${slot}] = ${bestIndex};`;
    } else {
      start = `  var best: ${type} = ${wgslIdentity(kind, accumulator)};`;
      step = `    best = ${wgslCombine(kind, accumulator, 'best', load)};`;
      write = (slot, best) => `out0[${slot}] = ${final ? wgslStore(accumulator, outDtype, best) : best};`;
    }
    const declarations = [
      bindingDeclarations(kind, inputs, outputs),
      WGSL_MATH,
      walkFunctions(call),
      isArg(kind) ? betterFunction(kind, type) : '',
    ];
    if (layout === 'thread') {
      return [
        ...declarations,
        threadKernel(`  let base = vaneKept(i32(thread));
${start}
  for (var r = 0; r < dims[1]; r++) {
    let at = base + vaneReduced(r);
${step}
  }
  ${write('thread', 'best', 'bestIndex')}`),
      ].join('\n');
    }
    const treeStep = isArg(kind)
      ? `if (vaneBetter(vaneValues[lane + width], vaneIndices[lane + width], vaneValues[lane], vaneIndices[lane])) {
        vaneValues[lane] = vaneValues[lane + width];
        vaneIndices[lane] = vaneIndices[lane + width];
      }`
      : `vaneValues[lane] = ${wgslCombine(kind as ReductionKind, accumulator, 'vaneValues[lane]', 'vaneValues[lane + width]')};`;
    return [
      ...declarations,
      `var<workgroup> vaneValues: array<${type}, ${LANES}>;`,
      isArg(kind) ? `var<workgroup> vaneIndices: array<i32, ${LANES}>;` : '',
      `@compute @workgroup_size(${LANES})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  // Workgroup numbers past the count (the grid's rounding) reduce nothing and write nothing,
  // but still reach every barrier: a return here would leave barriers in non-uniform flow.
  let slot = i32(group.x + group.y * groups.x);
  let inRange = slot < dims[0];
  let output = slot / dims[2];
  let first = (slot % dims[2]) * dims[3];
  let stop = select(first, min(first + dims[3], dims[1]), inRange);
  let base = vaneKept(output);
${start}
  for (var r = first + i32(lane); r < stop; r += ${LANES}) {
    let at = base + vaneReduced(r);
${step}
  }
  vaneValues[lane] = best;
  ${isArg(kind) ? 'vaneIndices[lane] = bestIndex;' : ''}
  workgroupBarrier();
  for (var width = ${LANES / 2}u; width > 0u; width = width / 2u) {
    if (lane < width) {
      ${treeStep}
    }
    workgroupBarrier();
  }
  if (lane == 0u && inRange) { ${write('slot', 'vaneValues[0]', 'vaneIndices[0]')} }
}`,
    ].join('\n');
  });
}

/**
 * Runs one reduction into a new storage of `outDtype` (int32 indices for arg-reductions),
 * splitting a long reduction into chunks whose partials a further call reduces.
 */
function runReduction(call: Reduction, outDtype: DType): WebGpuStorage {
  const outputs = sizeOf(call.kept.shape);
  const reduced = sizeOf(call.reduced.shape);
  const out = createStorage(outDtype, outputs, call.kind);
  if (outputs === 0) return out;
  const inputs = call.indices ? [viewStorage(call.x), call.indices] : [viewStorage(call.x)];
  if (reduced <= LANES || outputs >= MANY_OUTPUTS) {
    const source = reductionSource(call, 'thread', true, outDtype);
    dispatchThreads(call.kind, source, inputs, [out], outputs, reductionMeta(call, 1, reduced));
    return out;
  }
  const chunks = Math.ceil(reduced / CHUNK_LENGTH);
  if (chunks === 1) {
    const source = reductionSource(call, 'workgroup', true, outDtype);
    const meta = [outputs, ...reductionMeta(call, 1, reduced)];
    dispatch({ op: call.kind, source, inputs, outputs: [out], meta, workgroups: workgroupGrid(outputs) });
    return out;
  }
  releaseStorage(out);
  const accumulator = accumulatorDtype(call.kind, call.x.dtype);
  const partials = createStorage(accumulator, outputs * chunks, call.kind);
  const partialIndices = isArg(call.kind) ? createStorage('int32', outputs * chunks, call.kind) : undefined;
  const source = reductionSource(call, 'workgroup', false, outDtype);
  dispatch({
    op: call.kind,
    source,
    inputs,
    outputs: partialIndices ? [partials, partialIndices] : [partials],
    meta: [outputs * chunks, ...reductionMeta(call, chunks, CHUNK_LENGTH)],
    workgroups: workgroupGrid(outputs * chunks),
  });
  // The partials as a dense [outputs, chunks] view, reduced over its second axis. The same
  // kind combines them: sums of sums, maxima of maxima, all of alls, and for arg-reductions
  // the best of the chunks' bests, carrying their indices along.
  const next: Reduction = {
    kind: call.kind,
    x: { data: partials, dtype: accumulator, shape: [outputs, chunks], strides: [chunks, 1], offset: 0 },
    kept: { shape: [outputs], strides: [chunks] },
    reduced: { shape: [chunks], strides: [1] },
    indices: partialIndices,
  };
  const result = runReduction(next, outDtype);
  releaseStorage(partials);
  if (partialIndices) releaseStorage(partialIndices);
  return result;
}

function checkAxes(op: string, x: TensorView, axes: readonly number[]): void {
  for (const axis of axes)
    if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length)
      throw new Error(`webgpu.${op}: axis ${axis} is outside the ${x.shape.length} axes of shape [${x.shape}]`);
}

/**
 * Reduces `x` over `axes` (sorted or not) with `kind`, keeping no reduced axes: the result is
 * row-major over the remaining axes, in `outDtype`. An empty reduction gives the identity
 * (0, 1, -∞, +∞, true, false).
 */
export function reduce(kind: ReductionKind, x: TensorView, axes: readonly number[], outDtype: DType): WebGpuStorage {
  checkAxes(kind, x, axes);
  const sorted = [...new Set(axes)].sort((first, second) => first - second);
  return runReduction({ kind, x, ...walks(x, sorted) }, outDtype);
}

/**
 * The int32 position along `axis` of the largest (argmax) or smallest (argmin) value: the first
 * NaN where there is one, else the first of tied extremes, as the CPU backend.
 */
export function argReduce(kind: 'argmax' | 'argmin', x: TensorView, axis: number): WebGpuStorage {
  checkAxes(kind, x, [axis]);
  return runReduction({ kind, x, ...walks(x, [axis]) }, 'int32');
}
