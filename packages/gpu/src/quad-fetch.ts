/**
 * GLSL reads of a four-values-per-texel storage (a "quad" texture: value i is lane i mod 4 of
 * texel ⌊i / 4⌋ of an RGBA texture that gpu.js lays out 1-D, near-square, like any 1-D output).
 *
 * An elementwise chain that a matmul's pack consumes runs four values per fragment into such a
 * texture (quad-chain.ts): a quarter of the fragments of a one-value-per-texel pass, and a
 * blocked product it unpacks is read one texel per four values, with no lane select. These are
 * the reads its consumers use: the pack ({@link QUAD_FOUR_VALUES}), a later chain
 * ({@link QUAD_VALUE}, {@link SAME_QUAD}) and the conversion to one value per texel for every
 * other op.
 */
import { gpuDevice } from './gpu-device.js';
import type { NativeFunction } from './kernel-runner.js';
import {
  blockedPlacementSource,
  blockedRowArgumentTypes,
  blockedRowParameters,
  type BlockRows,
} from './texel-fetch.js';
import { splitTexelIndex, splitTexelStride, STEP_TEXEL } from './texture-walk-source.js';

const samplerFunction = () => (gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D');

// Helpers shared by the native functions below, guarded because each native function carries
// them (gpu.js orders native functions by use, so none can rely on another being first).
const QUAD_HELPERS = () => `
#ifndef VANE_QUAD_HELPERS
#define VANE_QUAD_HELPERS
vec4 vaneQuadTexel(sampler2D tex, ivec2 texSize, float texel) {
  float width = float(texSize.x);
  ${splitTexelIndex('texel')}
  return ${samplerFunction()}(tex, (vec2(column, row) + 0.5) / vec2(texSize));
}
float vaneLane(vec4 values, float lane) {
  return lane < 0.5 ? values.x : lane < 1.5 ? values.y : lane < 2.5 ? values.z : values.w;
}
float vaneQuadAt(sampler2D tex, ivec2 texSize, float index) {
  float texel = floor((index + 0.5) * 0.25);
  return vaneLane(vaneQuadTexel(tex, texSize, texel), index - 4.0 * texel);
}
#endif
`;

/** `vaneQuadValue(texture, index)`: value `index` of a quad texture. */
export function QUAD_VALUE(): NativeFunction {
  return {
    name: 'vaneQuadValue',
    source: `${QUAD_HELPERS()}float vaneQuadValue(sampler2D tex, ivec2 texSize, ivec3 texDim, float index) {
  return vaneQuadAt(tex, texSize, index);
}`,
    returnType: 'Number',
    argumentTypes: { tex: 'ArrayTexture(4)', index: 'Number' },
  };
}

/**
 * `vaneSameQuad(texture)`: the texel of a quad texture at the fragment's own position, for a
 * quad texture of as many texels as the output (the same near-square layout).
 */
export function SAME_QUAD(): NativeFunction {
  return {
    name: 'vaneSameQuad',
    source: `vec4 vaneSameQuad(sampler2D tex, ivec2 texSize, ivec3 texDim) {
  return ${samplerFunction()}(tex, vTexCoord);
}`,
    returnType: 'Array(4)',
    argumentTypes: { tex: 'ArrayTexture(4)' },
  };
}

/**
 * How matmul's pack reads four values from a quad texture, decided per call from the view's
 * strides (the kernel is compiled per way, so the shader has no branch between them: SwiftShader
 * runs every side of a branch, and a function holding all three ways made its MLP step about
 * twice as slow): `texel` where every four values start a texel (unit stride, offset and other
 * strides multiples of four, a row length that is a multiple of four); `lane` where the stride
 * is a multiple of four (the lane stays, the texel steps); `value` otherwise.
 */
export type QuadRead = 'texel' | 'lane' | 'value';

/** The {@link QuadRead} for values `offset + Σ c·strides` of a view read along its last axis. */
export function quadRead(offset: number, strides: readonly number[], columns: number): QuadRead {
  const last = strides.length - 1;
  const rest = strides.slice(0, last);
  if (strides[last] === 1 && offset % 4 === 0 && columns % 4 === 0 && rest.every((stride) => stride % 4 === 0))
    return 'texel';
  return strides[last]! % 4 === 0 ? 'lane' : 'value';
}

/**
 * `vaneQuadFourValues(texture, first, stride, count)`: values first + k·stride (k < count,
 * zeros after) of a quad texture, as matmul's pack reads them, the {@link QuadRead} way.
 */
export function QUAD_FOUR_VALUES(read: QuadRead): NativeFunction {
  const sample = `${samplerFunction()}(tex, (vec2(column, row) + 0.5) / vec2(texSize))`;
  const step = (lane: string, index: number) => `${STEP_TEXEL}
  values.${lane} = count > ${index}.5 ? vaneLane(${sample}, lane) : 0.0;`;
  const bodies: Record<QuadRead, string> = {
    texel: `vec4 texel = vaneQuadTexel(tex, texSize, floor((first + 0.5) * 0.25));
  // Selects, not a product with a mask: a value past count may be infinite.
  return vec4(count > 0.5 ? texel.x : 0.0, count > 1.5 ? texel.y : 0.0, count > 2.5 ? texel.z : 0.0, count > 3.5 ? texel.w : 0.0);`,
    lane: `float texel = floor((first + 0.5) * 0.25);
  float lane = first - 4.0 * texel;
  float quarter = stride * 0.25;
  float width = float(texSize.x);
  ${splitTexelIndex('texel')}
  ${splitTexelStride('quarter')}
  vec4 values = vec4(0.0);
  values.x = count > 0.5 ? vaneLane(${sample}, lane) : 0.0;
  ${step('y', 1)}
  ${step('z', 2)}
  ${step('w', 3)}
  return values;`,
    value: `return vec4(
    count > 0.5 ? vaneQuadAt(tex, texSize, first) : 0.0,
    count > 1.5 ? vaneQuadAt(tex, texSize, first + stride) : 0.0,
    count > 2.5 ? vaneQuadAt(tex, texSize, first + 2.0 * stride) : 0.0,
    count > 3.5 ? vaneQuadAt(tex, texSize, first + 3.0 * stride) : 0.0);`,
  };
  return {
    name: 'vaneQuadFourValues',
    source: `${QUAD_HELPERS()}vec4 vaneQuadFourValues(sampler2D tex, ivec2 texSize, ivec3 texDim, float first, float stride, float count) {
  ${bodies[read]}
}`,
    returnType: 'Array(4)',
    argumentTypes: { tex: 'ArrayTexture(4)', first: 'Number', stride: 'Number', count: 'Number' },
  };
}

/**
 * `vaneBlockedQuad<rows>(row0, …, first, m, n, blockRows)`: values first…first+3 (in row-major
 * order over `[images, m, n]`, first a multiple of 4, n a multiple of 4) of a product in the block
 * layout with `rows` rows per block (texel-fetch.ts's BLOCKED_VALUE): four consecutive columns of
 * one row, which is one texel of one of the row textures.
 */
export function BLOCKED_QUAD(rows: BlockRows): NativeFunction {
  const sample = samplerFunction();
  return {
    name: `vaneBlockedQuad${rows}`,
    source: `vec4 vaneBlockedQuad${rows}(${blockedRowParameters(rows)}, float first, float m, float n, float blockRows) {
  ${blockedPlacementSource('first', rows)}
  ${Array.from({ length: rows }, (_, row) =>
    row < rows - 1
      ? `if (within < ${row}.5) {\n    return ${sample}(row${row}, at);\n  }`
      : `return ${sample}(row${row}, at);`,
  ).join('\n  ')}
}`,
    returnType: 'Array(4)',
    argumentTypes: {
      ...blockedRowArgumentTypes(rows),
      first: 'Number',
      m: 'Number',
      n: 'Number',
      blockRows: 'Number',
    },
  };
}
