/**
 * A kernel's thread index from the fragment's own texture coordinate, in float arithmetic.
 *
 * gpu.js starts every fragment with `threadId = indexTo3D(index, uOutputDim)`: three integer
 * divisions and a modulo, before the kernel runs. llvmpipe runs integer division lane by lane,
 * and for a cheap kernel (an elementwise chain, the unpack after a matmul) that prologue was
 * about a quarter of the step's GPU time. Reading `this.thread.x` / `this.thread.y` through
 * `vaneThreadX()` / `vaneThreadY()` instead leaves `threadId` unused, and the shader compiler
 * drops its computation. The texture coordinate of texel (x, y) is ((x, y) + ½) / size, so the
 * floor of coordinate × size is exact.
 */
import type { KernelDefinition, NativeFunction } from './kernel-runner.js';

/**
 * The native functions for an output of `rank` dimensions: a 1-D output is laid out row by row
 * in a near-square texture, so its thread is (row × width + column); a 2-D output's texture is
 * exactly its extent, so its threads are the column and the row.
 */
function threadFunctions(rank: number): NativeFunction[] {
  const column = 'floor(vTexCoord.s * float(uTexSize.x))';
  const row = 'floor(vTexCoord.t * float(uTexSize.y))';
  return [
    {
      name: 'vaneThreadX',
      source: `float vaneThreadX() {\n  return ${rank === 1 ? `${column} + ${row} * float(uTexSize.x)` : column};\n}`,
      returnType: 'Number',
      argumentTypes: {},
    },
    {
      name: 'vaneThreadY',
      source: `float vaneThreadY() {\n  return ${row};\n}`,
      returnType: 'Number',
      argumentTypes: {},
    },
  ];
}

/**
 * `definition` with `this.thread.x` and `this.thread.y` read from the fragment's texture
 * coordinate (for a GLSL kernel whose output has `rank` dimensions, 1 or 2).
 *
 * @example
 * withFragmentThread(define(['x'], 'return x[this.thread.x];'), 1).source // '... x[vaneThreadX()] ...'
 */
export function withFragmentThread(definition: KernelDefinition, rank: number): KernelDefinition {
  if (!definition.source.includes('this.thread.')) return definition;
  if (/this\.thread\.z/.test(definition.source))
    throw new Error('gpu: kernels have 1-D or 2-D outputs; this.thread.z is not supported');
  return {
    ...definition,
    source: definition.source.replace(/this\.thread\.x/g, 'vaneThreadX()').replace(/this\.thread\.y/g, 'vaneThreadY()'),
    nativeFunctions: [...(definition.nativeFunctions ?? []), ...threadFunctions(rank)],
  };
}
