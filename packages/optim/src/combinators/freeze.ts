import { setToZero } from '../transforms/set-to-zero.js';
import type { EmptyState, GradientTransformation } from '../transform.js';
import { masked, type MaskedState, type MaskSpecification } from './masked.js';

/**
 * Freezes the selected leaves: their updates become zero, so the parameters do not move.
 * Chain it after (or around) an optimizer: `chain(adam({ lr }), freeze(mask))`, or use
 * {@link partition} to keep the frozen leaves out of the optimizer's state altogether.
 *
 * Update: u_i ← 0 where mask_i, u_i elsewhere. State: `{ inner: {} }`.
 *
 * @param mask - true for the leaves to freeze (a prefix tree of booleans, or a function).
 * @example
 * const fineTune = chain(adam({ lr: 1e-4 }), freeze({ encoder: true, head: false }));
 * @see optax `freeze`.
 */
export function freeze(mask: MaskSpecification): GradientTransformation<MaskedState<EmptyState>> {
  return masked(setToZero(), mask);
}
