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
 * Rows of the output block each fragment of the blocked product computes ({@link BLOCK_PRODUCT});
 * its columns are the four lanes of a texel. Row 0 is the kernel's own output, rows 1…3 further
 * outputs (draw buffers).
 */
export const BLOCK_ROWS = 4;

const rowIndices = Array.from({ length: BLOCK_ROWS }, (_, row) => row);

/** The GLSL parameters of a blocked product's four row textures (`row0` … `row3`, with sizes). */
export const BLOCKED_ROW_PARAMETERS = rowIndices
  .map((row) => `sampler2D row${row}, ivec2 row${row}Size, ivec3 row${row}Dim`)
  .join(', ');

/** The native-function argument types of {@link BLOCKED_ROW_PARAMETERS}. */
export const BLOCKED_ROW_ARGUMENT_TYPES: Record<string, 'ArrayTexture(4)'> = Object.fromEntries(
  rowIndices.map((row) => [`row${row}`, 'ArrayTexture(4)']),
);

/**
 * GLSL statements that place value `index` (a float variable, row-major over `[images, m, n]`)
 * in the 4×4 block layout of {@link BLOCK_PRODUCT}: they declare `column` (its column j),
 * `blockColumn` (j / 4), `at` (the texel's coordinates in every row texture) and `within`
 * (i mod 4, which row texture holds it). Shared by {@link BLOCKED_VALUE} and the quad read of
 * quad-fetch.ts.
 */
export function blockedPlacementSource(index: string): string {
  return `float row = floor((${index} + 0.5) / n);
  float column = ${index} - row * n;
  float image = floor((row + 0.5) / m);
  float inner = row - image * m;
  float blockRow = floor((inner + 0.5) / ${BLOCK_ROWS}.0);
  float blockColumn = floor((column + 0.5) * 0.25);
  vec2 at = (vec2(blockColumn, image * blockRows + blockRow) + 0.5) / vec2(row0Size);
  float within = inner - blockRow * ${BLOCK_ROWS}.0;`;
}
const laterRows = rowIndices.slice(1);

// Rows 1…3 of a product block, kept in globals between the native function that computes the
// block and those that hand them to the kernel map's further outputs. Each native function
// carries the declaration, guarded, because gpu.js orders native functions by use.
const BLOCK_SUMS = `
#ifndef VANE_BLOCK_SUMS
#define VANE_BLOCK_SUMS
${laterRows.map((row) => `vec4 vaneBlockSum${row};`).join('\n')}
#endif
`;

/**
 * The native functions of the blocked product: `vaneBlockProduct(a, b, aRow, bRow,
 * depthQuads)` computes the 4×4 block of `a · bᵀ` over rows aRow…aRow+3 of `a` and
 * bRow…bRow+3 of `b`, both packed four depth values per texel along their rows
 * (packed-matmul.ts), and returns its first row (lanes: the four columns);
 * `vaneBlockSum<k>Value()` returns row k (k = 1…3). Per step of four along the depth it reads
 * four texels of `a` and four of `b` for 64 multiply-adds (a 2×4 block: 6 fetches for 32; on
 * llvmpipe the fetches are most of the product's cost). The loop runs in GLSL, so each fetch
 * costs one multiply-add for its coordinate; the bound is the largest texture size WebGL allows.
 */
