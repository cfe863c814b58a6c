import { afterEach, describe, expect, it } from 'vitest';
import { defineKernel, expression as e, fusedKernelTarget, kernelInfo, setKernelMode } from '../index.js';
import { simdKernels } from '../wasm/kernel-runtime.js';
import { refuseSimdFunctionsForTesting } from '../wasm/simd-expression.js';

// Under VANE_KERNELS=scalar (or setKernelMode('scalar')) there are no SIMD kernels to check.
const SIMD_OFF = simdKernels() === undefined;

afterEach(() => setKernelMode('simd'));

describe('fusedKernelTarget', () => {
  const scale = defineKernel('test.fusedTarget.scale', { inputs: ['x'], scalars: ['factor'] }, ({ x, factor }) =>
    e.mul(x, factor),
  );
  // Every function compiles to SIMD; the test refuses tan so that this kernel runs in the JavaScript loop.
  const tangent = defineKernel('test.fusedTarget.tangent', { inputs: ['x'] }, ({ x }) => e.tan(x));

  it.skipIf(SIMD_OFF)(
    "says 'simd' for a kernel the SIMD compiler accepts and 'javascript' for one it does not",
    (context) => {
      if (!kernelInfo().simdAvailable) context.skip('WebAssembly SIMD is unavailable here');
      expect(fusedKernelTarget(scale)).toBe('simd');
      expect(fusedKernelTarget(tangent)).toBe('simd');
      const restore = refuseSimdFunctionsForTesting(['tan']);
      try {
        expect(fusedKernelTarget(tangent)).toBe('javascript');
      } finally {
        restore();
      }
    },
  );

  it("says 'javascript' while the scalar kernels are forced", () => {
    setKernelMode('scalar');
    expect(fusedKernelTarget(scale)).toBe('javascript');
  });
});
