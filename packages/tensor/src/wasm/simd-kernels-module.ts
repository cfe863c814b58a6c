/**
 * The WebAssembly SIMD kernels, emitted as bytes from TypeScript.
 *
 * - `gemm_tiles`: the packed matrix-multiply inner loops (GEBP). A is packed in panels of
 *   `GEMM_ROWS` rows and B in panels of `GEMM_COLUMNS` = 8 columns (two f32x4 vectors); a
 *   `GEMM_ROWS`×8 micro-kernel keeps its accumulators in v128 locals and does a broadcast
 *   load of A, two loads of B and mul+add per row each k step (f32x4.mul then f32x4.add).
 * - `gemm_tiles_fma`, only where the engine has relaxed SIMD: the same loops with
 *   `f32x4.relaxed_madd` (a fused multiply-add on x86 with FMA and on ARM), whose results can
 *   differ from mul+add in the last bit (one rounding instead of two).
 * - `gemm_tiles_store` and `gemm_tiles_fma_store`: the same, storing C = Apack · Bpack instead
 *   of adding to it (a product's first depth block: C need not be zeroed first).
 * - `<op>_vv`, `<op>_vs`, `<op>_sv` for add/sub/mul/div: vector-vector, vector-scalar and
 *   scalar-vector loops over f32x4.
 * - `exp`: a float32 exp with Cody–Waite range reduction and a degree-7 polynomial.
 * - `pack`: a strided float32 copy in three nested loops (matmul's operand packing, for
 *   operands that live in the kernel memory; see simd-gemm.ts).
 * - `copy_vectors` and `transpose_quads` (strided-copy.ts): the faster packings of panels whose
 *   lanes, or whose depth steps, are consecutive floats. Also compiled on their own for the
 *   convolutions; here so that the worker threads, which instantiate only this module, can
 *   pack matmul's row panels inside their chunks (`packPanels`, thread-pool.ts).
 * - `gather_panels` (gather-panels-definition.ts): the padded-grid convolution's im2col gather,
 *   likewise here so that a threaded gemm's chunks gather their own row panels of patches.
 *
 * All lengths are counts of f32x4 vectors (at least one): the caller pads its buffers, so no
 * kernel needs a scalar tail loop.
 */
import {
  encodeModule,
  op,
  Simd,
  v128Load,
  v128Load32Splat,
  v128Store,
  ValueType,
  type FunctionDefinition,
} from './wasm-encoder.js';
import { advanceByLocal, advanceLocal, countDown } from './loop-emitters.js';
import { stridedCopyDefinition, transposeQuadsDefinition } from './strided-copy.js';
import { gatherPanelsDefinition } from './gather-panels-definition.js';

/** Rows of the matmul micro-kernel (the A panel height). */
export const GEMM_ROWS = 4;
/** Columns of the matmul micro-kernel (the B panel width): two f32x4 vectors. */
export const GEMM_COLUMNS = 8;

const { i32, v128 } = ValueType;

const f32x4Constant = (value: number) => {
  const lane = [...new Uint8Array(new Float32Array([value]).buffer)];
  return op.simd(0x0c, ...lane, ...lane, ...lane, ...lane);
};
const simd = (code: number) => op.simd(code);

/**
 * gemm_tiles(aPack, bPack, c, mPanels, nPanels, kc, blockPanels): C += Apack · Bpack for
 * every (row panel, column panel) pair, C being row-major with `nPanels * 8` columns.
 * Row panels are visited in blocks of `blockPanels` so that a block of packed A stays in
 * the L2 cache while the B panels stream past it.
 */
