/**
 * Typed-array loops compiled around the shared elementwise kernels.
 *
 * Each kernel gets its own loop function, created from source with `new Function`, so that
 * inside it the call to the kernel is monomorphic and V8 inlines it: the loop then runs at the
 * speed of a hand-written one (see `benchmarks/`). Inputs are strided views collapsed by
 * `collapseDimensions`; the innermost axis has fast paths for unit and zero strides.
 */
import type { TypedArray } from '../dtype.js';
import { fusedFunction, type FusedKernel } from '../kernels/elementwise-kernels.js';

type AnyArray = TypedArray;

/** out[i] = kernel(x[i], parameter) over a collapsed strided layout. */
export type UnaryLoop = (
  x: AnyArray,
  xOffset: number,
  xStrides: readonly number[],
  out: AnyArray,
  shape: readonly number[],
  parameter: number,
) => void;

/** out[i] = kernel(a[i], b[i]) over a collapsed strided layout. */
export type BinaryLoop = (
  a: AnyArray,
  aOffset: number,
  aStrides: readonly number[],
  b: AnyArray,
  bOffset: number,
  bStrides: readonly number[],
  out: AnyArray,
  shape: readonly number[],
) => void;

/** out[i] = kernel(in0[i], ..., scalar0, ...) over contiguous, same-sized inputs. */
export type FusedLoop = (
  inputs: readonly AnyArray[],
  offsets: readonly number[],
  scalars: readonly number[],
  out: AnyArray,
  size: number,
) => void;

// The outer loops advance an odometer over all axes but the last.
const ADVANCE = (operands: string[]) => `
      for (let axis = rank - 2; axis >= 0; axis--) {
        ${operands.map((name) => `${name}Base += ${name}Strides[axis];`).join(' ')}
        if (++counter[axis] < shape[axis]) break;
        ${operands.map((name) => `${name}Base -= ${name}Strides[axis] * shape[axis];`).join(' ')}
        counter[axis] = 0;
      }`;

// Loops are compiled per kernel AND per combination of array types: a loop that has seen
// Float32Array, Float64Array and Int32Array operands goes megamorphic and runs several times
// slower than one that only ever sees one of each.
const unaryCache = new WeakMap<object, Map<string, UnaryLoop>>();
const binaryCache = new WeakMap<object, Map<string, BinaryLoop>>();

function cacheFor<L>(cache: WeakMap<object, Map<string, L>>, kernel: object): Map<string, L> {
  let perKernel = cache.get(kernel);
  if (!perKernel) {
    perKernel = new Map();
    cache.set(kernel, perKernel);
  }
  return perKernel;
}
const fusedCache = new Map<string, { fn: unknown; loop: FusedLoop }>();

/** The compiled loop for a unary kernel (cached per kernel and array types, `typesKey`). */
export function unaryLoop(kernel: (x: number, parameter: number) => number, typesKey = ''): UnaryLoop {
  const perKernel = cacheFor(unaryCache, kernel);
  let loop = perKernel.get(typesKey);
  if (!loop) {
    loop = new Function(
      'kernel',
      `return function unaryLoop(x, xOffset, xStrides, out, shape, parameter) {
        const rank = shape.length;
        if (rank === 0) { out[0] = kernel(x[xOffset], parameter); return; }
        const inner = shape[rank - 1], sx = xStrides[rank - 1];
        let outer = 1; for (let axis = 0; axis < rank - 1; axis++) outer *= shape[axis];
        const counter = new Int32Array(rank);
        let xBase = xOffset, o = 0;
        for (let row = 0; row < outer; row++) {
          if (sx === 1) { for (let j = 0; j < inner; j++) out[o + j] = kernel(x[xBase + j], parameter); o += inner; }
          else { let p = xBase; for (let j = 0; j < inner; j++) { out[o++] = kernel(x[p], parameter); p += sx; } }
          ${ADVANCE(['x'])}
        }
      };`,
    )(kernel) as UnaryLoop;
    perKernel.set(typesKey, loop);
  }
  return loop;
}

