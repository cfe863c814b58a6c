/**
 * Blocked products that read an operand packed along its own rows (texel q of texture row k holds
 * x[k, 4q…4q+3], the row-major pack) instead of along the depth, so that the packs one tensor
 * needs in a training step coincide and pack-cache.ts keeps one for all of its products.
 *
 * The direct product (packed-matmul.ts; `BLOCK_PRODUCT` in texel-fetch.ts) packs both operands
 * along the depth. For the weight gradient `hᵀ · dz` of a linear layer that is a transposed pack of `h` and
 * of `dz` (four values of a column per texel, each from another row: about 1 ms per pack on
 * SwiftShader); {@link OUTER_PRODUCT} reads the row-major packs of `h` and `dz` instead, which the
 * forward `h · w` and the backward `dz · wᵀ` already made. For `x · w` the direct form packs `w`
 * transposed and `dz · wᵀ` packs it row-major; {@link ROW_PRODUCT} reads `w` row-major, so one
 * pack of each weight serves both. Each reads, per 4·rows multiply-adds, the texels the direct
 * product reads (12 fetches per 128 with 8 rows), and writes its block layout, so the products'
 * consumers do not change.
 */
import type { NativeFunction } from './kernel-runner.js';
import { gpuDevice } from './gpu-device.js';
import { blockProductFunctions, type BlockRows } from './texel-fetch.js';

/**
 * The native functions of the outer-product form with `rows` rows per block:
 * `vaneOuterProduct(a, b, aQuad, bQuad, depth)` computes the rows×4 block at rows 4·aQuad… and
 * columns 4·bQuad… of `aᵀ · b`, where texel q of row k of `a` holds a[k, 4q…4q+3] and texel q of row k of
 * `b` holds b[k, 4q…4q+3] (rows past the depth are zero), and returns its first row;
 * `vaneBlockSum<k>Value()` returns row k, as for texel-fetch.ts's `BLOCK_PRODUCT`.
 */
export function OUTER_PRODUCT(rows: BlockRows): NativeFunction[] {
  // Texel centres, as BLOCK_PRODUCT samples them (texelFetch was slower on SwiftShader).
  const sample = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  const quads = Array.from({ length: rows / 4 }, (_, quad) => quad);
  const lanes = ['x', 'y', 'z', 'w'];
  const sums = Array.from({ length: rows }, (_, row) => row);
  // Four steps along the depth per iteration (the packs' rows are padded to a multiple of four).
  const step = (offset: number) => `xa = (k + ${offset}.5) * aStep;
    xb = (k + ${offset}.5) * bStep;
    r = ${sample}(b, vec2(yb, xb));
    ${quads.map((quad) => `l${quad} = ${sample}(a, vec2(ya${quad}, xa));`).join('\n    ')}
    ${sums.map((row) => `s${row} += l${Math.floor(row / 4)}.${lanes[row % 4]} * r;`).join('\n    ')}`;
  return blockProductFunctions(
    rows,
    'vaneOuterProduct',
    ['aQuad', 'bQuad', 'depth'],
    `${quads.map((quad) => `float ya${quad} = (aQuad + ${quad}.5) / float(aSize.x);`).join('\n  ')}
  float yb = (bQuad + 0.5) / float(bSize.x);
  float aStep = 1.0 / float(aSize.y);
  float bStep = 1.0 / float(bSize.y);
  int steps = int(depth);
  ${sums.map((row) => `vec4 s${row} = vec4(0.0);`).join('\n  ')}
  float xa;
  float xb;
  vec4 r;
  ${quads.map((quad) => `vec4 l${quad};`).join('\n  ')}
  for (int index = 0; index < 16384; index += 4) {
    if (index >= steps) break;
    float k = float(index);
    ${[0, 1, 2, 3].map(step).join('\n    ')}
  }`,
  );
}

/**
 * The native functions of the row-major right operand form with `rows` rows per block:
 * `vaneRowProduct(a, b, aRow, bQuad, depthQuads)` computes the rows×4 block at rows aRow… and
 * columns 4·bQuad… of `a · b`, where `a` is packed along the depth as for texel-fetch.ts's `BLOCK_PRODUCT`
 * (texel s of row i holds a[i, 4s…4s+3]) and `b` row-major (texel q of row k holds b[k, 4q…4q+3], rows
 * past the depth zero), and returns its first row; `vaneBlockSum<k>Value()` returns row k. The
 * row-major pack of a weight `w` serves both `x · w` here and `dz · wᵀ` (whose direct form packs
 * the rows of `w` too), and it reads one texel per texel written where the transposed pack of `w`
 * read four. Per step of four along the depth it reads `rows` texels of `a` and four of `b`, as
 * texel-fetch.ts's `BLOCK_PRODUCT` does.
 */
export function ROW_PRODUCT(rows: BlockRows): NativeFunction[] {
  const sample = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  const sums = Array.from({ length: rows }, (_, row) => row);
  const quads = [0, 1, 2, 3];
  return blockProductFunctions(
    rows,
    'vaneRowProduct',
    ['aRow', 'bQuad', 'depthQuads'],
    `${sums.map((row) => `float a${row} = (aRow + ${row}.5) / float(aSize.y);`).join('\n  ')}
  float yb = (bQuad + 0.5) / float(bSize.x);
  float aStep = 1.0 / float(aSize.x);
  float bStep = 1.0 / float(bSize.y);
  int steps = int(depthQuads);
  ${sums.map((row) => `vec4 s${row} = vec4(0.0);`).join('\n  ')}
  for (int step = 0; step < 16384; step++) {
    if (step >= steps) break;
    float ya = (float(step) + 0.5) * aStep;
    float xb = float(step) * 4.0;
    ${quads.map((quad) => `vec4 r${quad} = ${sample}(b, vec2(yb, (xb + ${quad}.5) * bStep));`).join('\n    ')}
    ${sums
      .map(
        (row) => `vec4 l${row} = ${sample}(a, vec2(ya, a${row}));
    s${row} += l${row}.x * r0 + l${row}.y * r1 + l${row}.z * r2 + l${row}.w * r3;`,
      )
      .join('\n    ')}
  }`,
  );
}