function gemmTiles(rows: number, fusedMultiplyAdd: boolean, overwrite = false): FunctionDefinition {
  const [aPack, bPack, c, mPanels, nPanels, kc, blockPanels] = [0, 1, 2, 3, 4, 5, 6];
  // i32 locals.
  const [rowStride, aPanelBytes, bPanelBytes, blockStart, blockEnd, jp, ip, ap, bp, p, cRow] = [
    7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
  ];
  // v128 locals: accumulators, then the two B vectors and the broadcast A value.
  const firstAccumulator = 18;
  const accumulator = (row: number, half: number) => firstAccumulator + row * 2 + half;
  const b0 = firstAccumulator + rows * 2;
  const b1 = b0 + 1;
  const a = b0 + 2;
  const g = op.localGet;
  const s = op.localSet;
  // accumulator += x · y: relaxed_madd takes (x, y, accumulator); mul+add takes the
  // accumulator first so the sum's operand order matches the scalar kernel's.
  const multiplyAdd = (target: number, x: number, y: number) =>
    fusedMultiplyAdd
      ? [...g(x), ...g(y), ...g(target), ...simd(Simd.f32x4RelaxedMadd), ...s(target)]
      : [...g(target), ...g(x), ...g(y), ...simd(Simd.f32x4Mul), ...simd(Simd.f32x4Add), ...s(target)];
  const body: number[] = [
    ...g(nPanels),
    ...op.i32Const(GEMM_COLUMNS * 4),
    ...op.i32Mul(),
    ...s(rowStride),
    ...g(kc),
    ...op.i32Const(rows * 4),
    ...op.i32Mul(),
    ...s(aPanelBytes),
    ...g(kc),
    ...op.i32Const(GEMM_COLUMNS * 4),
    ...op.i32Mul(),
    ...s(bPanelBytes),
    ...op.i32Const(0),
    ...s(blockStart),
    ...op.loop(),
    // blockEnd = min(blockStart + blockPanels, mPanels)
    ...g(blockStart),
    ...g(blockPanels),
    ...op.i32Add(),
    ...s(blockEnd),
    ...g(blockEnd),
    ...g(mPanels),
    ...op.i32GtS(),
    ...op.if(),
    ...g(mPanels),
    ...s(blockEnd),
    ...op.end(),
    ...op.i32Const(0),
    ...s(jp),
    ...op.loop(),
    ...g(blockStart),
    ...s(ip),
    ...op.loop(),
    ...g(aPack),
    ...g(ip),
    ...g(aPanelBytes),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...s(ap),
    ...g(bPack),
    ...g(jp),
    ...g(bPanelBytes),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...s(bp),
    ...Array.from({ length: rows * 2 }, (_, index) => [...f32x4Constant(0), ...s(firstAccumulator + index)]).flat(),
    ...g(kc),
    ...s(p),
    ...op.loop(),
    ...g(bp),
    ...v128Load(0),
    ...s(b0),
    ...g(bp),
    ...v128Load(16),
    ...s(b1),
    ...Array.from({ length: rows }, (_, row) => [
      ...g(ap),
      ...v128Load32Splat(row * 4),
      ...s(a),
      ...multiplyAdd(accumulator(row, 0), a, b0),
      ...multiplyAdd(accumulator(row, 1), a, b1),
    ]).flat(),
    ...advanceLocal(ap, rows * 4),
    ...advanceLocal(bp, GEMM_COLUMNS * 4),
    ...countDown(p),
    ...op.end(),
    // cRow = c + ip * rows * rowStride + jp * 32; then add the accumulators into C row by row.
    ...g(c),
    ...g(ip),
    ...op.i32Const(rows),
    ...op.i32Mul(),
    ...g(rowStride),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...g(jp),
    ...op.i32Const(GEMM_COLUMNS * 4),
    ...op.i32Mul(),
    ...op.i32Add(),
    ...s(cRow),
    ...Array.from({ length: rows }, (_, row) => [
      ...(overwrite
        ? [
            ...g(cRow),
            ...g(accumulator(row, 0)),
            ...v128Store(0),
            ...g(cRow),
            ...g(accumulator(row, 1)),
            ...v128Store(16),
          ]
        : [
            ...g(cRow),
            ...g(cRow),
            ...v128Load(0),
            ...g(accumulator(row, 0)),
            ...simd(Simd.f32x4Add),
            ...v128Store(0),
            ...g(cRow),
            ...g(cRow),
            ...v128Load(16),
            ...g(accumulator(row, 1)),
            ...simd(Simd.f32x4Add),
            ...v128Store(16),
          ]),
      ...advanceByLocal(cRow, rowStride),
    ]).flat(),
    ...g(ip),
    ...op.i32Const(1),
    ...op.i32Add(),
    ...op.localTee(ip),
    ...g(blockEnd),
    ...op.i32LtS(),
    ...op.brIf(0),
    ...op.end(),
    ...g(jp),
    ...op.i32Const(1),
    ...op.i32Add(),
    ...op.localTee(jp),
    ...g(nPanels),
    ...op.i32LtS(),
    ...op.brIf(0),
    ...op.end(),
    ...g(blockEnd),
    ...op.localTee(blockStart),
    ...g(mPanels),
    ...op.i32LtS(),
    ...op.brIf(0),
    ...op.end(),
  ];
  return {
    name: `${fusedMultiplyAdd ? 'gemm_tiles_fma' : 'gemm_tiles'}${overwrite ? '_store' : ''}`,
    parameters: [i32, i32, i32, i32, i32, i32, i32],
    results: [],
    locals: [
      { count: 11, type: i32 },
      { count: rows * 2 + 3, type: v128 },
    ],
    body,
  };
}

