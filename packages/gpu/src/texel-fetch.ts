/**
 * A direct texel fetch for kernels whose input textures are laid out 2-D with a known extent
 * (see packed-matmul.ts): `vaneTexel(texture, column, row)` reads the RGBA texel at
 * (column, row) with no index arithmetic.
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

/** The native function `vaneTexel(texture, column, row)` for the device's GLSL dialect. */
export function TEXEL_FETCH(): NativeFunction {
  // GLSL ES 3.00 (WebGL2) names the sampling function `texture`, GLSL ES 1.00 `texture2D`.
  const sample = gpuDevice().info.kernelClass === 'WebGL2Kernel' ? 'texture' : 'texture2D';
  return {
    name: 'vaneTexel',
    source: `vec4 vaneTexel(sampler2D tex, ivec2 texSize, ivec3 texDim, float column, float row) {
  return ${sample}(tex, (vec2(column, row) + 0.5) / vec2(texSize));
}`,
    returnType: 'Array(4)',
    argumentTypes: { tex: 'ArrayTexture(4)', column: 'Number', row: 'Number' },
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
