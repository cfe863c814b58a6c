/**
 * Direct texel fetches (GLSL native functions) for kernels whose input textures are laid out
 * 2-D with a known extent (the packed operands and the blocked product of packed-matmul.ts),
 * and for inputs laid out like the output (the same texel).
 *
 * gpu.js reads `texture[index]` through a GLSL helper that turns the 1-D index into texture
 * coordinates with an integer modulo and an integer division per read; llvmpipe (and many
 * GPUs) run integer division lane by lane. A gpu.js native function receives a texture
 * argument as (sampler, size, dimensions), so the fetch can sample at ((column, row) + ½) /
 * size directly. It is correct only when the texture's size is its logical extent, which
 * gpu.js guarantees for a 2-D output of more than one row (utils.getKernelTextureSize).
 */
import { sizeOf, type TensorView } from '@vane/tensor';
import { gpuDevice } from './gpu-device.js';
import type { NativeFunction } from './kernel-runner.js';

/**
 * Rows of the output block each fragment of the blocked product computes ({@link BLOCK_PRODUCT}):
 * 4, or 8 where {@link eightRowBlocksAvailable}; its columns are the four lanes of a texel. Row 0
 * is the kernel's own output, the others further outputs (draw buffers), one texture per row.
 */
export type BlockRows = 4 | 8;

const rowIndices = (rows: BlockRows) => Array.from({ length: rows }, (_, row) => row);

/** The GLSL parameters of a blocked product's row textures (`row0` … `row<rows-1>`, with sizes). */
export function blockedRowParameters(rows: BlockRows): string {
  return rowIndices(rows)
    .map((row) => `sampler2D row${row}, ivec2 row${row}Size, ivec3 row${row}Dim`)
    .join(', ');
}

/** The native-function argument types of {@link blockedRowParameters}. */
export function blockedRowArgumentTypes(rows: BlockRows): Record<string, 'ArrayTexture(4)'> {
  return Object.fromEntries(rowIndices(rows).map((row) => [`row${row}`, 'ArrayTexture(4)']));
}

/**
 * GLSL statements that place value `index` (a float variable, row-major over `[images, m, n]`)
 * in the block layout of {@link BLOCK_PRODUCT} with `rows` rows per block: they declare `column`
 * (its column j), `blockColumn` (j / 4), `at` (the texel's coordinates in every row texture) and
 * `within` (i mod rows, which row texture holds it). Shared by {@link BLOCKED_VALUE} and the
 * quad read of quad-fetch.ts. The block grid (ceil(n / 4) columns, images·blockRows rows) may be
 * laid out in bands side by side ({@link productBands}): grid row r sits in band
 * floor(r / bandRows) at column band·ceil(n / 4) + blockColumn, where bandRows is the texture's
 * height, so one texture's size tells its layout (one band: band is 0) and a product written
 * either way is read correctly.
 */
export function blockedPlacementSource(index: string, rows: BlockRows): string {
  return `float row = floor((${index} + 0.5) / n);
  float column = ${index} - row * n;
  float image = floor((row + 0.5) / m);
  float inner = row - image * m;
  float blockRow = floor((inner + 0.5) / ${rows}.0);
  float blockColumn = floor((column + 0.5) * 0.25);
  float gridRow = image * blockRows + blockRow;
  float bandRows = float(row0Size.y);
  float band = floor((gridRow + 0.5) / bandRows);
  vec2 at = (vec2(band * floor((n + 3.0) * 0.25) + blockColumn, gridRow - band * bandRows) + 0.5) / vec2(row0Size);
  float within = inner - blockRow * ${rows}.0;`;
}

/**
 * GLSL that sets `vec4 block` to texel `at` of row texture `row<within>` (an if-chain: a sampler
 * cannot be indexed by a variable in GLSL ES 1.00).
 */
export function selectRowTexel(rows: BlockRows, sample: string): string {
  return rowIndices(rows)
    .map((row) =>
      row === 0
        ? `if (within < 0.5) {\n    block = ${sample}(row0, at);\n  }`
        : row < rows - 1
          ? ` else if (within < ${row}.5) {\n    block = ${sample}(row${row}, at);\n  }`
          : ` else {\n    block = ${sample}(row${row}, at);\n  }`,
    )
    .join('');
}

/**
 * GLSL declaring rows 1… of a product block (`vaneBlockSum<k>`), globals kept between the native
 * function that computes the block and those that hand them to the kernel map's further outputs.
 * Each native function carries the declaration, guarded, because gpu.js orders native functions
 * by use.
 */
export const blockSums = (rows: BlockRows) => `
#ifndef VANE_BLOCK_SUMS
#define VANE_BLOCK_SUMS
${rowIndices(rows)
  .slice(1)
  .map((row) => `vec4 vaneBlockSum${row};`)
  .join('\n')}
#endif
`;

