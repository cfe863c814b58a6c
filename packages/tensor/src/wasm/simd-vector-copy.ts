/**
 * A strided copy of whole 128-bit vectors (four float32 each) in the kernel memory:
 * `copy_vectors(src, dst, panels, outer, vectors, srcPanel, srcOuter, dstPanel, dstOuter)`
 * copies, for each of `panels` panels and each of `outer` runs, `vectors` consecutive vectors
 * from the source to the destination, the two nested indices advancing each address by its
 * byte stride. The kernel module's scalar `pack` moves one float per iteration because
 * matmul's packing transposes; where runs are contiguous on both sides (a convolution's
 * im2col rows on a padded grid, whole output rows) this moves four per load and store.
 * `add_floats` takes the eleven parameters of `pack` and adds each source float32 into its
 * destination (`dst += src`): col2im, the scatter-add of a convolution's input gradient.
 * Addresses need no alignment. Every count must be at least 1.
 */
import { kernelModuleOnce } from './kernel-runtime.js';
import { stridedCopyDefinition, type StridedFloatCopy } from './strided-copy.js';

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

/** The signature of the compiled `add_floats` (byte addresses and byte strides, as `pack`). */
export type StridedAdd = StridedFloatCopy;

const copyModule = kernelModuleOnce(() => [
  stridedCopyDefinition('copy_vectors', 'vector'),
  stridedCopyDefinition('add_floats', 'float32-add'),
]);

/**
 * The compiled `copy_vectors` on the kernel memory, or undefined when the SIMD kernels are off
 * or the module does not compile. Compiled once; it runs on the calling thread only.
 *
 * @example
 * vectorCopy()?.(from, to, 1, rows, 7, 0, 120, 0, 112); // 28 floats per row, rows 30 floats apart
 */
export function vectorCopy(): VectorCopy | undefined {
  return copyModule()?.copy_vectors as VectorCopy | undefined;
}

/**
 * The compiled `add_floats` on the kernel memory, or undefined when the SIMD kernels are off or
 * the module does not compile. It runs on the calling thread only.
 *
 * @example
 * stridedAdd()?.(cols, image, 1, 14, 14, 0, 56, 4, 0, 224, 8); // 14×14 values into every other column and row of a 28-wide image
 */
export function stridedAdd(): StridedAdd | undefined {
  return copyModule()?.add_floats as StridedAdd | undefined;
}
