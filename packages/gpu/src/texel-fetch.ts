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

let maximumSize: number | undefined;

/** True on the WebGL paths, where kernels are GLSL and the direct fetch applies. */
export function directFetchAvailable(): boolean {
  const kernelClass = gpuDevice().info.kernelClass;
  return kernelClass === 'HeadlessGLKernel' || kernelClass === 'WebGLKernel' || kernelClass === 'WebGL2Kernel';
}

/** True when a `width × height` texture is within the device's MAX_TEXTURE_SIZE. */
export function fitsTexture(width: number, height: number): boolean {
  if (maximumSize === undefined) {
    const context = gpuDevice().gpu.context as { getParameter?(name: number): unknown; MAX_TEXTURE_SIZE?: number } | undefined;
    const reported = context?.getParameter && context.MAX_TEXTURE_SIZE !== undefined ? Number(context.getParameter(context.MAX_TEXTURE_SIZE)) : NaN;
    // WebGL1 guarantees 2048 at least; assume no more where the context does not say.
    maximumSize = Number.isFinite(reported) && reported > 0 ? reported : 2048;
  }
  return width <= maximumSize && height <= maximumSize;
}
