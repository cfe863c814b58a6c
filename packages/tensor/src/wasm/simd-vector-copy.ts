/**
 * A strided copy of whole 128-bit vectors (four float32 each) in the kernel memory:
 * `copy_vectors(src, dst, panels, outer, vectors, srcPanel, srcOuter, dstPanel, dstOuter)`
 * copies, for each of `panels` panels and each of `outer` runs, `vectors` consecutive vectors
 * from the source to the destination, the two nested indices advancing each address by its
 * byte stride. The kernel module's scalar `pack` moves one float per iteration because
 * matmul's packing transposes; where runs are contiguous on both sides (a convolution's
 * im2col rows on a padded grid, whole output rows) this moves four per load and store.
 * Addresses need no alignment. Every count must be at least 1.
 */
import { instantiateOnKernelMemory, simdKernels } from './kernel-runtime.js';
import { encodeModule, op, v128Load, v128Store, ValueType, type FunctionDefinition } from './wasm-encoder.js';

/** The signature of the compiled `copy_vectors` (byte addresses and byte strides). */
export type VectorCopy = (
  src: number,
  dst: number,
  panels: number,
  outer: number,
  vectors: number,
  srcPanel: number,
  srcOuter: number,
  dstPanel: number,
  dstOuter: number,
) => void;

function copyVectorsDefinition(): FunctionDefinition {
  const [src, dst, panels, outer, vectors, srcPanel, srcOuter, dstPanel, dstOuter] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [source, target, outerLeft, vectorsLeft, outerSource, outerTarget] = [9, 10, 11, 12, 13, 14];
  const g = op.localGet;
  const s = op.localSet;
  const addTo = (local: number, stride: number) => [...g(local), ...g(stride), ...op.i32Add(), ...s(local)];
  const addConstant = (local: number, value: number) => [
    ...g(local),
    ...op.i32Const(value),
    ...op.i32Add(),
    ...s(local),
  ];
  const countDown = (local: number) => [
    ...g(local),
    ...op.i32Const(1),
    ...op.i32Sub(),
    ...op.localTee(local),
    ...op.brIf(0),
  ];
  const body = [
    ...op.loop(),
    ...g(src),
    ...s(outerSource),
    ...g(dst),
    ...s(outerTarget),
    ...g(outer),
    ...s(outerLeft),
    ...op.loop(),
    ...g(outerSource),
    ...s(source),
    ...g(outerTarget),
    ...s(target),
    ...g(vectors),
    ...s(vectorsLeft),
    ...op.loop(),
    ...g(target),
    ...g(source),
    ...v128Load(0),
    ...v128Store(0),
    ...addConstant(source, 16),
    ...addConstant(target, 16),
    ...countDown(vectorsLeft),
    ...op.end(),
    ...addTo(outerSource, srcOuter),
    ...addTo(outerTarget, dstOuter),
    ...countDown(outerLeft),
    ...op.end(),
    ...addTo(src, srcPanel),
    ...addTo(dst, dstPanel),
    ...countDown(panels),
    ...op.end(),
  ];
  const i32 = ValueType.i32;
  return {
    name: 'copy_vectors',
    parameters: [i32, i32, i32, i32, i32, i32, i32, i32, i32],
    results: [],
    locals: [{ count: 6, type: i32 }],
    body,
  };
}

let compiled: { copy: VectorCopy | undefined } | undefined;

/**
 * The compiled `copy_vectors` on the kernel memory, or undefined when the SIMD kernels are off
 * or the module does not compile. Compiled once; it runs on the calling thread only.
 *
 * @example
 * vectorCopy()?.(from, to, 1, rows, 7, 0, 120, 0, 112); // 28 floats per row, rows 30 floats apart
 */
export function vectorCopy(): VectorCopy | undefined {
  if (!simdKernels()) return undefined;
  if (!compiled) {
    const instance = instantiateOnKernelMemory((limits) => encodeModule(limits, [copyVectorsDefinition()]));
    compiled = { copy: instance?.exports.copy_vectors as VectorCopy | undefined };
  }
  return compiled.copy;
}
