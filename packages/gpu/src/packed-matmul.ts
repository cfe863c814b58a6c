/**
 * matmul on the gpu backend, shaped for GPUs: both operands are first packed into RGBA
 * textures (four consecutive values of a row per texel), then every fragment of the main
 * kernel computes four neighbouring outputs of one row, reading per step of four along the
 * depth one texel of the left operand and four texels of the right one (5 fetches for 16
 * multiply-adds, against 2 fetches for each multiply-add of a kernel that computes one output
 * per fragment from scalar textures). The four-step is unrolled by hand; the result is
 * unpacked into the backend's one-value-per-texel storage.
 *
 * Where an operand is read by several products (a weight in `x · w` and `dz · wᵀ`, an activation
 * in `h · w` and `hᵀ · dz`) the products read it packed along its own rows (outer-product.ts), and
 * its pack is kept with its storage for all of them (pack-cache.ts).
 *
 * Packing also absorbs strides, transposes, offsets and zero padding of a depth or width that
 * is not a multiple of four, so the main kernel only ever sees contiguous, aligned operands
 * and never does per-read stride arithmetic. Packing and unpacking cost one pass over each
 * matrix (O(n²)) against the main kernel's O(n³).
 *
 * On a WebGL path the packed operands and the product are 2-D textures of exactly their
 * matrix's extent (a texel per four values of a row, a texture row per matrix row), read by a
 * GLSL fetch at (column, row) (texel-fetch.ts). gpu.js's own fetch turns a 1-D index into
 * texture coordinates with two integer divisions per read, which llvmpipe cannot vectorise;
 * the direct fetch has none, and the kernels take their row and column from `this.thread`
 * instead of dividing. Where a texture would exceed the device's maximum size, a matrix has a
 * single row, or the path is not WebGL, the 1-D layout and gpu.js's fetch are used instead.
 */
import { sizeOf, type DType, type TensorView } from '@vane/tensor';
import { define, stored } from './kernel-definition.js';
import { coordinates, names, position, viewArguments, viewParameters } from './index-arithmetic.js';
import { runKernel, type KernelOutput, type NativeFunction } from './kernel-runner.js';
import {
  BLOCK_PRODUCT,
  BLOCKED_VALUE,
  directFetchAvailable,
  eightRowBlocksAvailable,
  productBands,
  fitsTexture,
  multipleOutputsAvailable,
  type BlockRows,
} from './texel-fetch.js';
import { pendingBlocked, type ChainRunner } from './elementwise-fusion.js';
import { FOUR_VALUES_FETCH } from './value-fetch.js';
import { asStorage, EMPTY, result, textureOf, type GpuStorage } from './storage.js';
import { cachedPack } from './pack-cache.js';
import { PendingStorage } from './elementwise-fusion.js';
import { QUAD_FOUR_VALUES, quadRead } from './quad-fetch.js';
import { OUTER_PRODUCT, ROW_PRODUCT } from './outer-product.js';

const LANES = 4;

interface Packed {
  readonly texture: unknown;
  /** Texels between one batch image and the next; 0 when the operand is shared across the batch. */
  readonly imageTexels: number;
  /** Texture rows between one batch image and the next in the 2-D layout (0 when shared). */
  readonly imageRows: number;
  /** The texture is kept with its source storage (pack-cache.ts): not deleted after the product. */
  readonly kept: boolean;
}

/** True when every batch axis of `view` has stride 0: one matrix broadcast over the batch. */
function sharedAcrossBatch(view: TensorView): boolean {
  const rank = view.shape.length;
  return rank > 2 && view.strides.slice(0, rank - 2).every((stride) => stride === 0);
}

/**
 * Packs the matrices of `view` (shape `[...batch, rows, columns]`, any strides) into texels of
 * four consecutive columns, `rowsOut` rows per image (rows past `rows` and columns past
 * `columns` are zero).
 */
