/**
 * Fused per-element kernels of {@link active} (the gain itself is applied with the shared
 * `MULTIPLY` of `../kernels`), written as expressions of `@vane/tensor`'s kernel language.
 */
import { defineKernel, expression as e } from '@vane/tensor';
import { clampBetween } from '../kernels.js';

/**
 * The end-of-period gain change (AIMD): a·λ_low where the previous and current period sums
 * disagree in sign (product < 0, or = 0 when `zeroIsFlip` is 1), a + λ_high where they agree,
 * then clamped to [minGain, maxGain] (0 and Number.MAX_VALUE when unbounded). Where the product
 * is NaN (a NaN sum, or ∞·0) there is no sign to compare and the gain is kept as it is.
 */
export const CHANGE_GAIN = defineKernel(
  'optim.active.changeGain',
  {
    inputs: ['gain', 'previousSum', 'currentSum'],
    scalars: ['increase', 'decrease', 'zeroIsFlip', 'minGain', 'maxGain'],
  },
  ({ gain, previousSum, currentSum, increase, decrease, zeroIsFlip, minGain, maxGain }) => {
    const product = e.mul(previousSum, currentSum);
    const flipped = e.or(e.less(product, 0), e.and(e.equal(product, 0), e.greater(zeroIsFlip, 0)));
    // NaN fails every comparison but notEqual(product, product).
    const changed = e.select(
      e.notEqual(product, product),
      gain,
      e.select(flipped, e.mul(gain, decrease), e.add(gain, increase)),
    );
    return clampBetween(changed, minGain, maxGain);
  },
);

/** 1 where the gain grows at this period end (the sums agree in sign), else 0 (NaN product: kept, 0). */
export const AGREES = defineKernel(
  'optim.active.agrees',
  { inputs: ['previousSum', 'currentSum'], scalars: ['zeroIsFlip'] },
  ({ previousSum, currentSum, zeroIsFlip }) => {
    const product = e.mul(previousSum, currentSum);
    return e.select(
      e.notEqual(product, product),
      0,
      e.select(e.less(product, 0), 0, e.select(e.greater(product, 0), 1, e.sub(1, zeroIsFlip))),
    );
  },
);
