/**
 * Strided views in WGSL: where each operand's value for an output position lives.
 *
 * The tensor core hands a backend views (a buffer, a shape, strides, an offset) already
 * broadcast to the output's shape (a broadcast axis has stride 0). A kernel walks the output in
 * row-major order; each thread turns its number into coordinates once and each operand's
 * position is `offset + Σ coordinate·stride`. The shape, offsets and strides travel in the
 * call's `meta` (webgpu-dispatch.ts), so one pipeline serves every shape of a rank; axes every
 * operand walks contiguously are merged first (`collapseDimensions`), so most calls are rank 1.
 */
import { collapseDimensions, type TensorView } from '@vane/tensor';

/** A strided walk over an output shape: the collapsed shape and each operand's offset and strides. */
export interface StridedWalk {
  /** Rank after merging (0 for a single value). */
  readonly rank: number;
  /** The integers to append to `meta` after the thread count: shape, then offset and strides per operand. */
  readonly meta: readonly number[];
}

/** The collapsed walk of `views` (each broadcast to `shape`) in row-major order over `shape`. */
export function stridedWalk(shape: readonly number[], views: readonly TensorView[]): StridedWalk {
  const layout = collapseDimensions(
    shape,
    views.map((view) => view.strides),
  );
  const meta: number[] = [...layout.shape];
  views.forEach((view, which) => meta.push(view.offset, ...layout.strides[which]!));
  return { rank: layout.shape.length, meta };
}

/**
 * WGSL lines that compute `at0`, `at1`, … (i32 element positions of each operand) from `thread`,
 * for a {@link stridedWalk} of `rank` over `operands` views whose integers start at
 * `dims[metaStart]` (1 when the walk's integers come right after the thread count).
 */
export function stridedPositions(rank: number, operands: number, metaStart = 1): string {
  const lines: string[] = [];
  const operandBase = (which: number) => metaStart + rank + which * (rank + 1);
  if (rank > 0) lines.push('  var rest = i32(thread);');
  for (let axis = rank - 1; axis >= 0; axis--) {
    const size = `dims[${metaStart + axis}]`;
    if (axis === 0) lines.push(`  let c0 = rest;`);
    else lines.push(`  let c${axis} = rest % ${size};`, `  rest = rest / ${size};`);
  }
  for (let which = 0; which < operands; which++) {
    const base = operandBase(which);
    const terms = [`dims[${base}]`];
    for (let axis = 0; axis < rank; axis++) terms.push(`c${axis} * dims[${base + 1 + axis}]`);
    lines.push(`  let at${which} = ${terms.join(' + ')};`);
  }
  return lines.join('\n');
}
