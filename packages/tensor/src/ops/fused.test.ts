import { afterEach, describe, expect, it } from 'vitest';
import { fusedKernelTarget, kernelInfo, setKernelMode, type FusedKernel } from '../index';

afterEach(() => setKernelMode('simd'));

describe('fusedKernelTarget', () => {
  const scale: FusedKernel = { name: 'test.fusedTarget.scale', arity: 1, fn: (x, factor) => x * factor };
  // Math.sin is outside the SIMD expression language: fusedMap runs it in the JavaScript loop.
  const sine: FusedKernel = { name: 'test.fusedTarget.sine', arity: 1, fn: (x) => Math.sin(x) };

  it("says 'simd' for a kernel the SIMD compiler accepts and 'javascript' for one it does not", (context) => {
    if (!kernelInfo().simdAvailable) context.skip('WebAssembly SIMD is unavailable here');
    expect(fusedKernelTarget(scale)).toBe('simd');
    expect(fusedKernelTarget(sine)).toBe('javascript');
  });

  it("says 'javascript' while the scalar kernels are forced", () => {
    setKernelMode('scalar');
    expect(fusedKernelTarget(scale)).toBe('javascript');
  });
});
