/**
 * A strided copy that transposes 4×4 blocks of float32, in the kernel memory:
 * `transpose_quads(src, dst, panels, outer, inner, srcPanel, srcOuter, srcInner, dstPanel,
 * dstOuter, dstInner, srcLine, dstLine)` visits `panels × outer × inner` blocks, the three
 * levels advancing the source and destination byte addresses by their strides as in the
 * strided copies (strided-copy.ts). A block is the four vectors at `s + r·srcLine` (r = 0..3);
 * their transpose is stored to `d + c·dstLine` (c = 0..3): lane r of stored vector c is lane c
 * of loaded vector r. Eight `i8x16.shuffle`s per block, against sixteen scalar loads and
 * stores.
 *
 * This is the copy-out of the padded-grid convolution (padded-grid-convolution.ts), whose
 * product is laid out [position, channel]: a block is 4 positions × 4 channels, stored as 4
 * positions of each of 4 output planes. The scalar `pack` did that transpose one float at a
 * time, 3.8 of 8.8 ms (loaded machine) for a 64×1×28×28, 32 3×3 forward pass.
 * Addresses need no alignment; every count must be at least 1.
 */
import { kernelModuleOnce } from './kernel-runtime.js';
import { transposeQuadsDefinition, type StridedFloatCopy } from './strided-copy.js';

/** The signature of the compiled `transpose_quads`: a strided float copy's parameters, then the two line strides. */
export type TransposeQuads = (
  ...parameters: [...Parameters<StridedFloatCopy>, srcLine: number, dstLine: number]
) => void;

const transposeModule = kernelModuleOnce(() => [transposeQuadsDefinition()]);

/**
 * The compiled `transpose_quads` on the kernel memory, or undefined when the SIMD kernels are
 * off or the module does not compile. Compiled once; it runs on the calling thread only.
 *
 * @example
 * transposeQuads()?.(c, out, 8, 28, 7, 16, 30 * 128, 512, 4 * 3136, 112, 16, 128, 3136); // 32 channels of 28×28
 */
export function transposeQuads(): TransposeQuads | undefined {
  return transposeModule()?.transpose_quads as TransposeQuads | undefined;
}
