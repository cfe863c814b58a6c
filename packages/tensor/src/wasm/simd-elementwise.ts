/**
 * Float32 elementwise ops on the WebAssembly SIMD kernels: add/sub/mul/div (same-shape or
 * with one scalar operand) and exp, over contiguous data.
 *
 * Tensor storages are ordinary typed arrays outside the kernel memory, so each call copies
 * its inputs in and its result out (`TypedArray.set` is a memcpy). That is cheap next to exp's
 * arithmetic; for add it roughly cancels the SIMD gain (see docs/performance.md, row "add 1e6").
 */
import { reserve, simdKernels } from './kernel-runtime.js';
import { SIMD_BINARY_OPS, type SimdBinaryOp } from './simd-kernels-module.js';

/** Whether `name` has a SIMD binary kernel. */
export function hasSimdBinary(name: string): name is SimdBinaryOp {
  return name in SIMD_BINARY_OPS;
}

/** One operand of a binary op: contiguous values from `offset`, or one value (`scalar`). */
export interface ElementwiseOperand {
  values: Float32Array;
  offset: number;
  scalar: boolean;
}

/**
 * out[0..size) = a ∘ b on the SIMD kernel. Returns false (doing nothing) when the SIMD kernels
 * are unavailable or disabled.
 *
 * @example
 * simdBinary('add', { values: a, offset: 0, scalar: false }, { values: b, offset: 0, scalar: true }, out, out.length)
 */
export function simdBinary(
  name: SimdBinaryOp,
  a: ElementwiseOperand,
  b: ElementwiseOperand,
  out: Float32Array,
  size: number,
): boolean {
  const kernels = simdKernels();
  if (!kernels || (a.scalar && b.scalar)) return false;
  if (size === 0) return true;
  const bytes = Math.ceil(size / 4) * 16;
  const [aBase, bBase, outBase] = reserve(kernels.memory, [a.scalar ? 16 : bytes, b.scalar ? 16 : bytes, bytes]) as [
    number,
    number,
    number,
  ];
  const view = new Float32Array(kernels.memory.buffer);
  view.set(a.values.subarray(a.offset, a.offset + (a.scalar ? 1 : size)), aBase / 4);
  view.set(b.values.subarray(b.offset, b.offset + (b.scalar ? 1 : size)), bBase / 4);
  const layout = a.scalar ? 'sv' : b.scalar ? 'vs' : 'vv';
  kernels.exports[`${name}_${layout}`](aBase, bBase, outBase, bytes / 16);
  out.set(view.subarray(outBase / 4, outBase / 4 + size));
  return true;
}

/**
 * out[0..size) = exp(x[offset..offset+size)) in float32 on the SIMD kernel (within 2 ulp of
 * the correctly rounded result for normal outputs). Returns false when SIMD is off.
 *
 * @example
 * simdExp(x, 0, out, out.length)
 */
export function simdExp(x: Float32Array, offset: number, out: Float32Array, size: number): boolean {
  const kernels = simdKernels();
  if (!kernels) return false;
  if (size === 0) return true;
  const bytes = Math.ceil(size / 4) * 16;
  const [xBase, outBase] = reserve(kernels.memory, [bytes, bytes]) as [number, number];
  const view = new Float32Array(kernels.memory.buffer);
  view.set(x.subarray(offset, offset + size), xBase / 4);
  kernels.exports.exp(xBase, outBase, bytes / 16);
  out.set(view.subarray(outBase / 4, outBase / 4 + size));
  return true;
}
