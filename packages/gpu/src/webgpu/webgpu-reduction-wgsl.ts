/**
 * The WGSL pieces the reduction kernels of the `webgpu` backend share (webgpu-reduction.ts,
 * webgpu-reduction-scan.ts): what a kind accumulates in, its identity and combining step, how
 * an input value is read into the accumulator and how the accumulator is stored, and the walk
 * from a linear index to a strided position.
 *
 * Accumulators follow the CPU's results: float32 inputs accumulate in `f32`; int32 and bool
 * inputs in `i32` (the CPU sums them exactly in float64 and wraps into int32, which `i32`'s
 * wrapping addition gives bit for bit below 2^53); `all`/`any` in `u32` 0/1, an input counting
 * as true when it is not ±0 (NaN included, as on the CPU), tested on the bits because a shader
 * compiler may assume there is no NaN.
 */
import type { DType } from '@vane/tensor';
import { wgslElementType } from './webgpu-storage.js';

/** The kinds a reduction kernel combines values with (`argmax`/`argmin` compare, see {@link wgslBetter}). */
export type CombiningKind = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any';

/** The dtype a kind accumulates `inputDtype` in (also the dtype of partial results between passes). */
export function accumulatorDtype(kind: CombiningKind | 'argmax' | 'argmin', inputDtype: DType): DType {
  if (kind === 'all' || kind === 'any') return 'bool';
  return inputDtype === 'float32' ? 'float32' : 'int32';
}

/** The WGSL type of an accumulator of `dtype` (see {@link accumulatorDtype}). */
export function accumulatorType(dtype: DType, op: string): string {
  return wgslElementType(dtype, op);
}

/** The identity of `kind` in the accumulator `dtype` (what an empty reduction gives). */
export function wgslIdentity(kind: CombiningKind, dtype: DType): string {
  const float = dtype === 'float32';
  switch (kind) {
    case 'sum':
      return float ? '0.0' : '0';
    case 'prod':
      return float ? '1.0' : '1';
    case 'max':
      // -2^31 written as a sum: WGSL has no negative literals, and 2147483648 is beyond i32.
      return float ? '(-vaneInfinity())' : '(-2147483647 - 1)';
    case 'min':
      return float ? 'vaneInfinity()' : '2147483647';
    case 'all':
      return '1u';
    case 'any':
      return '0u';
  }
}

/** WGSL combining two accumulators `a` and `b` of `dtype` (NaN-propagating max/min, as the CPU's). */
export function wgslCombine(kind: CombiningKind, dtype: DType, a: string, b: string): string {
  const float = dtype === 'float32';
  switch (kind) {
    case 'sum':
      return `(${a} + ${b})`;
    case 'prod':
      return `(${a} * ${b})`;
    case 'max':
      return float ? `vaneMax(${a}, ${b})` : `max(${a}, ${b})`;
    case 'min':
      return float ? `vaneMin(${a}, ${b})` : `min(${a}, ${b})`;
    case 'all':
      return `(${a} & ${b})`;
    case 'any':
      return `(${a} | ${b})`;
  }
}

/** WGSL reading `in<which>[position]` (of `inputDtype`) as an accumulator of `dtype`. */
export function wgslLoad(which: number, inputDtype: DType, dtype: DType, position: string): string {
  const value = `in${which}[${position}]`;
  if (dtype === 'bool') {
    if (inputDtype === 'bool') return value;
    if (inputDtype === 'int32') return `select(0u, 1u, ${value} != 0)`;
    return `select(0u, 1u, (bitcast<u32>(${value}) & 0x7fffffffu) != 0u)`;
  }
  if (inputDtype === dtype) return value;
  return `${accumulatorType(dtype, 'reduce')}(${value})`;
}

/** WGSL converting the accumulator `value` of `dtype` into an element of `outDtype`, as the CPU stores it. */
export function wgslStore(dtype: DType, outDtype: DType, value: string): string {
  if (dtype === outDtype) return value;
  if (outDtype === 'bool')
    return dtype === 'float32'
      ? `select(0u, 1u, (bitcast<u32>(${value}) & 0x7fffffffu) != 0u)`
      : `select(0u, 1u, ${value} != ${dtype === 'int32' ? '0' : '0u'})`;
  return `${accumulatorType(outDtype, 'reduce')}(${value})`;
}

/**
 * A WGSL function `name(index: i32) -> i32`: the strided position of row-major `index` over a
 * walk of `rank` axes whose sizes are `dims[shapeStart..]` and strides the `rank` integers
 * after them, plus `base` (a WGSL i32 expression). The outermost axis takes the rest of the
 * index without a modulo, so a rank-1 walk is one multiplication.
 */
export function wgslWalkFunction(name: string, rank: number, shapeStart: number, base: string): string {
  const lines = [`fn ${name}(index: i32) -> i32 {`, `  var position = ${base};`];
  if (rank > 0) lines.push('  var rest = index;');
  for (let axis = rank - 1; axis >= 0; axis--) {
    const size = `dims[${shapeStart + axis}]`;
    const stride = `dims[${shapeStart + rank + axis}]`;
    if (axis === 0) lines.push(`  position += rest * ${stride};`);
    else lines.push(`  position += (rest % ${size}) * ${stride};`, `  rest = rest / ${size};`);
  }
  lines.push('  return position;', '}');
  return lines.join('\n');
}

/**
 * The workgroups for `count` workgroups in a grid of at most 65,535 per dimension (folded into
 * y); a kernel numbers its workgroup `group.x + group.y * groups.x` and ignores numbers from
 * `count` on.
 */
export function workgroupGrid(count: number): [number, number, number] {
  const maximum = 65_535;
  if (count <= maximum) return [count, 1, 1];
  const rows = Math.ceil(count / maximum);
  return [Math.ceil(count / rows), rows, 1];
}
