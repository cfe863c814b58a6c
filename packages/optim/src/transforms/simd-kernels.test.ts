/**
 * The optimizers' fused kernels take the WebAssembly SIMD path of `fusedMap` on float32, not
 * the JavaScript fallback loop (about 3 ns per element, several times slower). A kernel edited
 * into a form the expression compiler cannot parse would still give correct results, so only
 * this test notices. AGREES is not listed: its output is int32, and the SIMD path is float32 only.
 */
import { describe, expect, it } from 'vitest';
import { fusedKernelTarget } from '@vane/tensor';
import { ADD, ADD_SCALED, CLIP, MOVING_AVERAGE, MOVING_AVERAGE_OF_SQUARES, MULTIPLY, SCALE, SIGN, ZERO_NANS } from '../kernels';
import { CHANGE_GAIN } from '../active/active-kernels';
import { ADAM_EPILOGUE_KERNELS } from './scale-by-adam';

describe('optimizer kernels on WebAssembly SIMD', () => {
  it('compiles Adam’s epilogues (including the ones multiplied by ActiveLR’s gain, with Math.fround), the shared kernels and ActiveLR’s gain change', () => {
    for (const kernel of [...ADAM_EPILOGUE_KERNELS, MOVING_AVERAGE, MOVING_AVERAGE_OF_SQUARES, SCALE, ADD_SCALED, ADD, MULTIPLY, SIGN, ZERO_NANS, CLIP, CHANGE_GAIN]) {
      expect([kernel.name, fusedKernelTarget(kernel)]).toEqual([kernel.name, 'simd']);
    }
    expect(ADAM_EPILOGUE_KERNELS.map((kernel) => kernel.name)).toContain('optim.adam.directionAffineMultiplied');
  });
});
