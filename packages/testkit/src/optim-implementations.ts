/**
 * The `@vane/optim` functions the invariants combine the optimizer under test with. Callers can
 * substitute their own implementation of any of them (that is how the kit tests wrappers,
 * broken ones included); one left `undefined` skips the invariants that need it, naming it.
 */
import {
  active,
  activeGains,
  applyUpdates,
  chain,
  deserializeState,
  graft,
  identity,
  masked,
  multiSteps,
  serializeState,
} from '@vane/optim';
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
  graft?: (
    parts: { magnitude: AnyTransform; direction: AnyTransform },
    options?: Record<string, unknown>,
  ) => AnyTransform;
  applyUpdates?: (params: Tree<Tensor>, updates: Tree<Tensor>) => Tree<Tensor>;
}

/** The implementations of `@vane/optim`. */
export function defaultImplementations(): OptimImplementations {
  return {
    chain: chain as OptimImplementations['chain'],
    identity,
    masked: masked as OptimImplementations['masked'],
    multiSteps: multiSteps as OptimImplementations['multiSteps'],
    serializeState,
    deserializeState,
    active: active as unknown as OptimImplementations['active'],
    activeGains: activeGains as OptimImplementations['activeGains'],
    graft: graft as OptimImplementations['graft'],
    applyUpdates: applyUpdates as OptimImplementations['applyUpdates'],
  };
}
