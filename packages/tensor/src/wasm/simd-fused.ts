/**
 * Fused elementwise kernels (`fusedMap`, used by every optimizer update, and the CPU backend's
 * unary and non-arithmetic binary ops) compiled to WebAssembly SIMD for float32 tensors.
 *
 * Why: in Node 20 a JavaScript loop over typed arrays that arrive as arguments runs at about
 * 3 ns per element (a plain copy too), several times slower than the same loop over arrays the
 * optimizer can treat as constants, so the scalar fused loop bounded the optimizer rows.
 *
 * The compiler (`simd-expression.ts`) compiles the kernel's expression tree. A kernel that
 * does not compile (none now; tests make one with refuseSimdFunctionsForTesting) runs on the
 * JavaScript loop, and every such call is counted in `kernelInfo().fallbacks` with the reason.
 */
import type { FusedKernel } from '../kernels/elementwise-kernels.js';
import { inlineCalls, postOrder } from '../kernels/expression/analysis.js';
import { deduplicate } from '../kernels/expression/deduplicate.js';
import type { Expression, NumberExpression } from '../kernels/expression/expression.js';
import { recordFallback } from '../kernels/expression/fallbacks.js';
import { encodeModule } from './wasm-encoder.js';
import { heapAddress } from './kernel-heap.js';
import { instantiateOnKernelMemory, reserve, simdKernels } from './kernel-runtime.js';
import { compileSimdExpression, simdCompilerGeneration } from './simd-expression.js';
import { registerMapKernelModule, runMapKernelInParallel } from './thread-pool.js';

type CompiledFused = (...values: number[]) => void;
type Plan =
  | { kernel: CompiledFused; inputsRead: readonly boolean[]; moduleId: number; pairCost: number }
  | { unsupported: string };
const compiled = new Map<string, { source: unknown; generation: number; plan: Plan }>();

/** Cost units of loading or storing one pair of one operand (a v128 load or store and a conversion between float32 and float64 lanes, plus its memory traffic). */
const POINTER_UNITS = 3;
/** Cost units of the functions that are not one f64x2 instruction (the rest cost 1). */
const FUNCTION_UNITS: Record<string, number> = {
  div: 6,
  sqrt: 6,
  exp: 30,
  expm1: 30,
  log: 30,
  log1p: 30,
  tanh: 35,
  erf: 40,
  sin: 40,
  cos: 40,
  tan: 50,
  pow: 70,
};
/** The units of an add of two tensors (two loads, one add, one store): cost 1. */
const ADD_UNITS = 3 * POINTER_UNITS + 1;

/**
 * A compiled map kernel's estimated time per element pair relative to an add of two tensors,
 * from its expressions (calls inlined, shared subtrees counted once) and the operands it
 * loads and stores. The thread pool splits a kernel over its threads from
 * `PARALLEL_MINIMUM_PAIRS / cost` pairs (thread-pool.ts), so a kernel with a square root and
 * a division per element (an optimizer update) runs threaded at sizes where an add would not
 * repay the handshake. Weights are rough (a division or a square root on f64x2 lanes takes
 * several cycles, an inlined exp a few dozen instructions); only the order of magnitude matters.
 *
 * @example
 * mapPairCost([add(input(0), input(1))], [true, true], 1) // 1
 */
export function mapPairCost(
  expressions: readonly NumberExpression[],
  inputsRead: readonly boolean[],
  outputs: number,
): number {
  const seen = new Set<Expression>();
  let units = (inputsRead.filter(Boolean).length + outputs) * POINTER_UNITS;
  for (const expression of expressions)
    for (const node of postOrder(deduplicate(inlineCalls(expression)))) {
      if (seen.has(node)) continue;
      seen.add(node);
      if (node.kind === 'input' || node.kind === 'scalar' || node.kind === 'constant') continue;
      units += node.kind === 'unary' || node.kind === 'binary' ? (FUNCTION_UNITS[node.function] ?? 1) : 1;
    }
  return units / ADD_UNITS;
}

/**
 * How `kernel` runs on SIMD: its compiled function and the inputs it reads, or why it does not
 * compile. Cached per kernel name and expression. Undefined when SIMD is off.
 */
