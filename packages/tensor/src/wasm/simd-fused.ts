/**
 * Fused elementwise kernels (`fusedMap`, used by every optimizer update, and the CPU backend's
 * unary ops) compiled to WebAssembly SIMD for float32 tensors.
 *
 * Why: in Node 20 a JavaScript loop over typed arrays that arrive as arguments runs at about
 * 3 ns per element (a plain copy too), several times slower than the same loop over arrays the
 * optimizer can treat as constants, so the scalar fused loop bounded the optimizer rows.
 *
 * The compiler (`simd-expression.ts`) compiles the kernel's expression tree. A kernel that
 * does not compile (one calling `exp`, say) runs on the JavaScript loop, and every such call is
 * counted in `kernelInfo().fallbacks` with the reason.
 */
import type { FusedKernel } from '../kernels/elementwise-kernels.js';
import { recordFallback } from '../kernels/expression/fallbacks.js';
import { encodeModule } from './wasm-encoder.js';
import { instantiateOnKernelMemory, reserve, simdKernels } from './kernel-runtime.js';
import { compileSimdExpression } from './simd-expression.js';
import { registerMapKernelModule, runMapKernelInParallel } from './thread-pool.js';

type CompiledFused = (...values: number[]) => void;
type Plan = { kernel: CompiledFused; inputsRead: readonly boolean[]; moduleId: number } | { unsupported: string };
const compiled = new Map<string, { source: unknown; plan: Plan }>();

/**
 * How `kernel` runs on SIMD: its compiled function and the inputs it reads, or why it does not
 * compile. Cached per kernel name and expression. Undefined when SIMD is off.
 */
function plan(kernel: FusedKernel): Plan | undefined {
  if (!simdKernels()) return undefined;
  const source = kernel.expression;
  const cached = compiled.get(kernel.name);
  if (cached && cached.source === source) return cached.plan;
  let result: Plan;
  const simd = compileSimdExpression(kernel.expression, kernel.arity, kernel.scalarCount);
  if ('unsupported' in simd) result = simd;
  else {
    const instance = instantiateOnKernelMemory((limits) => encodeModule(limits, [simd.definition]));
    const fused = instance?.exports.fused as CompiledFused | undefined;
    // Registered with the thread pool so that large calls can be split over its workers.
    result =
      instance && fused
        ? { kernel: fused, inputsRead: simd.inputsRead, moduleId: registerMapKernelModule(instance.module) }
        : { unsupported: 'the WebAssembly module did not compile' };
  }
  compiled.set(kernel.name, { source, plan: result });
  return result;
}

/**
 * The compiled kernel, or undefined if it does not compile (see the file comment) or SIMD is
 * off.
 *
 * @example
 * compileFusedKernel(defineKernel('scale', { inputs: ['x'], scalars: ['factor'] }, ({ x, factor }) => mul(x, factor))) // a function
 */
export function compileFusedKernel(kernel: FusedKernel): CompiledFused | undefined {
  const result = plan(kernel);
  return result && 'kernel' in result ? result.kernel : undefined;
}

/**
 * Why `kernel` does not compile to SIMD, or undefined when it does (or SIMD is off).
 *
 * @example
 * simdUnsupportedReason(sigmoidKernel) // "'exp' has no WebAssembly SIMD instruction"
 */
export function simdUnsupportedReason(kernel: FusedKernel): string | undefined {
  const result = plan(kernel);
  return result && 'unsupported' in result ? result.unsupported : undefined;
}

/**
 * out[0..size) = the kernel of inputs[0][offsets[0] + i], ..., scalars on the compiled SIMD
 * kernel, for float32 inputs and output. Returns false (doing nothing) when SIMD is off or the
 * kernel does not compile (counting the fallback); the caller then runs the JavaScript loop.
 *
 * @example
 * if (!simdFused(kernel, [m, g], [0, 0], [0.9], out, out.length)) fusedLoop(kernel)(...);
 */
export function simdFused(
  kernel: FusedKernel,
  inputs: readonly Float32Array[],
  offsets: readonly number[],
  scalars: readonly number[],
  out: Float32Array,
  size: number,
): boolean {
  const kernels = simdKernels();
  if (!kernels) return false;
  const result = plan(kernel);
  if (!result) return false;
  if ('unsupported' in result) {
    recordFallback('simd', kernel.name, result.unsupported);
    return false;
  }
  if (size === 0) return true;
  const pairs = Math.ceil(size / 2);
  const bytes = pairs * 8;
  const bases = reserve(
    kernels.memory,
    Array.from({ length: inputs.length + 1 }, () => bytes),
  );
  const view = new Float32Array(kernels.memory.buffer);
  for (let index = 0; index < inputs.length; index++) {
    // An input the expression never reads is not copied in.
    if (!result.inputsRead[index]) continue;
    const offset = offsets[index]!;
    view.set(inputs[index]!.subarray(offset, offset + size), bases[index]! / 4);
  }
  // Split over the kernel threads when large (each thread a range of pairs); returns when all
  // are done, before the result is copied out.
  runMapKernelInParallel(kernels.module, kernels.memory, result.kernel, result.moduleId, bases, pairs, scalars);
  const outBase = bases[inputs.length]! / 4;
  out.set(view.subarray(outBase, outBase + size));
  return true;
}