function pack(view: TensorView, rowsOut: number, direct: boolean): Packed {
  const shared = sharedAcrossBatch(view);
  const matrix: TensorView = shared ? { ...view, shape: view.shape.slice(-2), strides: view.strides.slice(-2) } : view;
  const rank = matrix.shape.length;
  const rows = matrix.shape[rank - 2]!;
  const columns = matrix.shape[rank - 1]!;
  // The direct layout has at least two quads (the products read two steps along the depth at least).
  const quads = direct ? Math.max(2, Math.ceil(columns / LANES)) : Math.ceil(columns / LANES);
  const outer = [...matrix.shape.slice(0, rank - 2), rowsOut];
  const texels = sizeOf(outer) * quads;
  const last = rank - 1;
  // A pending elementwise result (a weight update, a layer's activation) runs four values per
  // fragment for the direct pack, which reads it as quads (quad-chain.ts).
  const data = matrix.data;
  const quadTexture = direct && data instanceof PendingStorage ? data.quads : undefined;
  // A quad chain over this very matrix ran into the packed layout (quad-chain.ts): it is the pack.
  if (quadTexture !== undefined && rank === 2 && rowsOut === rows && isPackLayout(quadTexture, matrix, quads))
    return { texture: quadTexture, imageTexels: rowsOut * quads, imageRows: rowsOut, kept: true };
  const fetch = quadTexture === undefined ? 'vaneFourValues' : 'vaneQuadFourValues';
  const read = quadRead(matrix.offset, matrix.strides, columns);
  // 2-D: a thread per texel at (quad, packed row); 1-D: the texel index is split by division.
  const where = direct
    ? `const packedRow = this.thread.y + 0.0;
  const quad = this.thread.x + 0.0;`
    : `const texel = this.thread.x + 0.0;
  const packedRow = Math.floor((texel + 0.5) / quads);
  const quad = texel - packedRow * quads;`;
  // The direct layout reads the four values in one native call (one index split, not four).
  const body = direct
    ? `${where}
  ${coordinates(rank - 1, 'packedRow')}
  const column = quad * 4.0;
  let count = 0.0;
  if (c${rank - 2} < rows) {
    count = Math.min(4.0, columns - column);
  }
  return ${fetch}(x, ${position('x', rank, { [last]: 'Math.min(column, columns - 1.0)' })}, xStride${last}, count);`
    : `${where}
  ${coordinates(rank - 1, 'packedRow')}
  const column = quad * 4.0;
  let v0 = 0.0;
  let v1 = 0.0;
  let v2 = 0.0;
  let v3 = 0.0;
  if (c${rank - 2} < rows && column < columns) {
    const base = ${position('x', rank, { [last]: 'column' })};
    v0 = x[base];
    if (column + 1.0 < columns) {
      v1 = x[base + xStride${last}];
    }
    if (column + 2.0 < columns) {
      v2 = x[base + 2.0 * xStride${last}];
    }
    if (column + 3.0 < columns) {
      v3 = x[base + 3.0 * xStride${last}];
    }
  }
  return [v0, v1, v2, v3];`;
  const parameters = ['x', ...viewParameters('x', rank), ...names('d', rank - 1), 'rows', 'columns', 'quads'];
  const output: KernelOutput = direct ? [quads, sizeOf(outer)] : texels;
  const run = () =>
    runKernel(
      `matmul/pack${direct ? '2d' : ''}${quadTexture === undefined ? '' : `-quads-${read}`}/rank${rank}`,
      () => ({
        ...define(parameters, body),
        returnType: 'Array(4)' as const,
        nativeFunctions: direct ? [quadTexture === undefined ? FOUR_VALUES_FETCH() : QUAD_FOUR_VALUES(read)] : [],
      }),
      output,
      [quadTexture ?? textureOf(matrix), ...viewArguments(matrix), ...outer, rows, columns, quads],
    );
  // A storage never changes once written, so its packed form is kept for the next product that
  // packs it alike (the weight gradient reading the forward pass's pack, the same batch every step).
  const layout = `${direct ? 'direct' : 'indexed'}/${rowsOut}/${matrix.offset}/${matrix.shape}/${matrix.strides}`;
  const { texture, kept } = cachedPack(asStorage(data), layout, run);
  return { texture, imageTexels: shared ? 0 : rowsOut * quads, imageRows: shared ? 0 : rowsOut, kept };
}

/**
 * True when `texture` (a quad texture of `matrix`'s storage) holds exactly the direct pack of the
 * whole row-major `matrix`: `quads` texels of four columns per row, one texture row per row.
 */
function isPackLayout(texture: unknown, matrix: TensorView, quads: number): boolean {
  const [rows, columns] = matrix.shape as [number, number];
  const size = (texture as { size?: ArrayLike<number> }).size;
  return (
    matrix.offset === 0 &&
    matrix.strides[0] === columns &&
    matrix.strides[1] === 1 &&
    columns === quads * LANES &&
    size?.[0] === quads &&
    size[1] === rows
  );
}

/**
 * Rows of the output block of a direct product of `images` matrices of `m` rows: 8 where the
 * device has {@link eightRowBlocksAvailable} and that leaves more than one row of blocks, else 4.
 */
