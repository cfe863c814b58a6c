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
import { op, v128Load, v128Store, ValueType } from './wasm-encoder.js';
import { advanceByLocal } from './loop-emitters.js';
import { stridedLoopNest, type StridedFloatCopy } from './strided-copy.js';

/** The signature of the compiled `transpose_quads`: a strided float copy's parameters, then the two line strides. */
export type TransposeQuads = (
  ...parameters: [...Parameters<StridedFloatCopy>, srcLine: number, dstLine: number]
) => void;

/** i8x16.shuffle of the two vectors on the stack, picking 32-bit lanes (0–3: first, 4–7: second). */
function shuffleLanes(lanes: readonly [number, number, number, number]): number[] {
  const bytes = lanes.flatMap((lane) => [lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3]);
  return op.simd(0x0d, ...bytes);
}

function transposeDefinition() {
  const [src, dst, panels, outer, inner, srcPanel, srcOuter, srcInner, dstPanel, dstOuter, dstInner] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ];
  const [srcLine, dstLine] = [11, 12];
  const [outerLeft, innerLeft, outerSource, outerTarget, source, target] = [13, 14, 15, 16, 17, 18];
  // v128 locals: the four loaded rows, then the four half-transposed pairs.
  const rows = [19, 20, 21, 22];
  const pairs = [23, 24, 25, 26];
  const g = op.localGet;
  const s = op.localSet;
  // Row r is at source + r·srcLine; column c goes to target + c·dstLine.
  const lineAddress = (base: number, line: number, index: number) =>
    index === 0 ? g(base) : [...g(base), ...g(line), ...op.i32Const(index), ...op.i32Mul(), ...op.i32Add()];
  const block = [
    ...rows.flatMap((local, r) => [...lineAddress(source, srcLine, r), ...v128Load(0), ...s(local)]),
    // pairs: (r0, r1) and (r2, r3) interleaved by lane halves.
    ...[
      [rows[0]!, rows[1]!, [0, 4, 1, 5]],
      [rows[0]!, rows[1]!, [2, 6, 3, 7]],
      [rows[2]!, rows[3]!, [0, 4, 1, 5]],
      [rows[2]!, rows[3]!, [2, 6, 3, 7]],
    ].flatMap(([a, b, lanes], index) => [
      ...g(a as number),
      ...g(b as number),
      ...shuffleLanes(lanes as [number, number, number, number]),
      ...s(pairs[index]!),
    ]),
    // Column c: lanes c of r0..r3.
    ...[
      [pairs[0]!, pairs[2]!, [0, 1, 4, 5]],
      [pairs[0]!, pairs[2]!, [2, 3, 6, 7]],
      [pairs[1]!, pairs[3]!, [0, 1, 4, 5]],
      [pairs[1]!, pairs[3]!, [2, 3, 6, 7]],
    ].flatMap(([a, b, lanes], c) => [
      ...lineAddress(target, dstLine, c),
      ...g(a as number),
      ...g(b as number),
      ...shuffleLanes(lanes as [number, number, number, number]),
      ...v128Store(0),
    ]),
  ];
  const body = stridedLoopNest(
    { src, dst, panels, outer, inner, srcPanel, srcOuter, dstPanel, dstOuter },
    { source, target, outerSource, outerTarget, outerLeft, innerLeft },
    [...block, ...advanceByLocal(source, srcInner), ...advanceByLocal(target, dstInner)],
  );
  return {
    name: 'transpose_quads',
    parameters: Array.from({ length: 13 }, () => ValueType.i32),
    results: [],
    locals: [
      { count: 6, type: ValueType.i32 },
      { count: 8, type: ValueType.v128 },
    ],
    body,
  };
}

const transposeModule = kernelModuleOnce(() => [transposeDefinition()]);

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