/** The binary elementwise ops with a SIMD kernel, by their kernel name. */
export const SIMD_BINARY_OPS = {
  add: Simd.f32x4Add,
  sub: Simd.f32x4Sub,
  mul: Simd.f32x4Mul,
  div: Simd.f32x4Div,
} as const;
/** A binary op with a SIMD kernel. */
export type SimdBinaryOp = keyof typeof SIMD_BINARY_OPS;

/**
 * `<name>_<layout>(a, b, out, vectors)`: out = a ∘ b, where layout says which operand is a
 * vector (v) and which a scalar broadcast to every lane (s).
 */
export function binary(name: SimdBinaryOp, layout: 'vv' | 'vs' | 'sv'): FunctionDefinition {
  const [a, b, out, count, scalar] = [0, 1, 2, 3, 4];
  const g = op.localGet;
  const s = op.localSet;
  const operand = (index: number, isScalar: boolean) => (isScalar ? g(scalar) : [...g(index), ...v128Load(0)]);
  const body = [
    ...(layout === 'vs' ? [...g(b), ...v128Load32Splat(0), ...s(scalar)] : []),
    ...(layout === 'sv' ? [...g(a), ...v128Load32Splat(0), ...s(scalar)] : []),
    ...op.loop(),
    ...g(out),
    ...operand(a, layout === 'sv'),
    ...operand(b, layout === 'vs'),
    ...simd(SIMD_BINARY_OPS[name]),
    ...v128Store(0),
    ...(layout === 'sv' ? [] : advanceLocal(a, 16)),
    ...(layout === 'vs' ? [] : advanceLocal(b, 16)),
    ...advanceLocal(out, 16),
    ...countDown(count),
    ...op.end(),
  ];
  return {
    name: `${name}_${layout}`,
    parameters: [i32, i32, i32, i32],
    results: [],
    locals: [{ count: 1, type: v128 }],
    body,
  };
}

// Cody–Waite split of ln 2: the high part has few enough significant bits that t · high is
// exact for every reduction multiple t this kernel produces (|t| ≤ 151).
const LN2_HIGH = 0.693359375;
const LN2_LOW = Math.LN2 - LN2_HIGH;

/**
 * exp(x, out, vectors): out = eˣ in float32. x is clamped to [−104, 89] (beyond which the
 * float32 result is 0 or +∞ anyway; min/max propagate NaN), reduced as x = t·ln2 + r with
 * t = nearest(x·log₂e) and |r| ≤ ln2/2, eʳ is the Taylor polynomial of degree 7 (truncation
 * error below 6e-9 relative on that interval, far under float32's half-ulp), and the result is
 * scaled by 2^t as two factors 2^⌊t/2⌋ · 2^(t−⌊t/2⌋) so that results in the subnormal range
 * and up to the largest float are both reachable with exponent-field arithmetic.
 */