/**
 * The native functions of the blocked product with `rows` rows per block: `vaneBlockProduct(a,
 * b, aRow, bRow, depthQuads)` computes the rows×4 block of `a · bᵀ` over rows aRow… of `a` and
 * bRow…bRow+3 of `b`, both packed four depth values per texel along their rows
 * (packed-matmul.ts), and returns its first row (lanes: the four columns);
 * `vaneBlockSum<k>Value()` returns row k (k ≥ 1). Per step of four along the depth it reads
 * `rows` texels of `a` and four of `b` for 16·rows multiply-adds: 8 fetches for 64 with 4 rows,
 * 12 for 128 with 8 (a 2×4 block: 6 for 32). On llvmpipe the fetches are most of the product's
 * cost. The loop runs in GLSL, so each fetch costs one multiply-add for its coordinate; the
 * bound is the largest texture size WebGL allows.
 */
export function BLOCK_PRODUCT(rows: BlockRows): NativeFunction[] {
  // Sampled at texel centres in both dialects: WebGL2's texelFetch would skip the coordinate
  // arithmetic, but on SwiftShader it made the MLP step 2.2x slower (205 against 91 ms).
  const sample = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  const lines = (count: number, line: (row: number) => string) =>
    Array.from({ length: count }, (_, row) => line(row)).join('\n  ');
  return blockProductFunctions(
    rows,
    'vaneBlockProduct',
    ['aRow', 'bRow', 'depthQuads'],
    `${lines(rows, (row) => `float a${row} = (aRow + ${row}.5) / float(aSize.y);`)}
  ${lines(4, (row) => `float b${row} = (bRow + ${row}.5) / float(bSize.y);`)}
  float aStep = 1.0 / float(aSize.x);
  float bStep = 1.0 / float(bSize.x);
  int steps = int(depthQuads);
  ${lines(rows, (row) => `vec4 s${row} = vec4(0.0);`)}
  for (int step = 0; step < 16384; step++) {
    if (step >= steps) break;
    float ya = (float(step) + 0.5) * aStep;
    float yb = (float(step) + 0.5) * bStep;
    vec4 r0 = ${sample}(b, vec2(yb, b0));
    vec4 r1 = ${sample}(b, vec2(yb, b1));
    vec4 r2 = ${sample}(b, vec2(yb, b2));
    vec4 r3 = ${sample}(b, vec2(yb, b3));
    ${rowIndices(rows)
      .map(
        (row) => `vec4 l${row} = ${sample}(a, vec2(ya, a${row}));
    s${row} += vec4(dot(l${row}, r0), dot(l${row}, r1), dot(l${row}, r2), dot(l${row}, r3));`,
      )
      .join('\n    ')}
  }`,
  );
}

/**
 * The native functions of one product form with `rows` rows per block: `name(a, b, p0, p1, p2)`
 * over two RGBA textures and the three float `parameters`, whose GLSL `body` leaves the block's
 * rows in `s0 … s<rows−1>` (vec4, lanes the four columns); the function hands rows 1… to the
 * `vaneBlockSum<k>` globals and returns row 0, and `vaneBlockSum<k>Value()` returns row k. The
 * part the blocked form ({@link BLOCK_PRODUCT}) and outer-product.ts's forms share.
 */
export function blockProductFunctions(
  rows: BlockRows,
  name: string,
  parameters: readonly [string, string, string],
  body: string,
): NativeFunction[] {
  const laterRows = rowIndices(rows).slice(1);
  return [
    {
      name,
      source: `${blockSums(rows)}vec4 ${name}(sampler2D a, ivec2 aSize, ivec3 aDim, sampler2D b, ivec2 bSize, ivec3 bDim, ${parameters.map((parameter) => `float ${parameter}`).join(', ')}) {
  ${body}
  ${laterRows.map((row) => `vaneBlockSum${row} = s${row};`).join('\n  ')}
  return s0;
}`,
      returnType: 'Array(4)',
      argumentTypes: {
        a: 'ArrayTexture(4)',
        b: 'ArrayTexture(4)',
        ...Object.fromEntries(parameters.map((parameter) => [parameter, 'Number'])),
      },
    },
    ...laterRows.map((row) => ({
      name: `vaneBlockSum${row}Value`,
      source: `${blockSums(rows)}vec4 vaneBlockSum${row}Value() {\n  return vaneBlockSum${row};\n}`,
      returnType: 'Array(4)' as const,
      argumentTypes: {},
    })),
  ];
}

/**
 * The native function `vaneBlockedValue<rows>(row0, …, index, m, n, blockRows)`: value `index`
 * (in row-major order over `[images, m, n]`) of a product in the block layout of
 * {@link BLOCK_PRODUCT} with `rows` rows per block: output (image, i, j) is lane j mod 4 of texel
 * (j / 4, image·blockRows + i / rows) of texture `row<i mod rows>`. It unpacks a matmul's result,
 * on its own or inside a fused elementwise chain that consumes it (elementwise-fusion.ts). The
 * row count is part of the name, so that a chain over products of both kinds has both.
 */