function plan(kernel: FusedKernel): Plan | undefined {
  if (!simdKernels()) return undefined;
  const source = kernel.expression;
  const cached = compiled.get(kernel.name);
  if (cached && cached.source === source && cached.generation === simdCompilerGeneration()) return cached.plan;
  let result: Plan;
  const simd = compileSimdExpression(kernel.expression, kernel.arity, kernel.scalarCount);
  if ('unsupported' in simd) result = simd;
  else {
    const instance = instantiateOnKernelMemory((limits) => encodeModule(limits, [simd.definition]));
    const fused = instance?.exports.fused as CompiledFused | undefined;
    // Registered with the thread pool so that large calls can be split over its workers.
    result =
      instance && fused
        ? {
            kernel: fused,
            inputsRead: simd.inputsRead,
            moduleId: registerMapKernelModule(instance.module),
            pairCost: mapPairCost([source], simd.inputsRead, 1),
          }
        : { unsupported: 'the WebAssembly module did not compile' };
  }
  compiled.set(kernel.name, { source, generation: simdCompilerGeneration(), plan: result });
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
 * simdUnsupportedReason(kernel) // "'tan' has no WebAssembly SIMD implementation" (while refuseSimdFunctionsForTesting(['tan']))
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
  runCompiledMap(kernels, result, inputs, offsets, scalars, [out], size);
  return true;
}

/**
 * Runs a compiled map kernel (one output or several, `fused(in0, ..., out0, ..., pairs, s0,
 * ...)`) over `size` elements: operands in the kernel memory (kernel-heap.ts) are passed by
 * address, only the others are copied into scratch regions (and results out of them). Split
 * over the kernel threads when large; returns when every thread is done. Shared by
 * {@link simdFused} and fusedMapMany's `simdFusedMany`.
 *
 * @example
 * runCompiledMap(runtime, compiledKernel, [m, g], [0, 0], [0.9], [out], out.length);
 */
export function runCompiledMap(
  runtime: { module: WebAssembly.Module; memory: WebAssembly.Memory },
  compiledKernel: { kernel: CompiledFused; inputsRead: readonly boolean[]; moduleId: number; pairCost: number },
  inputs: readonly Float32Array[],
  offsets: readonly number[],
  scalars: readonly number[],
  outs: readonly Float32Array[],
  size: number,
): void {
  if (size === 0) return;
  const pairs = Math.ceil(size / 2);
  const bytes = pairs * 8;
  const addresses = inputs.map((input, index) => {
    const address = heapAddress(input);
    return address === undefined ? undefined : address + offsets[index]! * 4;
  });
  const outAddresses = outs.map((out) => heapAddress(out));
  const copies = addresses.filter((address, index) => address === undefined && compiledKernel.inputsRead[index]).length;
  const outCopies = outAddresses.filter((address) => address === undefined).length;
  const scratch =
    copies + outCopies > 0
      ? reserve(
          runtime.memory,
          Array.from({ length: copies + outCopies }, () => bytes),
        )
      : [];
  const view = scratch.length > 0 ? new Float32Array(runtime.memory.buffer) : undefined;
  let nextScratch = 0;
  const pointers = inputs.map((input, index) => {
    if (addresses[index] !== undefined) return addresses[index];
    // An input the expression never reads is not copied in (any address will do).
    if (!compiledKernel.inputsRead[index]) return 0;
    const base = scratch[nextScratch++]!;
    const offset = offsets[index]!;
    view!.set(input.subarray(offset, offset + size), base / 4);
    return base;
  });
  const outBases = outAddresses.map((address) => address ?? scratch[nextScratch++]!);
  pointers.push(...outBases);
  runMapKernelInParallel(
    runtime.module,
    runtime.memory,
    compiledKernel.kernel,
    compiledKernel.moduleId,
    pointers,
    pairs,
    scalars,
    compiledKernel.pairCost,
  );
  outs.forEach((out, index) => {
    if (outAddresses[index] === undefined) out.set(view!.subarray(outBases[index]! / 4, outBases[index]! / 4 + size));
  });
}