export function exponential(): FunctionDefinition {
  const [x, out, count] = [0, 1, 2];
  const [value, t, r, polynomial, integer, half] = [3, 4, 5, 6, 7, 8];
  const g = op.localGet;
  const s = op.localSet;
  const mulConstant = (constant: number) => [...f32x4Constant(constant), ...simd(Simd.f32x4Mul)];
  const addConstant = (constant: number) => [...f32x4Constant(constant), ...simd(Simd.f32x4Add)];
  const coefficients = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1];
  const horner = [
    ...f32x4Constant(coefficients[0]!),
    ...coefficients.slice(1).flatMap((coefficient) => [...g(r), ...simd(Simd.f32x4Mul), ...addConstant(coefficient)]),
  ];
  const exponentBits = (source: number[]) => [
    ...source,
    ...op.i32Const(127),
    ...op.simd(Simd.i32x4Splat),
    ...simd(Simd.i32x4Add),
    ...op.i32Const(23),
    ...simd(Simd.i32x4Shl),
  ];
  const body = [
    ...op.loop(),
    ...g(x),
    ...v128Load(0),
    ...f32x4Constant(-104),
    ...simd(Simd.f32x4Max),
    ...f32x4Constant(89),
    ...simd(Simd.f32x4Min),
    ...s(value),
    ...g(value),
    ...mulConstant(Math.LOG2E),
    ...simd(Simd.f32x4Nearest),
    ...s(t),
    ...g(value),
    ...g(t),
    ...mulConstant(LN2_HIGH),
    ...simd(Simd.f32x4Sub),
    ...g(t),
    ...mulConstant(LN2_LOW),
    ...simd(Simd.f32x4Sub),
    ...s(r),
    ...horner,
    ...s(polynomial),
    ...g(t),
    ...simd(Simd.i32x4TruncSatF32x4S),
    ...s(integer),
    ...g(integer),
    ...op.i32Const(1),
    ...simd(Simd.i32x4ShrS),
    ...s(half),
    ...g(out),
    ...g(polynomial),
    ...exponentBits(g(half)),
    ...simd(Simd.f32x4Mul),
    ...exponentBits([...g(integer), ...g(half), ...simd(Simd.i32x4Sub)]),
    ...simd(Simd.f32x4Mul),
    ...v128Store(0),
    ...advanceLocal(x, 16),
    ...advanceLocal(out, 16),
    ...countDown(count),
    ...op.end(),
  ];
  return { name: 'exp', parameters: [i32, i32, i32], results: [], locals: [{ count: 6, type: v128 }], body };
}

/**
 * pack(src, dst, panels, outer, inner, srcPanel, srcOuter, srcInner, dstPanel, dstOuter,
 * dstInner): for each of `panels` panels, `outer` runs of `inner` float32 copies, each index
 * advancing the source and destination by its byte strides. All three counts must be at
 * least 1. Scalar loads and stores: packing reorders single floats (a transpose of 4 or 8
 * lanes), and one wasm loop iteration costs a fraction of the JavaScript loop's.
 */
const pack = () => stridedCopyDefinition('pack', 'float32');

/**
 * Packs `panels` panels of a matmul operand that lives in the kernel memory with this module's
 * copies: each panel holds `lanes` lines (A: 4 rows, B: 8 columns) of `depth` floats, lane
 * after lane at each depth step, of which the first `lanesInPanel` are copied (the last panel
 * of an operand whose size is not a multiple of `lanes`; the caller zeroes the others). The
 * source's lanes are `laneBytes` apart and its depth steps `depthBytes`; panels follow each
 * other, `lanes · laneBytes` apart in the source and `lanes · depth · 4` in the target. Whole
 * panels whose lanes are one float apart go through `copy_vectors`, those whose depth steps
 * are, through `transpose_quads`; everything else through `pack`, with the loop of the
 * shorter source stride innermost (a transposed operand reads along its rows).
 * Self-contained (no imports, no outer names): the worker threads run its source text
 * (thread-pool.ts), so that a gemm chunk packs its own row panels.
 *
 * @example
 * packPanels(exports, aAddress, aPack, 32, 4, 4, 256, 784 * 4, 4); // 32 row panels of a 128×784 row-major A
 */
