/**
 * Float32 elementwise ops on the WebAssembly SIMD kernels: add/sub/mul/div (same-shape, with
 * one scalar operand, or broadcast with a contiguous or per-row-scalar innermost axis) and exp.
 * Large calls are split over the kernel threads (simd-broadcast.ts).
 *
 * Large float32 storages live in the kernel memory (kernel-heap.ts) and are passed by address;
 * other operands (small or foreign arrays, broadcast scalars) are copied into scratch regions
 * and the result out of one (`TypedArray.set` is a memcpy).
 */
import { heapAddress } from './kernel-heap.js';
import { reserve, simdKernels } from './kernel-runtime.js';
import { SIMD_BINARY_OPS, type SimdBinaryOp } from './simd-kernels-module.js';
import { runFlatBinary, runFlatExp, runRows } from './simd-broadcast.js';

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
  const operands = [
    { values: a.values, offset: a.offset, count: a.scalar ? 1 : size },
    { values: b.values, offset: b.offset, count: b.scalar ? 1 : size },
  ];
  const placed = placeOperands(kernels.memory, operands, out, size, bytes);
  const layout = a.scalar ? 'sv' : b.scalar ? 'vs' : 'vv';
  // Split over the kernel threads when large (simd-broadcast.ts: the same kernels, the same bits).
  if (!runFlatBinary(name, layout, placed.inputs[0]!, placed.inputs[1]!, placed.out, bytes / 16))
    kernels.exports[`${name}_${layout}`](placed.inputs[0]!, placed.inputs[1]!, placed.out, bytes / 16);
  placed.copyOut();
  return true;
}

/** One operand of {@link simdBinaryStrided}: values from `offset` with one stride per axis (non-negative; 0 broadcasts). */
export interface StridedOperand {
  values: Float32Array;
  offset: number;
  strides: readonly number[];
}

/**
 * out (contiguous, `shape`) = a ∘ b where both operands step through their innermost axis by 1
 * or 0 (one value per row, splatted) and by any non-negative strides through the outer axes:
 * [R, C] ∘ [R, 1], a bias row, [N, C, H·W] ∘ [1, C, 1], ... on the row kernels of
 * simd-broadcast.ts (bit for bit the scalar loop), split by rows over the kernel threads when
 * large. Returns false (doing nothing) when the layout does not fit or SIMD is off.
 *
 * @example
 * simdBinaryStrided('sub', { values: x, offset: 0, strides: [10, 1] }, { values: m, offset: 0, strides: [1, 0] }, out, [128, 10])
 */
export function simdBinaryStrided(
  name: SimdBinaryOp,
  a: StridedOperand,
  b: StridedOperand,
  out: Float32Array,
  shape: readonly number[],
): boolean {
  const kernels = simdKernels();
  const rank = shape.length;
  if (!kernels || rank === 0) return false;
  const innerA = a.strides[rank - 1]!;
  const innerB = b.strides[rank - 1]!;
  if (innerA > 1 || innerB > 1 || (innerA === 0 && innerB === 0)) return false;
  for (let axis = 0; axis < rank; axis++) if (a.strides[axis]! < 0 || b.strides[axis]! < 0) return false;
  let size = 1;
  let extentA = 1;
  let extentB = 1;
  for (let axis = 0; axis < rank; axis++) {
    const length = shape[axis]!;
    size *= length;
    extentA += (length - 1) * a.strides[axis]!;
    extentB += (length - 1) * b.strides[axis]!;
  }
  if (size === 0) return true;
  const bytes = Math.ceil(size / 4) * 16;
  const placed = placeOperands(
    kernels.memory,
    [
      { values: a.values, offset: a.offset, count: extentA },
      { values: b.values, offset: b.offset, count: extentB },
    ],
    out,
    size,
    bytes,
  );
  const layout = innerA === 0 ? 'sv' : innerB === 0 ? 'vs' : 'vv';
  const columns = shape[rank - 1]!;
  const rows = rank >= 2 ? shape[rank - 2]! : 1;
  const aRow = rank >= 2 ? a.strides[rank - 2]! * 4 : 0;
  const bRow = rank >= 2 ? b.strides[rank - 2]! * 4 : 0;
  // The axes above the rows, walked here: one row-kernel call per block of rows.
  const outer = shape.slice(0, Math.max(rank - 2, 0));
  const index = new Array<number>(outer.length).fill(0);
  const [aBase, bBase] = placed.inputs as [number, number];
  let aOffset = 0;
  let bOffset = 0;
  let blocks = 1;
  for (const length of outer) blocks *= length;
  for (let block = 0; block < blocks; block++) {
    const outAddress = placed.out + block * rows * columns * 4;
    if (!runRows(name, layout, aBase + aOffset * 4, bBase + bOffset * 4, outAddress, rows, columns, aRow, bRow))
      return false;
    for (let axis = outer.length - 1; axis >= 0; axis--) {
      index[axis]!++;
      aOffset += a.strides[axis]!;
      bOffset += b.strides[axis]!;
      if (index[axis]! < outer[axis]!) break;
      aOffset -= a.strides[axis]! * outer[axis]!;
      bOffset -= b.strides[axis]! * outer[axis]!;
      index[axis] = 0;
    }
  }
  placed.copyOut();
  return true;
}

/**
 * Addresses for a kernel's operands and output: an array in the kernel memory by its own
 * address (a broadcast scalar always copied: the kernel reads a whole vector there), anything
 * else copied into a scratch region. Returns the input addresses, the output address, and a
 * function that copies the result out when the output had to go to scratch.
 */
function placeOperands(
  memory: WebAssembly.Memory,
  operands: readonly { values: Float32Array; offset: number; count: number }[],
  out: Float32Array,
  size: number,
  bytes: number,
): { inputs: number[]; out: number; copyOut: () => void } {
  // Plain loops: this runs on every call, and small calls are bound by it.
  const direct: (number | undefined)[] = [];
  const sizes: number[] = [];
  for (const operand of operands) {
    const address = operand.count === 1 ? undefined : heapAddress(operand.values);
    direct.push(address === undefined ? undefined : address + operand.offset * 4);
    if (address === undefined)
      sizes.push(operand.count === 1 ? 16 : Math.max(bytes, Math.ceil(operand.count / 4) * 16));
  }
  const outAddress = heapAddress(out);
  if (outAddress === undefined) sizes.push(bytes);
  const scratch = sizes.length > 0 ? reserve(memory, sizes) : [];
  const view = scratch.length > 0 ? new Float32Array(memory.buffer) : undefined;
  let next = 0;
  const addresses: number[] = [];
  for (let index = 0; index < operands.length; index++) {
    const operand = operands[index]!;
    let address = direct[index];
    if (address === undefined) {
      address = scratch[next++]!;
      view!.set(operand.values.subarray(operand.offset, operand.offset + operand.count), address / 4);
    }
    addresses.push(address);
  }
  const outBase = outAddress ?? scratch[next]!;
  const copyOut = () => {
    if (outAddress === undefined) out.set(view!.subarray(outBase / 4, outBase / 4 + size));
  };
  return { inputs: addresses, out: outBase, copyOut };
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
  const placed = placeOperands(kernels.memory, [{ values: x, offset, count: size }], out, size, bytes);
  if (!runFlatExp(placed.inputs[0]!, placed.out, bytes / 16))
    kernels.exports.exp(placed.inputs[0]!, placed.out, bytes / 16);
  placed.copyOut();
  return true;
}
