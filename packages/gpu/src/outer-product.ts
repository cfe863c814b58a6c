/**
 * The blocked product of `aᵀ · b` read from both operands' own rows: the weight gradient
 * `hᵀ · dz` of a linear layer, whose depth is the batch.
 *
 * The direct product (packed-matmul.ts, {@link BLOCK_PRODUCT}) packs both operands along the
 * depth; for `hᵀ · dz` that is a transposed pack of `h` and of `dz` (four values of a column per
 * texel, each from another row), about 1 ms per pack on SwiftShader. Here the depth is the
 * texture's x axis instead: texel (k, q) of `h` holds h[k, 4q…4q+3], the row-major pack of `h`,
 * which the forward product `h · w` already made (pack-cache.ts keeps it), and likewise for `dz`,
 * which `dz · wᵀ` packs. Per step along the depth a fragment reads rows/4 texels of `h` and one of
 * `dz` for 4·rows multiply-adds, the direct product's ratio (12 fetches per 128 with 8 rows).
 * The output is the direct product's block layout, so its consumers do not change.
 */
import type { NativeFunction } from './kernel-runner.js';
import { gpuDevice } from './gpu-device.js';
import { BLOCK_PRODUCT, blockSums, type BlockRows } from './texel-fetch.js';

/**
 * The native functions of the outer-product form with `rows` rows per block:
 * `vaneOuterProduct(a, b, aQuad, bQuad, depth)` computes the rows×4 block at rows 4·aQuad… and
 * columns 4·bQuad… of `aᵀ · b`, where texel (k, q) of `a` holds a[k, 4q…4q+3] and texel (k, q) of
 * `b` holds b[k, 4q…4q+3] (rows past the depth are zero), and returns its first row;
 * `vaneBlockSum<k>Value()` returns row k, as for {@link BLOCK_PRODUCT}.
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
    r = ${sample}(b, vec2(xb, yb));
    ${quads.map((quad) => `l${quad} = ${sample}(a, vec2(xa, ya${quad}));`).join('\n    ')}
    ${sums.map((row) => `s${row} += l${Math.floor(row / 4)}.${lanes[row % 4]} * r;`).join('\n    ')}`;
  return [
    {
      name: 'vaneOuterProduct',
      source: `${blockSums(rows)}vec4 vaneOuterProduct(sampler2D a, ivec2 aSize, ivec3 aDim, sampler2D b, ivec2 bSize, ivec3 bDim, float aQuad, float bQuad, float depth) {
  ${quads.map((quad) => `float ya${quad} = (aQuad + ${quad}.5) / float(aSize.y);`).join('\n  ')}
  float yb = (bQuad + 0.5) / float(bSize.y);
  float aStep = 1.0 / float(aSize.x);
  float bStep = 1.0 / float(bSize.x);
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
  }
  ${sums
    .slice(1)
    .map((row) => `vaneBlockSum${row} = s${row};`)
    .join('\n  ')}
  return s0;
}`,
      returnType: 'Array(4)',
      argumentTypes: {
        a: 'ArrayTexture(4)',
        b: 'ArrayTexture(4)',
        aQuad: 'Number',
        bQuad: 'Number',
        depth: 'Number',
      },
    },
    ...BLOCK_PRODUCT(rows).slice(1),
  ];
}