export function packPanels(
  exports: Record<string, unknown>,
  source: number,
  target: number,
  panels: number,
  lanes: number,
  lanesInPanel: number,
  depth: number,
  laneBytes: number,
  depthBytes: number,
): void {
  type Copy = (...values: number[]) => void;
  const pack = exports.pack as Copy;
  const panelBytes = lanes * depth * 4;
  const lanesInner = Math.abs(laneBytes) < Math.abs(depthBytes);
  const whole = lanesInPanel === lanes;
  if (whole && lanesInner && laneBytes === 4) {
    (exports.copy_vectors as Copy)(
      source,
      target,
      panels,
      depth,
      lanes / 4,
      lanes * 4,
      depthBytes,
      panelBytes,
      lanes * 4,
    );
  } else if (whole && !lanesInner && depthBytes === 4 && depth >= 4) {
    const quads = depth >> 2;
    (exports.transpose_quads as Copy)(
      source,
      target,
      panels,
      quads,
      lanes / 4,
      lanes * laneBytes,
      16,
      4 * laneBytes,
      panelBytes,
      lanes * 16,
      16,
      laneBytes,
      lanes * 4,
    );
    const tail = depth - quads * 4;
    if (tail > 0)
      pack(
        source + quads * 16,
        target + quads * 4 * lanes * 4,
        panels,
        lanes,
        tail,
        lanes * laneBytes,
        laneBytes,
        4,
        panelBytes,
        4,
        lanes * 4,
      );
  } else if (lanesInner) {
    pack(
      source,
      target,
      panels,
      depth,
      lanesInPanel,
      lanes * laneBytes,
      depthBytes,
      laneBytes,
      panelBytes,
      lanes * 4,
      4,
    );
  } else {
    pack(
      source,
      target,
      panels,
      lanesInPanel,
      depth,
      lanes * laneBytes,
      laneBytes,
      depthBytes,
      panelBytes,
      4,
      lanes * 4,
    );
  }
}

/**
 * The kernel module's bytes, importing `env.memory` with the given limits. With
 * `fusedMultiplyAdd` the module also has `gemm_tiles_fma`, which needs relaxed SIMD (see
 * `relaxedSimdSupported`): an engine without it rejects the whole module.
 */
export function simdKernelsModule(
  memory: { minimumPages: number; maximumPages?: number; shared?: boolean },
  options: { fusedMultiplyAdd?: boolean } = {},
): Uint8Array {
  const binaries = (Object.keys(SIMD_BINARY_OPS) as SimdBinaryOp[]).flatMap((name) =>
    (['vv', 'vs', 'sv'] as const).map((layout) => binary(name, layout)),
  );
  const gemms = options.fusedMultiplyAdd
    ? [gemmTiles(GEMM_ROWS, false), gemmTiles(GEMM_ROWS, true)]
    : [gemmTiles(GEMM_ROWS, false)];
  // The overwriting variants come last, so the functions before them keep their indices.
  const overwriting = options.fusedMultiplyAdd
    ? [gemmTiles(GEMM_ROWS, false, true), gemmTiles(GEMM_ROWS, true, true)]
    : [gemmTiles(GEMM_ROWS, false, true)];
  return encodeModule(memory, [
    ...gemms,
    ...binaries,
    exponential(),
    pack(),
    ...overwriting,
    stridedCopyDefinition('copy_vectors', 'vector'),
    transposeQuadsDefinition(),
    gatherPanelsDefinition(),
  ]);
}

/**
 * Whether this engine validates `f32x4.relaxed_madd` (relaxed SIMD): Node 22+ and current
 * browsers do; Node 20 only with `--experimental-wasm-relaxed-simd`. Validating a one-function
 * module costs microseconds and compiles nothing.
 */
export function relaxedSimdSupported(): boolean {
  if (typeof WebAssembly === 'undefined') return false;
  const probe = encodeModule({ minimumPages: 1 }, [
    {
      name: 'madd',
      parameters: [v128, v128, v128],
      results: [v128],
      locals: [],
      body: [...op.localGet(0), ...op.localGet(1), ...op.localGet(2), ...simd(Simd.f32x4RelaxedMadd)],
    },
  ]);
  try {
    return WebAssembly.validate(probe as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}
