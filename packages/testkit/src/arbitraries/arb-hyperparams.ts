import fc from 'fast-check';

/** A hyperparameter record as the `@vane/optim` optimizer functions take it (PyTorch's names). */
export type Hyperparams = Record<string, number | boolean | readonly [number, number]>;

// Learning rates stay small (≤ 1e-2) so "descent for small learning rates" holds for every
// draw, and betas stay in [0.5, 0.999] where the bias corrections are well conditioned.
const learningRate = fc.double({ min: 1e-5, max: 1e-2, noNaN: true });
const beta = (min: number, max: number) => fc.double({ min, max, noNaN: true });
const betas = fc.tuple(beta(0.5, 0.95), beta(0.9, 0.999)) as fc.Arbitrary<readonly [number, number]>;
const eps = fc.constantFrom(1e-8, 1e-6);
const weightDecay = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true }));

const adamFamily = { lr: learningRate, betas, eps, weightDecay };

const RECORDS: Record<string, () => fc.Arbitrary<Hyperparams>> = {
  sgd: () =>
    fc.oneof(
      fc.record({ lr: learningRate, momentum: fc.double({ min: 0, max: 0.99, noNaN: true }), dampening: fc.double({ min: 0, max: 1, noNaN: true }), weightDecay }),
      fc.record({ lr: learningRate, momentum: fc.double({ min: 0.01, max: 0.99, noNaN: true }), nesterov: fc.constant(true), weightDecay }),
    ),
  adam: () => fc.record({ ...adamFamily, amsgrad: fc.boolean() }),
  adamw: () => fc.record({ ...adamFamily, amsgrad: fc.boolean() }),
  amsgrad: () => fc.record(adamFamily),
  adamax: () => fc.record(adamFamily),
  adabelief: () => fc.record(adamFamily),
  nadam: () => fc.record({ ...adamFamily, momentumDecay: fc.double({ min: 0, max: 0.01, noNaN: true }), decoupledWeightDecay: fc.boolean() }),
  radam: () => fc.record({ ...adamFamily, decoupledWeightDecay: fc.boolean() }),
};

/** Names {@link arbHyperparams} knows. */
export const HYPERPARAMETER_OPTIMIZERS: readonly string[] = Object.keys(RECORDS);

/**
 * Valid hyperparameter records for a named `@vane/optim` optimizer, shrinking towards simple
 * values (no momentum, no weight decay).
 *
 * Math (ranges): lr ∈ [1e-5, 1e-2]; β₁ ∈ [0.5, 0.95], β₂ ∈ [0.9, 0.999]; ε ∈ {1e-8, 1e-6};
 * weight decay 0 or in [0, 0.1]; SGD momentum μ ∈ [0, 0.99], dampening ∈ [0, 1], Nesterov
 * only with μ > 0 and no dampening (PyTorch's rule).
 *
 * @param optimizerName - one of {@link HYPERPARAMETER_OPTIMIZERS}.
 * @example
 * fc.assert(fc.property(arbHyperparams('adam'), (options) => { adam(options); return true; }));
 */
export function arbHyperparams(optimizerName: string): fc.Arbitrary<Hyperparams> {
  const make = RECORDS[optimizerName];
  if (make === undefined) throw new Error(`arbHyperparams: unknown optimizer '${optimizerName}' (known: ${HYPERPARAMETER_OPTIMIZERS.join(', ')})`);
  return make();
}
