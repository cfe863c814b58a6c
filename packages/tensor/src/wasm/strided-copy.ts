/**
 * The one generator of Vane's three-level strided copy kernels: for each of `panels` panels,
 * `outer` runs of `inner` elements, each level advancing the source and destination addresses
 * by its byte stride. matmul's `pack` (simd-kernels-module.ts) copies single float32 values
 * with strides of its own at the innermost level (packing transposes); `copy_vectors`
 * (simd-vector-copy.ts) copies whole 128-bit vectors that are consecutive on both sides, and
 * `add_floats` (same file) adds single float32 values into the destination with strides of
 * their own (the col2im of a convolution's input gradient). `transpose_quads`
 * (simd-transpose-quads.ts) runs the same loop nest over 4×4 blocks that it transposes.
 * Every count must be at least 1 (the loops test at their end).
 */
import { op, v128Load, v128Store, ValueType, type FunctionDefinition } from './wasm-encoder.js';
import { advanceByLocal, advanceLocal, countDown } from './loop-emitters.js';

/**
 * What one innermost step moves: `'float32'` (parameters
 * `src, dst, panels, outer, inner, srcPanel, srcOuter, srcInner, dstPanel, dstOuter, dstInner`),
 * `'vector'` (16 bytes, consecutive: `src, dst, panels, outer, vectors, srcPanel, srcOuter,
 * dstPanel, dstOuter`) or `'float32-add'` (the parameters of `'float32'`; `dst += src` instead
 * of `dst = src`, one float32 addition per element).
 */
export type StridedCopyElement = 'float32' | 'vector' | 'float32-add';

/**
 * The signature of a compiled `'float32'` or `'float32-add'` copy (matmul's `pack`,
 * `add_floats`): byte addresses, counts and byte strides. Written once here for every module
 * that exports one (kernel-runtime.ts, simd-vector-copy.ts, simd-transpose-quads.ts).
 */
export type StridedFloatCopy = (
  src: number,
  dst: number,
  panels: number,
  outer: number,
  inner: number,
  srcPanel: number,
  srcOuter: number,
  srcInner: number,
  dstPanel: number,
  dstOuter: number,
  dstInner: number,
) => void;

/**
 * The function `name` copying with the given element (see {@link StridedCopyElement}).
 *
 * @example
 * encodeModule(limits, [stridedCopyDefinition('copy_vectors', 'vector')]);
 */
export function stridedCopyDefinition(name: string, element: StridedCopyElement): FunctionDefinition {
  const vector = element === 'vector';
  // Parameters: addresses, counts, then the strides (the innermost ones only for float32).
  const [src, dst, panels, outer, inner, srcPanel, srcOuter] = [0, 1, 2, 3, 4, 5, 6];
  const srcInner = vector ? undefined : 7;
  const [dstPanel, dstOuter] = vector ? [7, 8] : [8, 9];
  const dstInner = vector ? undefined : 10;
  const parameterCount = vector ? 9 : 11;
  const [source, target, outerLeft, innerLeft, outerSource, outerTarget] = Array.from(
    { length: 6 },
    (_, index) => parameterCount + index,
  ) as [number, number, number, number, number, number];
  const g = op.localGet;
  const advance = (local: number, stride: number | undefined) =>
    stride === undefined ? advanceLocal(local, 16) : advanceByLocal(local, stride);
  const body = stridedLoopNest(
    { src, dst, panels, outer, inner, srcPanel, srcOuter, dstPanel, dstOuter },
    { source, target, outerSource, outerTarget, outerLeft, innerLeft },
    [
      ...g(target),
      ...g(source),
      ...(vector
        ? [...v128Load(0), ...v128Store(0)]
        : element === 'float32-add'
          ? [...op.f32Load(0), ...g(target), ...op.f32Load(0), ...op.f32Add(), ...op.f32Store(0)]
          : [...op.f32Load(0), ...op.f32Store(0)]),
      ...advance(source, srcInner),
      ...advance(target, dstInner),
    ],
  );
  return {
    name,
    parameters: Array.from({ length: parameterCount }, () => ValueType.i32),
    results: [],
    locals: [{ count: 6, type: ValueType.i32 }],
    body,
  };
}

/** The parameters of a three-level strided loop nest ({@link stridedLoopNest}): addresses, counts, outer strides. */
export interface StridedLoopParameters {
  src: number;
  dst: number;
  panels: number;
  outer: number;
  inner: number;
  srcPanel: number;
  srcOuter: number;
  dstPanel: number;
  dstOuter: number;
}

/** The i32 locals a strided loop nest uses: the running addresses and the two inner counters. */
export interface StridedLoopLocals {
  source: number;
  target: number;
  outerSource: number;
  outerTarget: number;
  outerLeft: number;
  innerLeft: number;
}

/**
 * The panels × outer × inner loop nest of the strided copies (this file's and
 * simd-transpose-quads.ts'): `innermost` runs `inner` times per run with `source` and `target`
 * at the current element and must move them on itself; each run starts `srcOuter`/`dstOuter`
 * bytes after the last, each panel `srcPanel`/`dstPanel` bytes after the last. Written once
 * because every strided kernel walks its operands the same way and differs only in the step.
 * Every count must be at least 1 (the loops test at their end).
 *
 * @example
 * stridedLoopNest(parameters, locals, [...op.localGet(target), ...op.localGet(source), ...v128Load(0), ...v128Store(0), ...steps])
 */
export function stridedLoopNest(
  parameters: StridedLoopParameters,
  locals: StridedLoopLocals,
  innermost: readonly number[],
): number[] {
  const { src, dst, panels, outer, inner, srcPanel, srcOuter, dstPanel, dstOuter } = parameters;
  const { source, target, outerSource, outerTarget, outerLeft, innerLeft } = locals;
  const g = op.localGet;
  const s = op.localSet;
  return [
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
    ...g(inner),
    ...s(innerLeft),
    ...op.loop(),
    ...innermost,
    ...countDown(innerLeft),
    ...op.end(),
    ...advanceByLocal(outerSource, srcOuter),
    ...advanceByLocal(outerTarget, dstOuter),
    ...countDown(outerLeft),
    ...op.end(),
    ...advanceByLocal(src, srcPanel),
    ...advanceByLocal(dst, dstPanel),
    ...countDown(panels),
    ...op.end(),
  ];
}

/** i8x16.shuffle of the two vectors on the stack, picking 32-bit lanes (0–3: first, 4–7: second). */
function shuffleLanes(lanes: readonly [number, number, number, number]): number[] {
  const bytes = lanes.flatMap((lane) => [lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3]);
  return op.simd(0x0d, ...bytes);
}

/**
 * The definition of `transpose_quads` (see simd-transpose-quads.ts for what it does). Here
 * rather than there so that the kernel module (simd-kernels-module.ts) can hold it too: the
 * worker threads, which only have that module, pack matmul's row panels with it.
 */
export function transposeQuadsDefinition(): FunctionDefinition {
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