/** The compiled loop for a binary kernel (cached per kernel and array types, `typesKey`). */
export function binaryLoop(kernel: (a: number, b: number) => number, typesKey = ''): BinaryLoop {
  const perKernel = cacheFor(binaryCache, kernel);
  let loop = perKernel.get(typesKey);
  if (!loop) {
    loop = new Function(
      'kernel',
      `return function binaryLoop(a, aOffset, aStrides, b, bOffset, bStrides, out, shape) {
        const rank = shape.length;
        if (rank === 0) { out[0] = kernel(a[aOffset], b[bOffset]); return; }
        const inner = shape[rank - 1], sa = aStrides[rank - 1], sb = bStrides[rank - 1];
        let outer = 1; for (let axis = 0; axis < rank - 1; axis++) outer *= shape[axis];
        const counter = new Int32Array(rank);
        let aBase = aOffset, bBase = bOffset, o = 0;
        for (let row = 0; row < outer; row++) {
          if (sa === 1 && sb === 1) {
            for (let j = 0; j < inner; j++) out[o + j] = kernel(a[aBase + j], b[bBase + j]);
            o += inner;
          } else if (sa === 1 && sb === 0) {
            const bValue = b[bBase];
            for (let j = 0; j < inner; j++) out[o + j] = kernel(a[aBase + j], bValue);
            o += inner;
          } else if (sa === 0 && sb === 1) {
            const aValue = a[aBase];
            for (let j = 0; j < inner; j++) out[o + j] = kernel(aValue, b[bBase + j]);
            o += inner;
          } else {
            let pa = aBase, pb = bBase;
            for (let j = 0; j < inner; j++) { out[o++] = kernel(a[pa], b[pb]); pa += sa; pb += sb; }
          }
          ${ADVANCE(['a', 'b'])}
        }
      };`,
    )(kernel) as BinaryLoop;
    perKernel.set(typesKey, loop);
  }
  return loop;
}

/** The compiled loop for a fused kernel (cached per kernel name, function and array types). */
export function fusedLoop(kernel: FusedKernel, typesKey = ''): FusedLoop {
  const cacheKey = `${kernel.name}:${typesKey}`;
  const fn = fusedFunction(kernel);
  const cached = fusedCache.get(cacheKey);
  if (cached && cached.fn === fn) return cached.loop;
  const scalarCount = kernel.scalarCount;
  const inputNames = Array.from({ length: kernel.arity }, (_, index) => `in${index}`);
  const scalarNames = Array.from({ length: scalarCount }, (_, index) => `s${index}`);
  const loop = new Function(
    'kernel',
    `return function fusedLoop(inputs, offsets, scalars, out, size) {
      ${inputNames.map((name, index) => `const ${name} = inputs[${index}], ${name}Offset = offsets[${index}];`).join('\n')}
      ${scalarNames.map((name, index) => `const ${name} = scalars[${index}];`).join('\n')}
      for (let i = 0; i < size; i++) {
        out[i] = kernel(${[...inputNames.map((name) => `${name}[${name}Offset + i]`), ...scalarNames].join(', ')});
      }
    };`,
  )(fn) as FusedLoop;
  fusedCache.set(cacheKey, { fn, loop });
  return loop;
}

/** out[i] = condition[i] ? a[i] : b[i] over a collapsed strided layout. */
export function whereLoop(
  condition: AnyArray,
  cOffset: number,
  cStrides: readonly number[],
  a: AnyArray,
  aOffset: number,
  aStrides: readonly number[],
  b: AnyArray,
  bOffset: number,
  bStrides: readonly number[],
  out: AnyArray,
  shape: readonly number[],
): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = condition[cOffset] ? a[aOffset]! : b[bOffset]!;
    return;
  }
  const inner = shape[rank - 1]!;
  const sc = cStrides[rank - 1]!;
  const sa = aStrides[rank - 1]!;
  const sb = bStrides[rank - 1]!;
  let outer = 1;
  for (let axis = 0; axis < rank - 1; axis++) outer *= shape[axis]!;
  const counter = new Int32Array(rank);
  let cBase = cOffset;
  let aBase = aOffset;
  let bBase = bOffset;
  let o = 0;
  for (let row = 0; row < outer; row++) {
    let pc = cBase;
    let pa = aBase;
    let pb = bBase;
    for (let j = 0; j < inner; j++) {
      out[o++] = condition[pc] ? a[pa]! : b[pb]!;
      pc += sc;
      pa += sa;
      pb += sb;
    }
    for (let axis = rank - 2; axis >= 0; axis--) {
      cBase += cStrides[axis]!;
      aBase += aStrides[axis]!;
      bBase += bStrides[axis]!;
      if (++counter[axis]! < shape[axis]!) break;
      cBase -= cStrides[axis]! * shape[axis]!;
      aBase -= aStrides[axis]! * shape[axis]!;
      bBase -= bStrides[axis]! * shape[axis]!;
      counter[axis] = 0;
    }
  }
}
