/**
 * The `@vane/optim` functions the invariants combine the optimizer under test with. They are
 * looked up by name (not imported one by one) so the kit reports an invariant as skipped,
 * naming the missing export, instead of failing to load when an older or partial
 * `@vane/optim` lacks one; and callers can substitute their own implementation of any of
 * them (that is how the kit tests wrappers, broken ones included).
 */
import * as optim from '@vane/optim';
import type { Tensor, Tree } from '@vane/tensor';
import type { GradientTransformation } from '@vane/optim';

/** A gradient transformation whose state type does not matter here. */
export type AnyTransform = GradientTransformation<any>;

/** The combinators and utilities invariants use; each may be replaced by the caller. */
export interface OptimImplementations {
  chain?: (...transforms: AnyTransform[]) => AnyTransform;
  identity?: () => AnyTransform;
  masked?: (inner: AnyTransform, mask: Tree<boolean>) => AnyTransform;
  multiSteps?: (inner: AnyTransform, everyKSteps: number) => AnyTransform;
  serializeState?: (state: any) => any;
  deserializeState?: (serialized: any, ...rest: any[]) => any;
  active?: (base: AnyTransform, options: Record<string, unknown>) => AnyTransform;
  activeGains?: (state: any) => Tree<Tensor>;
  graft?: (parts: { magnitude: AnyTransform; direction: AnyTransform }, options?: Record<string, unknown>) => AnyTransform;
  applyUpdates?: (params: Tree<Tensor>, updates: Tree<Tensor>) => Tree<Tensor>;
}

/** The implementations exported by `@vane/optim` (missing ones are `undefined`). */
export function defaultImplementations(): OptimImplementations {
  const exports = optim as unknown as Record<string, unknown>;
  const pick = <K extends keyof OptimImplementations>(name: K) => (typeof exports[name] === 'function' ? (exports[name] as OptimImplementations[K]) : undefined);
  return {
    chain: pick('chain'),
    identity: pick('identity'),
    masked: pick('masked'),
    multiSteps: pick('multiSteps'),
    serializeState: pick('serializeState'),
    deserializeState: pick('deserializeState'),
    active: pick('active'),
    activeGains: pick('activeGains'),
    graft: pick('graft'),
    applyUpdates: pick('applyUpdates'),
  };
}
