/**
 * Hyperparameter records for the optimizers of `@vane/optim`, derived from its
 * `OPTIMIZER_REGISTRY`: each option's kind (learning rate, β pair, interval, ...) picks the
 * values drawn, so every optimizer the registry lists has records, and a new one gets them
 * without an edit here.
 */
import fc from 'fast-check';
import { OPTIMIZER_NAMES, optimizerEntry, type OptionKind } from '@vane/optim';

/** A hyperparameter record as the `@vane/optim` optimizer functions take it (PyTorch's names). */
export type Hyperparams = Record<string, number | boolean | readonly [number, number]>;

// Learning rates stay small (≤ 1e-2) so "descent for small learning rates" holds for every
// draw, and betas stay in [0.5, 0.999] where the bias corrections are well conditioned.
const learningRate = fc.double({ min: 1e-5, max: 1e-2, noNaN: true });
const beta = (min: number, max: number) => fc.double({ min, max, noNaN: true });
const betas = fc.tuple(beta(0.5, 0.95), beta(0.9, 0.999)) as fc.Arbitrary<readonly [number, number]>;
const eps = fc.constantFrom(1e-8, 1e-6);
const small = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true }));

/** The values drawn for an option of each kind (`lr` and `eps` by name, whatever their kind). */
const ARBITRARY_OF_KIND: { readonly [K in Exclude<OptionKind, 'other'>]: fc.Arbitrary<Hyperparams[string]> } = {
  learningRate,
  positive: fc.double({ min: 1e-3, max: 1, noNaN: true }),
  nonNegative: small,
  unitInterval: fc.double({ min: 0, max: 0.99, noNaN: true }),
  closedUnitInterval: fc.double({ min: 0, max: 1, noNaN: true }),
  betas,
  boolean: fc.boolean(),
};

// `maximize` changes what is optimized, not how: left at its default so descent still holds.
const LEFT_OUT = new Set(['maximize']);

// Options of kind 'other' that are valid only together with others get their own records:
// Nesterov needs momentum > 0 and no dampening (PyTorch's rule).
const VARIANTS: Readonly<Record<string, fc.Arbitrary<Hyperparams>>> = {
  sgd: fc.record({
    lr: learningRate,
    momentum: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    nesterov: fc.constant(true),
    weightDecay: small,
  }),
};

/** Names {@link arbHyperparams} knows: every optimizer of `@vane/optim`'s registry. */
export const HYPERPARAMETER_OPTIMIZERS: readonly string[] = OPTIMIZER_NAMES;

/**
 * Valid hyperparameter records for a named `@vane/optim` optimizer, shrinking towards simple
 * values (no weight decay, zero for the non-negative options).
 *
 * Math (ranges, by the option's kind in the registry): lr ∈ [1e-5, 1e-2]; ε ∈ {1e-8, 1e-6};
 * β₁ ∈ [0.5, 0.95], β₂ ∈ [0.9, 0.999]; other positive options ∈ [1e-3, 1]; non-negative ones
 * (weight decay, momentum, ...) 0 or in [0, 0.1]; [0, 1) options ∈ [0, 0.99], [0, 1] options
 * ∈ [0, 1]; booleans either way. Options of kind 'other' (masks, pairs with their own rules)
 * and `maximize` keep their defaults; SGD also draws Nesterov with μ ∈ [0.01, 0.99] and no
 * dampening.
 *
 * @param optimizerName - one of {@link HYPERPARAMETER_OPTIMIZERS}.
 * @example
 * fc.assert(fc.property(arbHyperparams('adam'), (options) => { adam(options); return true; }));
 */
export function arbHyperparams(optimizerName: string): fc.Arbitrary<Hyperparams> {
  const entry = optimizerEntry(optimizerName);
  if (entry === undefined)
    throw new Error(
      `arbHyperparams: unknown optimizer '${optimizerName}' (known: ${HYPERPARAMETER_OPTIMIZERS.join(', ')})`,
    );
  const fields: Record<string, fc.Arbitrary<Hyperparams[string]>> = {};
  for (const [option, kind] of Object.entries(entry.options)) {
    if (kind === 'other' || LEFT_OUT.has(option)) continue;
    fields[option] = option === 'lr' ? learningRate : option === 'eps' ? eps : ARBITRARY_OF_KIND[kind];
  }
  const record = fc.record(fields) as fc.Arbitrary<Hyperparams>;
  const variant = VARIANTS[optimizerName];
  return variant === undefined ? record : fc.oneof(record, variant);
}
