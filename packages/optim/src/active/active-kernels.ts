/**
 * Fused per-element kernels of {@link active} (the gain itself is applied with the shared
 * `MULTIPLY` of `../kernels`). Named, closure-free functions of numbers only,
 * so a GPU backend can transpile them (see `fusedMap` in `@vane/tensor`).
 */
import type { FusedKernel } from '@vane/tensor';

/**
 * The end-of-period gain change (AIMD): a·λ_low where the previous and current period sums
 * disagree in sign (product < 0, or = 0 when `zeroIsFlip` is 1), a + λ_high where they agree,
 * then clamped to [minGain, maxGain] (0 and Number.MAX_VALUE when unbounded). Where the product
 * is NaN (a NaN sum, or ∞·0) there is no sign to compare and the gain is kept as it is.
 */
export const CHANGE_GAIN: FusedKernel = {
  name: 'optim.active.changeGain',
  arity: 3,
  fn: function changeGain(
    gain: number,
    previousSum: number,
    currentSum: number,
    increase: number,
    decrease: number,
    zeroIsFlip: number,
    minGain: number,
    maxGain: number,
  ) {
    // Numbers only, no boolean variables: gpu.js types every local as a float.
    const product = previousSum * currentSum;
    // NaN fails both comparisons; `product !== product` is the NaN test a GPU shader also has.
    const unknown = product !== product ? 1 : 0;
    const flipped = product < 0 ? 1 : product > 0 ? 0 : zeroIsFlip;
    const changed = unknown > 0 ? gain : flipped > 0 ? gain * decrease : gain + increase;
    return changed < minGain ? minGain : changed > maxGain ? maxGain : changed;
  },
};

/** 1 where the gain grows at this period end (the sums agree in sign), else 0 (NaN product: kept, 0). */
export const AGREES: FusedKernel = {
  name: 'optim.active.agrees',
  arity: 2,
  fn: function agrees(previousSum: number, currentSum: number, zeroIsFlip: number) {
    const product = previousSum * currentSum;
    return product !== product ? 0 : product < 0 ? 0 : product > 0 ? 1 : 1 - zeroIsFlip;
  },
};