export function productBlockRows(images: number, m: number): BlockRows {
  return eightRowBlocksAvailable() && images * Math.ceil(m / 8) > 1 ? 8 : 4;
}

/**
 * Which texture layout {@link packedMatmul} uses for `a @ b` (shapes `[...batch, m, depth]`
 * and `[...batch, depth, n]`, batch axes already broadcast): `direct` (2-D textures read at
 * (column, row), blocks of {@link productBlockRows} × 4 outputs) where the path is WebGL with four
 * draw buffers, every texture fits MAX_TEXTURE_SIZE and the product has more than one row of
 * blocks (gpu.js lays a one-row output out near-square, not as width×1); `indexed` (1-D textures,
 * gpu.js's fetch) otherwise.
 */
export function matmulLayout(a: TensorView, b: TensorView): 'direct' | 'indexed' {
  const rank = a.shape.length;
  const m = a.shape[rank - 2]!;
  const n = b.shape[rank - 1]!;
  const depthQuads = Math.ceil(a.shape[rank - 1]! / LANES);
  const images = sizeOf(a.shape.slice(0, rank - 2));
  const rows = productBlockRows(images, m);
  const blockRows = images * Math.ceil(m / rows);
  const fits =
    fitsTexture((sharedAcrossBatch(a) ? 1 : images) * padded(m, rows), depthQuads) &&
    fitsTexture((sharedAcrossBatch(b) ? 1 : images) * padded(n, BLOCK_COLUMNS), depthQuads) &&
    fitsTexture(Math.ceil(n / BLOCK_COLUMNS), blockRows);
  // The packed operands have at least two rows (their rows are padded to a multiple of four).
  return directFetchAvailable() && multipleOutputsAvailable() && blockRows > 1 && fits ? 'direct' : 'indexed';
}

/** Columns of the output block each fragment of the direct product computes (rows: productBlockRows). */
const BLOCK_COLUMNS = 4;
/** The kernel map's further outputs for blocks of `rows` rows: rows 1… of each block. */
const laterRows = (rows: BlockRows) => Array.from({ length: rows - 1 }, (_, index) => `vaneBlockRow${index + 1}`);
const padded = (extent: number, block: number) => Math.ceil(extent / block) * block;

/**
 * A blocked product kernel's block grid position from its fragment: `blockColumn` and `gridRow`
 * (image·blockRows + block row), with the grid in `bands` bands side by side (texel-fetch.ts's
 * productBands: band b in columns b·bandColumns…, holding grid rows b·bandRows…).
 */
function gridThread(bands: 1 | 2): string {
  return bands === 1
    ? `const blockColumn = this.thread.x + 0.0;
  const gridRow = this.thread.y + 0.0;`
    : `const band = Math.floor((this.thread.x + 0.5) / bandColumns);
  const blockColumn = this.thread.x + 0.0 - band * bandColumns;
  const gridRow = this.thread.y + band * bandRows;`;
}

/**
 * The output extent, extra parameter names and their values of a kernel writing a grid of
 * `columns` × `gridRows` blocks in `bands` bands ({@link gridThread}).
 */
function bandedGrid(
  columns: number,
  gridRows: number,
  bands: 1 | 2,
): { output: [number, number]; names: string[]; values: number[]; suffix: string } {
  return bands === 1
    ? { output: [columns, gridRows], names: [], values: [], suffix: '' }
    : {
        output: [2 * columns, gridRows / 2],
        names: ['bandColumns', 'bandRows'],
        values: [columns, gridRows / 2],
        suffix: '-bands',
      };
}

/** `view` with its last two axes swapped (no copy: strides only). */
function transposed(view: TensorView): TensorView {
  const rank = view.shape.length;
  const order = [...view.shape.keys()];
  [order[rank - 2], order[rank - 1]] = [order[rank - 1]!, order[rank - 2]!];
  return { ...view, shape: order.map((axis) => view.shape[axis]!), strides: order.map((axis) => view.strides[axis]!) };
}

/**
 * `a @ b` over the last two axes (batch axes already broadcast to a common shape by the
 * caller, possibly with stride 0), as a storage of `[...batch, m, n]`. With `defer` (the
 * backend's chain runner), a float32 result of the direct layout is returned as a pending
 * chain that unpacks the blocked product where it is consumed.
 */