export function BLOCKED_VALUE(rows: BlockRows): NativeFunction {
  const sample = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  return {
    name: `vaneBlockedValue${rows}`,
    source: `float vaneBlockedValue${rows}(${blockedRowParameters(rows)}, float index, float m, float n, float blockRows) {
  ${blockedPlacementSource('index', rows)}
  vec4 block;
  ${selectRowTexel(rows, sample)}
  float lane = column - blockColumn * 4.0;
  return lane < 0.5 ? block.x : lane < 1.5 ? block.y : lane < 2.5 ? block.z : block.w;
}`,
    returnType: 'Number',
    argumentTypes: {
      ...blockedRowArgumentTypes(rows),
      index: 'Number',
      m: 'Number',
      n: 'Number',
      blockRows: 'Number',
    },
  };
}

/** The row counts of the `vaneBlockedValue<rows>(` calls in a chain's call `source`. */
export function blockedValueRows(source: string): BlockRows[] {
  const found = new Set<BlockRows>();
  for (const match of source.matchAll(/vaneBlockedValue(4|8)\(/g)) found.add(Number(match[1]) as BlockRows);
  return [...found];
}

/**
 * The native function `vaneSameTexel(texture)`: the value of a one-value-per-texel storage at
 * the texel the current fragment writes. It applies where the input is a storage of as many
 * values as the output, read in row-major order from offset 0 (see {@link alignedWithOutput}):
 * gpu.js lays both out with the same near-square size, so value i of each is at the same texel.
 */
export function SAME_TEXEL_FETCH(): NativeFunction {
  const sample = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  return {
    name: 'vaneSameTexel',
    source: `float vaneSameTexel(sampler2D tex, ivec2 texSize, ivec3 texDim) {
  return ${sample}(tex, vTexCoord).r;
}`,
    returnType: 'Number',
    argumentTypes: { tex: 'ArrayTexture(1)' },
  };
}

/** True where {@link SAME_TEXEL_FETCH} applies: the WebGL paths. */
export const sameTexelAvailable = (): boolean => directFetchAvailable();

/**
 * True when `view` reads its storage's values 0…size−1 in row-major order and that storage
 * holds exactly `size` values in a 1-D texture: then value i sits at output i's texel.
 */
export function alignedWithOutput(view: TensorView, size: number): boolean {
  const storage = view.data as { size?: number; texture?: { output?: ArrayLike<number> } };
  if (view.offset !== 0 || storage.size !== size || sizeOf(view.shape) !== size) return false;
  const output = storage.texture?.output;
  if (!output || output.length !== 1 || output[0] !== size) return false;
  let expected = 1;
  for (let axis = view.shape.length - 1; axis >= 0; axis--) {
    if (view.shape[axis] !== 1 && view.strides[axis] !== expected) return false;
    expected *= view.shape[axis]!;
  }
  return true;
}

let maximumSize: number | undefined;

/** True on the WebGL paths, where kernels are GLSL and the direct fetch applies. */
export function directFetchAvailable(): boolean {
  const kernelClass = gpuDevice().info.kernelClass;
  return kernelClass === 'HeadlessGLKernel' || kernelClass === 'WebGLKernel' || kernelClass === 'WebGL2Kernel';
}

let drawBuffers: number | undefined;
let textureUnits: number | undefined;

/** MAX_DRAW_BUFFERS (WebGL2) and MAX_DRAW_BUFFERS_WEBGL (WEBGL_draw_buffers): the same enum. */
const MAX_DRAW_BUFFERS = 0x8824;
/** MAX_TEXTURE_IMAGE_UNITS: the textures one fragment shader samples at most. */
const MAX_TEXTURE_IMAGE_UNITS = 0x8872;

interface ParameterContext {
  getExtension?(name: string): unknown;
  getParameter?(name: number): unknown;
}

/**
 * How many output textures a kernel can write at once (WebGL draw buffers: part of WebGL2, the
 * WEBGL_draw_buffers extension on WebGL1 and headless-gl); 0 off WebGL or without the extension.
 */
function drawBufferCount(): number {
  if (drawBuffers === undefined) {
    const kernelClass = gpuDevice().info.kernelClass;
    const context = gpuDevice().gpu.context as ParameterContext | undefined;
    const extension =
      kernelClass === 'WebGL2Kernel' ||
      (directFetchAvailable() && Boolean(context?.getExtension?.('WEBGL_draw_buffers')));
    // WebGL2 guarantees four; the extension at least one.
    const reported = Number(context?.getParameter?.(MAX_DRAW_BUFFERS));
    const count = Number.isFinite(reported) && reported > 0 ? reported : kernelClass === 'WebGL2Kernel' ? 4 : 1;
    drawBuffers = extension ? count : 0;
  }
  return drawBuffers;
}

/** MAX_TEXTURE_IMAGE_UNITS of the device (8, the WebGL minimum, where it does not say). */
export function fragmentTextureUnits(): number {
  if (textureUnits === undefined) {
    const context = gpuDevice().gpu.context as ParameterContext | undefined;
    const reported = directFetchAvailable() ? Number(context?.getParameter?.(MAX_TEXTURE_IMAGE_UNITS)) : NaN;
    textureUnits = Number.isFinite(reported) && reported >= 8 ? reported : 8;
  }
  return textureUnits;
}

/**
 * True when a kernel can write the four output textures of a 4-row product block at once, as
 * the blocked matmul's kernel map does; where it cannot, matmul takes the indexed layout.
 */
export function multipleOutputsAvailable(): boolean {
  return drawBufferCount() >= 4;
}

let eightRowOverride: boolean | undefined;

/**
 * Makes {@link eightRowBlocksAvailable} answer `value` (undefined: the device decides again), for
 * measuring both block heights in one process (benchmarks/src/gpu-block-rows.ts), where the
 * machine's load varies too much between runs to see a few milliseconds. Set it between steps:
 * results already computed keep their own layout and are read correctly either way.
 */
export function overrideEightRowBlocks(value: boolean | undefined): void {
  eightRowOverride = value;
}

/**
 * True where the blocked product computes 8×4 blocks (eight draw buffers, 12 fetches per 128
 * multiply-adds against 8 per 64): the WebGL paths with eight draw buffers and 16 texture units,
 * so that a chain consuming the product (eight row textures) has room for its other operands
 * (elementwise-fusion.ts's fusionLeafLimit). llvmpipe (headless-gl) and SwiftShader (Chromium)
 * have both. The previous limit of 8 textures per chain on WebGL2 came from a playground run on
 * SwiftShader that drifted from its CPU run with 16; with 8×4 blocks and 16 it stays within 3e-5
 * of it (packages/playground's GPU-against-CPU test), and test/browser's conformance page checks
 * a chain over 13 textures.
 */
export function eightRowBlocksAvailable(): boolean {
  if (eightRowOverride !== undefined) return eightRowOverride;
  return directFetchAvailable() && drawBufferCount() >= 8 && fragmentTextureUnits() >= 16;
}

let bandOverride: boolean | undefined;

/**
 * Makes {@link productBands} lay out block grids that fit one tile in two bands (`true`), never
 * (`false`), or as the device decides (undefined), for measuring both in one process
 * (benchmarks/src/gpu-switch.ts bands). Set it between steps: products already computed keep their own
 * layout, and {@link blockedPlacementSource} reads either from the texture's size.
 */
export function overrideProductBands(value: boolean | undefined): void {
  bandOverride = value;
}

/** llvmpipe's rasteriser tile (pixels per side): one of its threads draws each tile. */
const RASTER_TILE = 64;

/**
 * Bands (1 or 2) in which a blocked product lays out its grid of `columns` × `gridRows` blocks:
 * two side by side (band b holds grid rows b·gridRows/2…, texture [2·columns, gridRows / 2]) when
 * the grid fits one 64×64 tile of llvmpipe's rasteriser, which draws each tile on one thread, so
 * that a second thread takes half of the product; the two bands must then cross a tile edge
 * (2·columns > 64) and keep at least two rows each (gpu.js sizes a one-row output near-square).
 * By default only on headless-gl (llvmpipe under Xvfb): docs/gpu.md has the measurements.
 */
export function productBands(columns: number, gridRows: number): 1 | 2 {
  const wanted = bandOverride ?? gpuDevice().info.kernelClass === 'HeadlessGLKernel';
  const fitsOneTile = columns <= RASTER_TILE && gridRows <= RASTER_TILE;
  return wanted && fitsOneTile && 2 * columns > RASTER_TILE && gridRows % 2 === 0 && gridRows >= 4 ? 2 : 1;
}

/** True when a `width × height` texture is within the device's MAX_TEXTURE_SIZE. */
export function fitsTexture(width: number, height: number): boolean {
  if (maximumSize === undefined) {
    const context = gpuDevice().gpu.context as
      { getParameter?(name: number): unknown; MAX_TEXTURE_SIZE?: number } | undefined;
    const reported =
      context?.getParameter && context.MAX_TEXTURE_SIZE !== undefined
        ? Number(context.getParameter(context.MAX_TEXTURE_SIZE))
        : NaN;
    // WebGL1 guarantees 2048 at least; assume no more where the context does not say.
    maximumSize = Number.isFinite(reported) && reported > 0 ? reported : 2048;
  }
  return width <= maximumSize && height <= maximumSize;
}
