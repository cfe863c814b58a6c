import type { GradientTransformation, OptimizerCapabilities } from '@vane/optim';

// What an optimizer promises beyond the contract every gradient transformation keeps (each flag
// switches on the invariants that need it) is defined in `@vane/optim`, next to the optimizer
// registry that states it for every optimizer; the kit re-exports it.
export type { OptimizerCapabilities };

/** The property name under which a transform may carry its own capabilities. */
export const CAPABILITIES_PROPERTY = 'capabilities';

/**
 * Attaches capabilities to a transform, so `checkOptimizer` finds them without options. The
 * transform is returned (the same object) so factories can end with it.
 *
 * Math: none; `checkOptimizer` merges `tx.capabilities` with `options.capabilities`, the
 * options winning where both set a flag.
 *
 * @example
 * const factory = () => declareCapabilities(sgd({ learningRate: 0.01 }), { linear: true, zeroGradientNoOp: true });
 */
export function declareCapabilities<T extends GradientTransformation<any>>(
  transform: T,
  capabilities: OptimizerCapabilities,
): T & { capabilities: OptimizerCapabilities } {
  return Object.assign(transform, { [CAPABILITIES_PROPERTY]: capabilities }) as T & {
    capabilities: OptimizerCapabilities;
  };
}

/**
 * The capabilities a transform carries (see {@link declareCapabilities}), or none.
 *
 * @example
 * capabilitiesOf(declareCapabilities(tx, { stateless: true })); // { stateless: true }
 */
export function capabilitiesOf(transform: GradientTransformation<any>): OptimizerCapabilities {
  const value = (transform as unknown as Record<string, unknown>)[CAPABILITIES_PROPERTY];
  return value !== null && typeof value === 'object' ? (value as OptimizerCapabilities) : {};
}