export function packedMatmul(a: TensorView, b: TensorView, outDtype: DType, defer?: ChainRunner): GpuStorage {
  const rank = a.shape.length;
  const m = a.shape[rank - 2]!;
  const depth = a.shape[rank - 1]!;
  const n = b.shape[rank - 1]!;
  const images = sizeOf(a.shape.slice(0, rank - 2));
  const size = images * m * n;
  if (size === 0) return EMPTY();
  if (depth === 0) return zeros(size);
  const depthQuads = Math.ceil(depth / LANES);
  const columnQuads = Math.ceil(n / LANES);
  if (matmulLayout(a, b) === 'direct') return blockedMatmul(a, b, outDtype, images, m, n, depthQuads, defer);
  const left = pack(a, m, false);
  const right = pack(b, depthQuads * LANES, false);
  const product = indexedProduct(left, right, images, m, depthQuads, columnQuads);
  release(left);
  release(right);
  const texture = runKernel(
    `matmul/unpack>${outDtype}`,
    () => define(['c', 'n', 'columnQuads'], unpackBody(outDtype)),
    size,
    [product, n, columnQuads],
  );
  discard(product);
  return result(texture, size);
}

/**
 * The direct layout: both operands packed along the depth (the left one's rows, the right
 * one's columns: `b` is packed transposed, which its strides absorb), so that texel
 * (step, row) holds four consecutive depth values of one row of `a` or one column of `b`.
 * Each fragment computes the R×4 block of outputs at rows Ry…Ry+R−1 and columns 4x…4x+3
 * (R = {@link productBlockRows}: 4, or 8 on WebGL1 with eight draw buffers) as 4R dot products
 * per step, from R texels of `a` and four of `b`: 8 fetches for 64 multiply-adds with R = 4, 12
 * for 128 with R = 8 (one RGBA output per fragment allows at most 16 per 4 fetches; a 2×4 block,
 * 32 per 6). Rows 1… of the block go to further textures (a gpu.js kernel map: WebGL draw
 * buffers). On llvmpipe the texel fetches are most of the product's cost: the 4×4 block took
 * about a fifth off the MLP step's product kernels against the 2×4 one, the 8×4 block a further
 * fifth against the 4×4 one (docs/gpu.md). The loop over the depth is GLSL (a native function),
 * so the texel coordinates are one multiply-add per fetch.
 */
function blockedMatmul(
  a: TensorView,
  b: TensorView,
  outDtype: DType,
  images: number,
  m: number,
  n: number,
  depthQuads: number,
  defer: ChainRunner | undefined,
): GpuStorage {
  const rows = productBlockRows(images, m);
  if (outerProductForm(a, b, images, m, rows)) return outerMatmul(a, b, outDtype, m, n, rows, defer);
  if (rowProductForm(b, images, depthQuads, n)) return rowMatmul(a, b, outDtype, m, n, rows, depthQuads, defer);
  const left = pack(a, padded(m, rows), true);
  const right = pack(transposed(b), padded(n, BLOCK_COLUMNS), true);
  const blockRows = Math.ceil(m / rows);
  const product = runBlockProduct(
    'blocked',
    rows,
    Math.ceil(n / BLOCK_COLUMNS),
    images * blockRows,
    `const image = Math.floor((gridRow + 0.5) / blockRows);
  const aRow = image * aImageRows + (gridRow - image * blockRows) * ${rows}.0;
  const bRow = image * bImageRows + blockColumn * 4.0;
  const first = vaneBlockProduct(a, b, aRow, bRow, depthQuads);`,
    BLOCK_PRODUCT,
    ['blockRows', 'depthQuads', 'aImageRows', 'bImageRows'],
    [blockRows, Math.max(2, depthQuads), left.imageRows, right.imageRows],
    left,
    right,
  );
  return blockedResult(product, a, outDtype, images, m, n, rows, defer);
}

/**
 * True when `a @ b` runs in the outer-product form (outer-product.ts): `a` is a transposed
 * matrix (its rows are columns of a row-major one, like `hᵀ` in a weight gradient), `b` is
 * row-major, one image, and `m` fills whole blocks (the pack of `aᵀ` then has every quad a
 * block reads).
 */
function outerProductForm(a: TensorView, b: TensorView, images: number, m: number, rows: BlockRows): boolean {
  const rank = a.shape.length;
  return (
    images === 1 &&
    m % rows === 0 &&
    a.strides[rank - 2] === 1 &&
    a.strides[rank - 1] !== 1 &&
    b.strides[rank - 1] === 1
  );
}

