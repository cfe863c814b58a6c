/**
 * Multi-output fused maps (`fusedMapMany`) compiled to WebAssembly SIMD for float32: several
 * expressions over the same inputs and scalars, evaluated in ONE pass that loads each input
 * pair once and stores each output pair, instead of one pass per expression.
 *
 * Why: Adam's step is three such expressions over the same elements (m, v, the direction);
 * separate passes read and write every moment twice. Subtrees shared between the outputs are
 * merged first (the direction embeds the new moments' expressions under fround), so each is
 * evaluated once per element.
 *
 * The code generation is `simd-expression.ts`'s (`compileSimdExpressions`, of which the
 * single-output kernel is the one-expression case), with one store per output. Each output is
 * rounded to float32 once, as a Float32Array store does, so every output equals the
 * single-output kernel's bit for bit.
 */
import type { FusedKernel } from '../kernels/elementwise-kernels.js';
import { recordFallback } from '../kernels/expression/fallbacks.js';
import { instantiateOnKernelMemory, simdKernels } from './kernel-runtime.js';
import { compileSimdExpressions, simdCompilerGeneration } from './simd-expression.js';
import { mapPairCost, runCompiledMap } from './simd-fused.js';
import { registerMapKernelModule } from './thread-pool.js';
import { encodeModule } from './wasm-encoder.js';

type CompiledMany = (...values: number[]) => void;
type Plan =
  | { kernel: CompiledMany; inputsRead: readonly boolean[]; moduleId: number; pairCost: number }
  | { unsupported: string };
const compiled = new Map<string, { sources: readonly unknown[]; generation: number; plan: Plan }>();

/** The name under which a set of kernels is compiled and counted. */
export function fusedManyName(kernels: readonly FusedKernel[]): string {
  return kernels.map((kernel) => kernel.name).join('+');
}

function plan(kernels: readonly FusedKernel[]): Plan | undefined {
  if (!simdKernels()) return undefined;
  const name = fusedManyName(kernels);
  const cached = compiled.get(name);
  if (
    cached &&
    cached.generation === simdCompilerGeneration() &&
    cached.sources.every((source, index) => source === kernels[index]?.expression)
  )
    return cached.plan;
  let result: Plan;
  const simd = compileSimdExpressions(
    kernels.map((kernel) => kernel.expression),
    kernels[0]!.arity,
    kernels[0]!.scalarCount,
  );
  if ('unsupported' in simd) result = simd;
  else {
    const instance = instantiateOnKernelMemory((limits) => encodeModule(limits, [simd.definition]));
    const fused = instance?.exports.fused as CompiledMany | undefined;
    result =
      instance && fused
        ? {
            kernel: fused,
            inputsRead: simd.inputsRead,
            moduleId: registerMapKernelModule(instance.module),
            pairCost: mapPairCost(
              kernels.map((kernel) => kernel.expression),
              simd.inputsRead,
              kernels.length,
            ),
          }
        : { unsupported: 'the WebAssembly module did not compile' };
  }
  compiled.set(name, {
    sources: kernels.map((kernel) => kernel.expression),
    generation: simdCompilerGeneration(),
    plan: result,
  });
  return result;
}

/**
 * Whether `kernels` (same arity and scalar count) run as one SIMD pass: false when SIMD is off
 * or one of them does not compile.
 *
 * @example
 * simdFusedManyCompiles([first, second]) // true
 */
export function simdFusedManyCompiles(kernels: readonly FusedKernel[]): boolean {
  const result = plan(kernels);
  return result !== undefined && 'kernel' in result;
}

/**
 * outs[k][0..size) = kernels[k] of inputs[0][offsets[0] + i], ..., scalars, all in one SIMD pass,
 * for float32 inputs and outputs. Returns false (doing nothing) when SIMD is off or a kernel
 * does not compile (counting the fallback); the caller then runs each kernel on its own.
 *
 * @example
 * if (!simdFusedMany([nextM, nextV], [m, v, g], [0, 0, 0], [0.9, 0.999], [outM, outV], size)) ...
 */
export function simdFusedMany(
  kernels: readonly FusedKernel[],
  inputs: readonly Float32Array[],
  offsets: readonly number[],
  scalars: readonly number[],
  outs: readonly Float32Array[],
  size: number,
): boolean {
  const runtime = simdKernels();
  if (!runtime) return false;
  const result = plan(kernels);
  if (!result) return false;
  if ('unsupported' in result) {
    recordFallback('simd', fusedManyName(kernels), result.unsupported);
    return false;
  }
  runCompiledMap(runtime, result, inputs, offsets, scalars, outs, size);
  return true;
}
