/**
 * CPU reductions. The reduced axes are brought into a `[outer, reduced, inner]` layout (with a
 * copy only when they are not already one contiguous block) and accumulated in float64, so a
 * float32 sum of a million elements keeps float32 accuracy in its result.
 */
import type { ReductionKind, TensorView } from '../backend.js';
import { allocateArray, type DType, type TypedArray } from '../dtype.js';
import { sizeOf } from '../shape.js';
import { takeArray } from './buffer-pool.js';
import {
  SIMD_REDUCTION_MINIMUM_COLUMNS,
  SIMD_REDUCTION_MINIMUM_VALUES,
  simdReduceColumns,
  simdReduceRows,
} from '../wasm/simd-reductions.js';
import { simdCumulative, simdProductRows } from '../wasm/simd-running-products.js';
import { simdArgReduce } from '../wasm/simd-arg-reductions.js';

/** A contiguous array viewed as `[outer, reduced, inner]`. */
export interface BlockLayout {
  values: TypedArray;
  offset: number;
  outer: number;
  reduced: number;
  inner: number;
}

/**
 * Lays `x` out so that `axes` form one middle block. Contiguous inputs whose reduced axes are
 * adjacent need no copy; otherwise the view is permuted and materialised by `materialize`.
 */
export function blockLayout(
  x: TensorView,
  axes: readonly number[],
  materialize: (view: TensorView) => TypedArray,
): BlockLayout {
  const shape = x.shape;
  const adjacent = axes.every((axis, index) => index === 0 || axis === axes[index - 1]! + 1);
  const contiguous = isContiguousView(x);
  if (adjacent && contiguous) {
    const first = axes[0] ?? shape.length;
    const last = axes.length > 0 ? axes[axes.length - 1]! : shape.length - 1;
    return {
      values: x.data as TypedArray,
      offset: x.offset,
      outer: sizeOf(shape.slice(0, first)),
      reduced: sizeOf(axes.map((axis) => shape[axis]!)),
      inner: sizeOf(shape.slice(last + 1)),
    };
  }
  const kept = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const order = [...kept, ...axes];
  const permuted: TensorView = {
    ...x,
    shape: order.map((axis) => shape[axis]!),
    strides: order.map((axis) => x.strides[axis]!),
  };
  return {
    values: materialize(permuted),
    offset: 0,
    outer: sizeOf(kept.map((axis) => shape[axis]!)),
    reduced: sizeOf(axes.map((axis) => shape[axis]!)),
    inner: 1,
  };
}

/** True when the view is row-major without gaps. */
export function isContiguousView(x: TensorView): boolean {
  let expected = 1;
  for (let axis = x.shape.length - 1; axis >= 0; axis--) {
    const dimension = x.shape[axis]!;
    if (dimension !== 1 && x.strides[axis] !== expected) return false;
    expected *= dimension;
  }
  return true;
}

const INITIAL: Record<ReductionKind, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, all: 1, any: 0 };

