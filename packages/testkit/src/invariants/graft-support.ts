/** Shared by the graft invariants: the block partitions the kit knows how to check. */
import type { AnyTransform, OptimImplementations } from '../optim-implementations.js';

/**
 * Granularities whose blocks the kit computes independently: 'tensor' (one block per parameter
 * tensor) and 'global' (the whole tree is one block).
 */
export const GRAFT_GRANULARITIES = ['tensor', 'global'] as const;

/** A granularity the kit can check. */
export type GraftGranularity = (typeof GRAFT_GRANULARITIES)[number];

/** Builds graft({magnitude, direction}, {granularity}), or undefined when the implementation rejects that granularity. */
export function makeGraft(
  implementations: OptimImplementations,
  magnitude: AnyTransform,
  direction: AnyTransform,
  granularity: GraftGranularity,
): AnyTransform | undefined {
  try {
    return implementations.graft!({ magnitude, direction }, { granularity });
  } catch (error) {
    if (/granularity/i.test((error as Error).message)) return undefined;
    throw error;
  }
}