/**
 * `a · b` in the outer-product form: `aᵀ` and `b` packed along their own rows (the packs that the
 * products of the forward and backward passes made of the same tensors, kept by pack-cache.ts),
 * the depth along the textures' x axis.
 */
function outerMatmul(
  a: TensorView,
  b: TensorView,
  outDtype: DType,
  m: number,
  n: number,
  rows: BlockRows,
  defer: ChainRunner | undefined,
): GpuStorage {
  const rank = a.shape.length;
  const depth = padded(a.shape[rank - 1]!, LANES);
  const left = pack(transposed(a), depth, true);
  const right = pack(b, depth, true);
  const product = runBlockProduct(
    'outer',
    rows,
    Math.ceil(n / BLOCK_COLUMNS),
    m / rows,
    `const first = vaneOuterProduct(a, b, gridRow * ${rows / LANES}.0, blockColumn, depth);`,
    OUTER_PRODUCT,
    ['depth'],
    [depth],
    left,
    right,
  );
  return blockedResult(product, a, outDtype, 1, m, n, rows, defer);
}

/**
 * True when `a @ b` reads `b` row-major (outer-product.ts's {@link ROW_PRODUCT}): one image, `b`
 * row-major (a weight in `x · w`), and its row-major pack fits a texture.
 */
function rowProductForm(b: TensorView, images: number, depthQuads: number, n: number): boolean {
  const rank = b.shape.length;
  return (
    images === 1 && b.strides[rank - 1] === 1 && fitsTexture(depthQuads * LANES, Math.max(2, Math.ceil(n / LANES)))
  );
}

/**
 * `a · b` with `b` packed along its own rows (the pack that `dz · bᵀ` also reads, kept by
 * pack-cache.ts) and `a` along the depth, as in the direct form.
 */
function rowMatmul(
  a: TensorView,
  b: TensorView,
  outDtype: DType,
  m: number,
  n: number,
  rows: BlockRows,
  depthQuads: number,
  defer: ChainRunner | undefined,
): GpuStorage {
  const left = pack(a, padded(m, rows), true);
  const right = pack(b, depthQuads * LANES, true);
  const product = runBlockProduct(
    'row',
    rows,
    Math.ceil(n / BLOCK_COLUMNS),
    Math.ceil(m / rows),
    `const first = vaneRowProduct(a, b, gridRow * ${rows}.0, blockColumn, depthQuads);`,
    ROW_PRODUCT,
    ['depthQuads'],
    [depthQuads],
    left,
    right,
  );
  return blockedResult(product, a, outDtype, 1, m, n, rows, defer);
}

/**
 * Runs one product kernel in block layout and releases its two packs: a grid of `columns` ×
 * `gridRows` blocks (in two bands where texel-fetch.ts's productBands says so), each fragment
 * placing itself with {@link gridThread}, then running `blockSource` (GLSL-bound JavaScript that
 * ends by setting `first` from the product function of `nativeFunctions(rows)`, called only
 * when the kernel compiles) and writing the block's later
 * rows from `vaneBlockSum<k>Value()`. `parameters` and `values` are the form's own kernel
 * arguments after the two packs. Returns the block's row textures, first row first.
 */
function runBlockProduct(
  form: 'blocked' | 'outer' | 'row',
  rows: BlockRows,
  columns: number,
  gridRows: number,
  blockSource: string,
  nativeFunctions: (rows: BlockRows) => NativeFunction[],
  parameters: string[],
  values: number[],
  left: Packed,
  right: Packed,
): unknown[] {
  const later = laterRows(rows);
  const bands = productBands(columns, gridRows);
  const grid = bandedGrid(columns, gridRows, bands);
  const outputs = runKernel(
    `matmul/${form}${rows}x${BLOCK_COLUMNS}${grid.suffix}`,
    () => ({
      ...define(
        ['a', 'b', ...parameters, ...grid.names],
        `${gridThread(bands)}
  ${blockSource}
  ${later.map((name, index) => `${name}(vaneBlockSum${index + 1}Value());`).join('\n  ')}
  return first;`,
      ),
      returnType: 'Array(4)' as const,
      nativeFunctions: nativeFunctions(rows),
      outputs: later,
    }),
    grid.output,
    [left.texture, right.texture, ...values, ...grid.values],
  ) as Record<string, unknown>;
  release(left);
  release(right);
  return [outputs.result, ...later.map((name) => outputs[name])];
}