export function BLOCK_PRODUCT(): NativeFunction[] {
  // Sampled at texel centres in both dialects: WebGL2's texelFetch would skip the coordinate
  // arithmetic, but on SwiftShader it made the MLP step 2.2x slower (205 against 91 ms).
  const sample = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  const lines = (line: (row: number) => string) => rowIndices.map(line).join('\n  ');
  return [
    {
      name: 'vaneBlockProduct',
      source: `${BLOCK_SUMS}vec4 vaneBlockProduct(sampler2D a, ivec2 aSize, ivec3 aDim, sampler2D b, ivec2 bSize, ivec3 bDim, float aRow, float bRow, float depthQuads) {
  ${lines((row) => `float a${row} = (aRow + ${row}.5) / float(aSize.x);`)}
  ${lines((row) => `float b${row} = (bRow + ${row}.5) / float(bSize.x);`)}
  float aStep = 1.0 / float(aSize.y);
  float bStep = 1.0 / float(bSize.y);
  int steps = int(depthQuads);
  ${lines((row) => `vec4 s${row} = vec4(0.0);`)}
  for (int step = 0; step < 16384; step++) {
    if (step >= steps) break;
    float ya = (float(step) + 0.5) * aStep;
    float yb = (float(step) + 0.5) * bStep;
    vec4 r0 = ${sample}(b, vec2(b0, yb));
    vec4 r1 = ${sample}(b, vec2(b1, yb));
    vec4 r2 = ${sample}(b, vec2(b2, yb));
    vec4 r3 = ${sample}(b, vec2(b3, yb));
    ${rowIndices
      .map(
        (row) => `vec4 l${row} = ${sample}(a, vec2(a${row}, ya));
    s${row} += vec4(dot(l${row}, r0), dot(l${row}, r1), dot(l${row}, r2), dot(l${row}, r3));`,
      )
      .join('\n    ')}
  }
  ${laterRows.map((row) => `vaneBlockSum${row} = s${row};`).join('\n  ')}
  return s0;
}`,
      returnType: 'Array(4)',
      argumentTypes: {
        a: 'ArrayTexture(4)',
        b: 'ArrayTexture(4)',
        aRow: 'Number',
        bRow: 'Number',
        depthQuads: 'Number',
      },
    },
    ...laterRows.map((row) => ({
      name: `vaneBlockSum${row}Value`,
      source: `${BLOCK_SUMS}vec4 vaneBlockSum${row}Value() {\n  return vaneBlockSum${row};\n}`,
      returnType: 'Array(4)' as const,
      argumentTypes: {},
    })),
  ];
}

/**
 * The native function `vaneBlockedValue(row0, row1, row2, row3, index, m, n, blockRows)`: value
 * `index` (in row-major order over `[images, m, n]`) of a product in the 4×4 block layout of
 * {@link BLOCK_PRODUCT}: output (image, i, j) is lane j mod 4 of texel (j / 4, image·blockRows
 * + i / 4) of texture `row<i mod 4>`. It unpacks a matmul's result, on its own or inside a
 * fused elementwise chain that consumes it (elementwise-fusion.ts).
 */
export function BLOCKED_VALUE(): NativeFunction {
  const sample = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  return {
    name: 'vaneBlockedValue',
    source: `float vaneBlockedValue(${BLOCKED_ROW_PARAMETERS}, float index, float m, float n, float blockRows) {
  ${blockedPlacementSource('index')}
  vec4 block;
  ${rowIndices
    .map((row) =>
      row === 0
        ? `if (within < 0.5) {\n    block = ${sample}(row0, at);\n  }`
        : row < BLOCK_ROWS - 1
          ? ` else if (within < ${row}.5) {\n    block = ${sample}(row${row}, at);\n  }`
          : ` else {\n    block = ${sample}(row${row}, at);\n  }`,
    )
    .join('')}
  float lane = column - blockColumn * 4.0;
  return lane < 0.5 ? block.x : lane < 1.5 ? block.y : lane < 2.5 ? block.z : block.w;
}`,
    returnType: 'Number',
    argumentTypes: {
      ...BLOCKED_ROW_ARGUMENT_TYPES,
      index: 'Number',
      m: 'Number',
      n: 'Number',
      blockRows: 'Number',
    },
  };
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

let drawBuffers: boolean | undefined;

/** MAX_DRAW_BUFFERS (WebGL2) and MAX_DRAW_BUFFERS_WEBGL (WEBGL_draw_buffers): the same enum. */
const MAX_DRAW_BUFFERS = 0x8824;

/**
 * True when a kernel can write {@link BLOCK_ROWS} output textures at once (WebGL draw buffers:
 * part of WebGL2, the WEBGL_draw_buffers extension on WebGL1 and headless-gl), as the blocked
 * matmul's kernel map does; where it cannot, matmul takes the indexed layout.
 */
export function multipleOutputsAvailable(): boolean {
  if (drawBuffers === undefined) {
    const kernelClass = gpuDevice().info.kernelClass;
    const context = gpuDevice().gpu.context as
      { getExtension?(name: string): unknown; getParameter?(name: number): unknown } | undefined;
    const extension =
      kernelClass === 'WebGL2Kernel' ||
      (directFetchAvailable() && Boolean(context?.getExtension?.('WEBGL_draw_buffers')));
    // WebGL2 guarantees four; the extension at least one.
    const reported = Number(context?.getParameter?.(MAX_DRAW_BUFFERS));
    const count = Number.isFinite(reported) && reported > 0 ? reported : kernelClass === 'WebGL2Kernel' ? 4 : 1;
    drawBuffers = extension && count >= BLOCK_ROWS;
  }
  return drawBuffers;
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
