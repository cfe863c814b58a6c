import type fc from 'fast-check';
import type { OptimizerCapabilities } from './capabilities.js';
import type { AnyTransform, OptimImplementations } from './optim-implementations.js';

/** Everything an invariant may use about the optimizer under test. */
export interface InvariantContext {
  /** Returns a fresh instance of the optimizer under test (fresh closures included). */
  readonly factory: () => AnyTransform;
  /** The optimizer's declared capabilities (flags switch invariants on). */
  readonly capabilities: OptimizerCapabilities;
  /** The optimizer at a given learning rate, when the caller supplies one. */
  readonly learningRateFactory?: (learningRate: number) => AnyTransform;
  /** Combinators and utilities, from `@vane/optim` unless overridden. */
  readonly implementations: OptimImplementations;
}

/**
 * A named law an optimizer (or a wrapper around it) must obey, as a fast-check property.
 *
 * `check` builds the property; it throws (with the differing path and values) when the law is
 * broken, and fast-check shrinks the inputs. `skipReason` returns why the law does not apply
 * to this optimizer (a missing capability or implementation), or `undefined` to run it.
 */
export interface Invariant {
  /** Stable camelCase name, used in `checkOptimizer({ invariants: [...] })` and reports. */
  readonly name: string;
  /** The law, in one or two sentences of math. */
  readonly law: string;
  /** Which optimizers it applies to (the capability flag, or "every optimizer"). */
  readonly appliesTo: string;
  /** Why the invariant cannot run for this context, or `undefined` when it can. */
  skipReason(context: InvariantContext): string | undefined;
  /** The fast-check property expressing the law for this context. */
  property(context: InvariantContext): fc.IRawProperty<any, false>;
}