/** Reduces the middle axis of a block layout. */
export function reduceBlock(kind: ReductionKind, layout: BlockLayout, outDtype: DType): TypedArray {
  const { values, offset, outer, reduced, inner } = layout;
  const out = allocateArray(outDtype, outer * inner);
  // float32 values into float32, or into float64: the first stage of a reduction over
  // non-adjacent axes (reduceInRuns in cpu-backend.ts, e.g. batch-norm statistics over N, H and
  // W), which keeps its partial results in float64.
  const simdOperands = values instanceof Float32Array && (out instanceof Float32Array || out instanceof Float64Array);
  if (
    simdOperands &&
    (kind === 'sum' || kind === 'max' || kind === 'min') &&
    inner === 1 &&
    outer * reduced >= SIMD_REDUCTION_MINIMUM_VALUES &&
    // Float32 rows reduced whole: eight float64 lanes for sums, exact SIMD max/min (see
    // wasm/simd-reductions.ts for the order and why the results match this loop's).
    simdReduceRows(kind, values, offset, outer, reduced, out)
  )
    return out;
  if (
    simdOperands &&
    (kind === 'sum' || kind === 'prod' || kind === 'max' || kind === 'min') &&
    inner >= SIMD_REDUCTION_MINIMUM_COLUMNS &&
    outer * reduced * inner >= SIMD_REDUCTION_MINIMUM_VALUES &&
    // Over a leading or middle axis (bias gradients): the same accumulation per column as the
    // loop below (float64 for sums and products), four columns per vector, so the same results
    // bit for bit.
    simdReduceColumns(kind, values, offset, outer, reduced, inner, out)
  )
    return out;
  if (
    simdOperands &&
    kind === 'prod' &&
    inner === 1 &&
    outer * reduced >= SIMD_REDUCTION_MINIMUM_VALUES &&
    // Products of whole rows: the loop's order, four rows at a time (wasm/simd-running-products.ts).
    simdProductRows(values, offset, outer, reduced, out)
  )
    return out;
  if (kind === 'sum' && inner === 1) {
    // Summing whole rows (softmax denominators, bias gradients): one scalar accumulator per row,
    // without the per-element dispatch of the general loop below.
    for (let o = 0; o < outer; o++) {
      let total = 0;
      const base = offset + o * reduced;
      for (let r = 0; r < reduced; r++) total += values[base + r]!;
      out[o] = total;
    }
    return out;
  }
  const accumulator = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    accumulator.fill(INITIAL[kind]);
    const base = offset + o * reduced * inner;
    for (let r = 0; r < reduced; r++) {
      const row = base + r * inner;
      switch (kind) {
        case 'sum':
          for (let i = 0; i < inner; i++) accumulator[i]! += values[row + i]!;
          break;
        case 'prod':
          for (let i = 0; i < inner; i++) accumulator[i]! *= values[row + i]!;
          break;
        case 'max':
          for (let i = 0; i < inner; i++) {
            const value = values[row + i]!;
            // NaN wins, as in NumPy and PyTorch.
            if (value > accumulator[i]! || value !== value) accumulator[i] = value;
          }
          break;
        case 'min':
          for (let i = 0; i < inner; i++) {
            const value = values[row + i]!;
            if (value < accumulator[i]! || value !== value) accumulator[i] = value;
          }
          break;
        case 'all':
          for (let i = 0; i < inner; i++) if (values[row + i] === 0) accumulator[i] = 0;
          break;
        case 'any':
          for (let i = 0; i < inner; i++) if (values[row + i] !== 0) accumulator[i] = 1;
          break;
      }
    }
    out.set(accumulator, o * inner);
  }
  return out;
}

/** Index of the first max (or min) along the middle axis; NaN counts as the extreme. */
export function argReduceBlock(kind: 'argmax' | 'argmin', layout: BlockLayout): Int32Array {
  const { values, offset, outer, reduced, inner } = layout;
  const out = new Int32Array(outer * inner);
  if (
    values instanceof Float32Array &&
    // Rows of at least 16 values: eight lanes, then their combination, which on rows of 10
    // cost as much as it saved (0.92× the loop on [60000, 10]).
    (inner === 1 ? reduced >= 16 && outer * reduced >= SIMD_REDUCTION_MINIMUM_VALUES : inner >= 4 && reduced >= 1) &&
    // Eight lanes per row, or four columns per vector, with this loop's answers (first
    // extreme, or the first NaN before it; see wasm/simd-arg-reductions.ts).
    simdArgReduce(kind, values, offset, outer, reduced, inner, out)
  )
    return out;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = offset + o * reduced * inner + i;
      let best = values[base]!;
      let bestIndex = 0;
      if (best === best) {
        for (let r = 1; r < reduced; r++) {
          const value = values[base + r * inner]!;
          if (value !== value) {
            bestIndex = r;
            break;
          }
          if (kind === 'argmax' ? value > best : value < best) {
            best = value;
            bestIndex = r;
          }
        }
      }
      out[o * inner + i] = bestIndex;
    }
  }
  return out;
}

/** Inclusive running sum or product along the middle axis. */
export function cumulativeBlock(kind: 'cumsum' | 'cumprod', layout: BlockLayout, outDtype: DType): TypedArray {
  const { values, offset, outer, reduced, inner } = layout;
  // Every element is written below; a float32 result from the kernel heap is written there in
  // place by the SIMD kernel, without a copy out.
  const out = takeArray(outDtype, outer * reduced * inner);
  if (
    values instanceof Float32Array &&
    out instanceof Float32Array &&
    outer * reduced * inner >= SIMD_REDUCTION_MINIMUM_VALUES &&
    // Each running value in the loop's order, several lines or columns at a time.
    simdCumulative(kind === 'cumsum' ? 'sum' : 'prod', values, offset, outer, reduced, inner, out)
  )
    return out;
  const running = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    running.fill(kind === 'cumsum' ? 0 : 1);
    for (let r = 0; r < reduced; r++) {
      const source = offset + (o * reduced + r) * inner;
      const target = (o * reduced + r) * inner;
      for (let i = 0; i < inner; i++) {
        running[i] = kind === 'cumsum' ? running[i]! + values[source + i]! : running[i]! * values[source + i]!;
        out[target + i] = running[i]!;
      }
    }
  }
  return out;
}
