/**
 * Runs the matmul, convolution and elementwise suites again with the scalar kernels, so that
 * both code paths (SIMD, which the suites use by default, and the scalar fallback) pass the
 * same conformance and property tests. Vitest isolates test files, so the mode set here does
 * not leak into other files.
 */
import { setKernelMode } from '../index.js';

setKernelMode('scalar');
await import('../ops/linalg.test.js');
await import('../ops/convolution.test.js');
await import('../ops/elementwise.test.js');
