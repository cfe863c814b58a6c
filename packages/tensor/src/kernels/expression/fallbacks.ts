/**
 * The record of explicit fallbacks: each time a kernel runs on a slower target because its
 * expression cannot be compiled for the fast one (a function without a WebAssembly SIMD
 * implementation; none is left, but a new function could be one, and tests refuse one with
 * refuseSimdFunctionsForTesting), the fallback is counted here, per kernel and target, with
 * the reason. `kernelInfo()` reports it, so no kernel is ever slow without saying so.
 */

/** One kernel's fallbacks on one target. */
export interface KernelFallback {
  /** The kernel's name (`unary:sigmoid`, `optim.adam.direction`, ...). */
  readonly kernel: string;
  /** The target it could not use. */
  readonly target: 'simd' | 'gpu';
  /** Where it ran instead. */
  readonly ranOn: 'javascript';
  /** Why it could not be compiled for the target. */
  readonly reason: string;
  /** How many calls fell back. */
  readonly count: number;
}

const fallbacks = new Map<string, { kernel: string; target: 'simd' | 'gpu'; reason: string; count: number }>();

/**
 * Counts one call of `kernel` that fell back from `target` to the JavaScript loop.
 *
 * @example
 * recordFallback('simd', 'unary:tan', "'tan' has no WebAssembly SIMD implementation");
 */
export function recordFallback(target: 'simd' | 'gpu', kernel: string, reason: string): void {
  const key = `${target}\u0000${kernel}`;
  const entry = fallbacks.get(key);
  if (entry) entry.count++;
  else fallbacks.set(key, { kernel, target, reason, count: 1 });
}

/**
 * Every fallback counted so far, most frequent first.
 *
 * @example
 * kernelFallbacks() // [{ kernel: 'unary:tan', target: 'simd', ranOn: 'javascript', reason: ..., count: 12 }]
 */
export function kernelFallbacks(): KernelFallback[] {
  return [...fallbacks.values()]
    .map((entry) => ({ ...entry, ranOn: 'javascript' as const }))
    .sort((first, second) => second.count - first.count);
}

/** Forgets the counted fallbacks (for tests and benchmarks that measure one workload). */
export function resetKernelFallbacks(): void {
  fallbacks.clear();
}
