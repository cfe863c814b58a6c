/**
 * Reading value `index` of a one-value-per-texel storage without gpu.js's integer arithmetic.
 *
 * gpu.js compiles `x[index]` into a helper that turns the 1-D index into texture coordinates
 * with an integer modulo and an integer division; llvmpipe runs integer division lane by lane,
 * and it was most of the cost of a cheap kernel (a broadcast `mul` over 784×256 values took
 * twice as long as an aligned `sub`). `vaneValue(x, index)` does the same split in float
 * arithmetic, with one correction step each way, so it is exact wherever the index is (below
 * 2^24, as all of the backend's float index arithmetic). {@link readValuesDirectly} rewrites a
 * kernel's reads into it; kernel-runner.ts applies that to every texture argument that holds
 * one value per texel.
 */
import { gpuDevice } from './gpu-device.js';
import type { NativeFunction } from './kernel-runner.js';
import { splitTexelIndex, splitTexelStride, STEP_TEXEL } from './texture-walk-source.js';

/** The native function `vaneValue(texture, index)` for the device's GLSL dialect. */
export function VALUE_FETCH(): NativeFunction {
  // Sampled at the texel centre in both dialects: WebGL2's texelFetch was far slower on
  // SwiftShader (see texel-fetch.ts).
  const sampler = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  const sample = `${sampler}(tex, (vec2(column, row) + 0.5) / vec2(texSize)).r`;
  return {
    name: 'vaneValue',
    source: `float vaneValue(sampler2D tex, ivec2 texSize, ivec3 texDim, float index) {
  float width = float(texSize.x);
  ${splitTexelIndex('index')}
  return ${sample};
}`,
    returnType: 'Number',
    argumentTypes: { tex: 'ArrayTexture(1)', index: 'Number' },
  };
}

/**
 * The native function `vaneFourValues(texture, first, stride, count)`: values first,
 * first + stride, first + 2·stride, first + 3·stride of a one-value-per-texel storage as one
 * vec4 (zeros past `count`), for matmul's pack. It splits only `first` and `stride` into texture
 * rows and columns; each further value is a step of that split with one carry, where four
 * {@link VALUE_FETCH} reads would divide four times.
 */
export function FOUR_VALUES_FETCH(): NativeFunction {
  const sampler = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  const sample = `${sampler}(tex, (vec2(column, row) + 0.5) / vec2(texSize)).r`;
  const step = (lane: string, index: number) => `${STEP_TEXEL}
  if (count > ${index}.5) {
    values.${lane} = ${sample};
  }`;
  return {
    name: 'vaneFourValues',
    source: `vec4 vaneFourValues(sampler2D tex, ivec2 texSize, ivec3 texDim, float first, float stride, float count) {
  float width = float(texSize.x);
  ${splitTexelIndex('first')}
  ${splitTexelStride('stride')}
  vec4 values = vec4(0.0);
  if (count > 0.5) {
    values.x = ${sample};
  }
  ${step('y', 1)}
  ${step('z', 2)}
  ${step('w', 3)}
  return values;
}`,
    returnType: 'Array(4)',
    argumentTypes: { tex: 'ArrayTexture(1)', first: 'Number', stride: 'Number', count: 'Number' },
  };
}

/** The index of the `]` that closes the `[` at `open` in `source`. */
function closingBracket(source: string, open: number): number {
  let depth = 0;
  for (let at = open; at < source.length; at++) {
    if (source[at] === '[') depth++;
    else if (source[at] === ']' && --depth === 0) return at;
  }
  throw new Error(`gpu: unbalanced '[' in kernel source at ${open}`);
}

/**
 * `source` with every read `name[expression]` of the given names (texture parameters holding
 * one value per texel) written as `vaneValue(name, expression)`, nested reads included.
 *
 * @example
 * readValuesDirectly('return x[i + y[j]];', ['x', 'y']) // 'return vaneValue(x, i + vaneValue(y, j));'
 */
export function readValuesDirectly(source: string, names: readonly string[]): string {
  if (names.length === 0) return source;
  const pattern = new RegExp(`(?<![\\w.$])(${names.join('|')})\\[`, 'g');
  let output = '';
  let from = 0;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    const open = match.index + match[1]!.length;
    const close = closingBracket(source, open);
    output += `${source.slice(from, match.index)}vaneValue(${match[1]}, ${readValuesDirectly(source.slice(open + 1, close), names)})`;
    from = close + 1;
    pattern.lastIndex = from;
  }
  return output + source.slice(from);
}
