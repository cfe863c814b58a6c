import type { GradientTransformation } from '@vane/optim';

/**
 * What an optimizer promises beyond the contract every gradient transformation keeps. Each
 * flag switches on the invariants that need it; with no flags only the universal invariants
 * run (determinism, state round trip, chain laws, masking, finite state, multi-step
 * accumulation, the `active` and `graft` neutral laws).
 */
export interface OptimizerCapabilities {
  /**
   * A complete optimizer (its updates already carry the minus sign and a small learning rate),
   * so a few steps on a convex quadratic from a point away from the minimum do not raise the
   * loss. Switches on `descentOnConvexQuadratic`.
   */
  readonly descends?: boolean;
  /** From a fresh state, zero gradients give exactly zero updates. Switches on `zeroGradientNoOp`. */
  readonly zeroGradientNoOp?: boolean;
  /**
   * Updates are unchanged (up to ε) when every gradient is multiplied by the same c > 0:
   * sign-based (signSGD, Lion, Rprop) and Adam-style (m/√v) methods. Switches on
   * `positiveScaleInvariance`.
   */
  readonly scaleInvariant?: boolean;
  /** The update depends on the current gradient only, never on history. Switches on `stateless`. */
  readonly stateless?: boolean;
  /** The update is linear in the gradient history (SGD, momentum). Strengthens `multiStepsLargeBatch`. */
  readonly linear?: boolean;
  /** A non-zero gradient gives a non-zero first update. Switches on `nonZeroFirstStep`. */
  readonly nonZeroFirstStep?: boolean;
}

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
export function declareCapabilities<T extends GradientTransformation<any>>(transform: T, capabilities: OptimizerCapabilities): T & { capabilities: OptimizerCapabilities } {
  return Object.assign(transform, { [CAPABILITIES_PROPERTY]: capabilities }) as T & { capabilities: OptimizerCapabilities };
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