/** The storage of a product in block layout: pending (see {@link pendingBlocked}) or unblocked. */
function blockedResult(
  product: unknown[],
  a: TensorView,
  outDtype: DType,
  images: number,
  m: number,
  n: number,
  rows: BlockRows,
  defer: ChainRunner | undefined,
): GpuStorage {
  const blockRows = Math.ceil(m / rows);
  const size = images * m * n;
  const shape = [...a.shape.slice(0, -2), m, n];
  // A float32 result stays blocked until it is needed, so that an elementwise consumer (a bias
  // add, an update) unpacks it in its own pass (elementwise-fusion.ts).
  if (outDtype === 'float32' && defer) return pendingBlocked(product, shape, m, n, blockRows, defer);
  const rowNames = product.map((_, row) => `row${row}`);
  const texture = runKernel(
    `matmul/unblock${rows}x${BLOCK_COLUMNS}>${outDtype}`,
    () => ({
      ...define(
        [...rowNames, 'm', 'n', 'blockRows'],
        `return ${stored(`vaneBlockedValue${rows}(${rowNames.join(', ')}, this.thread.x + 0.0, m, n, blockRows)`, outDtype)};`,
      ),
      nativeFunctions: [BLOCKED_VALUE(rows)],
    }),
    size,
    [...product, m, n, blockRows],
  );
  product.forEach(discard);
  return result(texture, size);
}

// The 16 multiply-adds of one step of four along the depth, from texel l of the left operand
// and texels r0..r3 (four consecutive depth rows) of the right one.
const MULTIPLY_ADD = `s0 += l[0] * r0[0] + l[1] * r1[0] + l[2] * r2[0] + l[3] * r3[0];
    s1 += l[0] * r0[1] + l[1] * r1[1] + l[2] * r2[1] + l[3] * r3[1];
    s2 += l[0] * r0[2] + l[1] * r1[2] + l[2] * r2[2] + l[3] * r3[2];
    s3 += l[0] * r0[3] + l[1] * r1[3] + l[2] * r2[3] + l[3] * r3[3];`;

/** The product in the 1-D layout, read through gpu.js's indexed fetch. */
function indexedProduct(
  left: Packed,
  right: Packed,
  images: number,
  m: number,
  depthQuads: number,
  columnQuads: number,
): unknown {
  const body = `const texel = this.thread.x + 0.0;
  const row = Math.floor((texel + 0.5) / columnQuads);
  const quad = texel - row * columnQuads;
  const image = Math.floor((row + 0.5) / m);
  const aBase = image * aImageTexels + (row - image * m) * depthQuads;
  let bIndex = image * bImageTexels + quad;
  let s0 = 0.0;
  let s1 = 0.0;
  let s2 = 0.0;
  let s3 = 0.0;
  for (let step = 0; step < depthQuads; step++) {
    const l = a[aBase + step];
    const r0 = b[bIndex];
    const r1 = b[bIndex + columnQuads];
    const r2 = b[bIndex + 2.0 * columnQuads];
    const r3 = b[bIndex + 3.0 * columnQuads];
    ${MULTIPLY_ADD}
    bIndex += 4.0 * columnQuads;
  }
  return [s0, s1, s2, s3];`;
  return runKernel(
    'matmul/packed',
    () => ({
      ...define(['a', 'b', 'm', 'depthQuads', 'columnQuads', 'aImageTexels', 'bImageTexels'], body),
      returnType: 'Array(4)' as const,
    }),
    images * m * columnQuads,
    [left.texture, right.texture, m, depthQuads, columnQuads, left.imageTexels, right.imageTexels],
  );
}

function unpackBody(outDtype: DType): string {
  return `const flat = this.thread.x + 0.0;
  const row = Math.floor((flat + 0.5) / n);
  const column = flat - row * n;
  const quad = Math.floor((column + 0.5) / 4.0);
  const lane = column - quad * 4.0;
  const values = c[row * columnQuads + quad];
  let value = values[3];
  if (lane < 0.5) {
    value = values[0];
  } else if (lane < 1.5) {
    value = values[1];
  } else if (lane < 2.5) {
    value = values[2];
  }
  return ${stored('value', outDtype)};`;
}

/** Deletes a packed operand after its product unless the pack cache holds it. */
function release(packed: Packed): void {
  if (!packed.kept) discard(packed.texture);
}

// The packed temporaries are never storages, so they are not in the backend's texture count.
const discard = (texture: unknown) => (texture as { delete?: () => void }).delete?.();

function zeros(size: number): GpuStorage {
  const texture = runKernel('matmul/zeros', () => define([], 'return 0.0;'), size, []);
  return result(texture, size);
}
